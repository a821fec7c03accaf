/**
 * Wall-clock times of an IANA time zone -> UTC instants, using the zone rules built into Intl
 * (so daylight-saving changes are handled as the tz database says, including historical ones).
 */

/** A time zone name Intl does not know. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';
  constructor(readonly zone: string) {
    super(`unknown time zone ${JSON.stringify(zone.length > 60 ? `${zone.slice(0, 60)}…` : zone)} (expected an IANA name such as America/New_York or Europe/London)`);
  }
}

const DAY_MS = 86_400_000;
/** Offsets are cached per block of UTC time; no zone changes its offset twice within an hour. */
const BLOCK_MS = 3_600_000;
const MAX_CACHED_BLOCKS = 100_000;

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  /** Block index -> the offset in force for the whole block, or NaN when it changes inside it. */
  private readonly blocks = new Map<number, number>();

  /** Throws UnknownTimeZoneError for a name that is not a time zone. */
  constructor(readonly name: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UnknownTimeZoneError(name);
    }
    if (name.trim() === '') throw new UnknownTimeZoneError(name);
  }

  /**
   * The UTC instant at which the zone's clocks read `wall` (a wall-clock time taken as if it were
   * UTC, epoch ms). NaN when the clocks skip that time (the hour lost when daylight saving starts).
   * When they read it twice (the hour repeated when it ends), the earlier instant that is after
   * `after`, so a file listing the repeated hour twice in order gets both passes right.
   */
  toUtc(wall: number, after = -Infinity): number {
    const before = this.offsetAt(wall - DAY_MS);
    const later = this.offsetAt(wall + DAY_MS);
    // A larger offset means an earlier instant: try the zone's larger offset first.
    const first = Math.max(before, later);
    const second = Math.min(before, later);
    const early = this.offsetAt(wall - first) === first ? wall - first : NaN;
    const late = second !== first && this.offsetAt(wall - second) === second ? wall - second : NaN;
    if (Number.isNaN(early)) return late;
    if (Number.isNaN(late)) return early;
    return early > after ? early : late;
  }

  /** Ms east of UTC in force at instant `t`. */
  offsetAt(t: number): number {
    const block = Math.floor(t / BLOCK_MS);
    let cached = this.blocks.get(block);
    if (cached === undefined) {
      const start = block * BLOCK_MS;
      const a = this.exactOffsetAt(start);
      cached = a === this.exactOffsetAt(start + BLOCK_MS - 1) ? a : NaN;
      if (this.blocks.size >= MAX_CACHED_BLOCKS) this.blocks.clear();
      this.blocks.set(block, cached);
    }
    return Number.isNaN(cached) ? this.exactOffsetAt(t) : cached;
  }

  private exactOffsetAt(t: number): number {
    const whole = Math.floor(t / 1000) * 1000;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const p of this.format.formatToParts(whole)) {
      switch (p.type) {
        case 'year': y = +p.value; break;
        case 'month': mo = +p.value; break;
        case 'day': d = +p.value; break;
        case 'hour': h = +p.value; break;
        case 'minute': mi = +p.value; break;
        case 'second': s = +p.value; break;
      }
    }
    const date = new Date(0);
    date.setUTCFullYear(y, mo - 1, d); // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are
    date.setUTCHours(h, mi, s, 0);
    return date.getTime() - whole;
  }
}
