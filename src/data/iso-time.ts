/**
 * Strict ISO-8601 parsing to epoch ms UTC. Date.parse is avoided on purpose: it reads
 * zone-less date-times as local time and rolls impossible dates (2021-02-30) over.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function dayMs(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined;
  const days = m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1]!;
  if (d > days) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  return y < 100 ? new Date(Date.UTC(2000, m - 1, d)).setUTCFullYear(y) : Date.UTC(y, m - 1, d);
}

/** 'YYYY-MM-DD' (a real calendar date) -> UTC midnight; undefined when malformed. */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE.exec(s);
  return m ? dayMs(+m[1]!, +m[2]!, +m[3]!) : undefined;
}

/**
 * 'YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]]' -> epoch ms; no zone means UTC.
 * Undefined when malformed or not a real date/time.
 */
export function parseIsoDateTime(s: string): number | undefined {
  const fast = fastDateTime(s);
  if (fast !== undefined) return fast;
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const day = dayMs(+m[1]!, +m[2]!, +m[3]!);
  if (day === undefined) return undefined;
  const h = m[4] ? +m[4] : 0;
  const min = m[5] ? +m[5] : 0;
  const sec = m[6] ? +m[6] : 0;
  if (h > 23 || min > 59 || sec > 59) return undefined;
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  return day + ((h * 60 + min) * 60 + sec) * 1000 + frac - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const h = +digits.slice(0, 2);
  const min = digits.length > 2 ? +digits.slice(2) : 0;
  return sign * (h * 60 + min) * 60_000;
}

/** The day of the previous fastDateTime call: consecutive rows of a file nearly always share it. */
let cachedDay = '';
let cachedDayMs = 0;

/**
 * Hot path for bulk imports: exactly 'YYYY-MM-DDTHH:MM:SS' with optional 'Z' (or a space
 * for T). Anything else returns undefined and takes the general regex path.
 */
function fastDateTime(s: string): number | undefined {
  const n = s.length;
  if (n !== 19 && !(n === 20 && s.charCodeAt(19) === 90 /* Z */)) return undefined;
  const sep = s.charCodeAt(10);
  if ((sep !== 84 /* T */ && sep !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const h = two(s, 11);
  const min = two(s, 14);
  const sec = two(s, 17);
  if (!(h <= 23 && min <= 59 && sec <= 59)) return undefined; // NaN fails too
  let day: number | undefined;
  if (cachedDay.length === 10 && s.startsWith(cachedDay)) day = cachedDayMs;
  else {
    const d = s.slice(0, 10);
    day = parseIsoDate(d);
    if (day === undefined) return undefined;
    cachedDay = d;
    cachedDayMs = day;
  }
  return day + ((h * 60 + min) * 60 + sec) * 1000;
}

/** Two decimal digits at i, or NaN. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}
