/**
 * ISO-8601 UTC times for exports, fast: a million-point equity export formats a million times, and
 * Date#toISOString costs microseconds each. The date part is cached per UTC day; the time of day is
 * built from lookup tables. Identical output to toISOString (tested against it).
 */

const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** Years 0000..9999, where toISOString has its plain four-digit form (others take the slow path). */
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

export class IsoTimeFormatter {
  private dayStart = NaN;
  private prefix = '';

  format(ms: number): string {
    let offset = ms - this.dayStart;
    if (!(offset >= 0 && offset < DAY_MS)) {
      if (!Number.isInteger(ms) || ms < MIN_MS || ms > MAX_MS) return new Date(ms).toISOString();
      this.dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
      this.prefix = new Date(this.dayStart).toISOString().slice(0, 11); // "YYYY-MM-DDT"
      offset = ms - this.dayStart;
    }
    const h = Math.floor(offset / 3_600_000);
    const m = Math.floor(offset / 60_000) % 60;
    const s = Math.floor(offset / 1000) % 60;
    return `${this.prefix}${TWO[h]}:${TWO[m]}:${TWO[s]}.${THREE[offset % 1000]}Z`;
  }
}
