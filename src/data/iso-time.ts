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
  const fast = fastWallTime(s);
  if (fast !== undefined) return fast; // 'Z' or no zone: both UTC
  return readIsoDateTime(s, scratch) ? scratch.wall - (scratch.offsetMs ?? 0) : undefined;
}

/** A date-time as written, before any zone is applied. */
export interface WrittenDateTime {
  /** The wall-clock reading taken as if it were UTC, epoch ms. */
  wall: number;
  /** The offset written in the text ('Z' is 0), in ms east of UTC; null when none was written. */
  offsetMs: number | null;
  /** False for a plain date without a time of day. */
  hasTime: boolean;
}

const scratch: WrittenDateTime = { wall: 0, offsetMs: null, hasTime: false };

/**
 * Reads the same syntax as parseIsoDateTime into `out` (reused, so bulk imports allocate nothing)
 * without applying a zone: the caller decides what a date-time without an offset means.
 * False when malformed or not a real date/time.
 */
export function readIsoDateTime(s: string, out: WrittenDateTime): boolean {
  const fast = fastWallTime(s);
  if (fast !== undefined) {
    out.wall = fast;
    out.offsetMs = s.length === 20 ? 0 : null;
    out.hasTime = true;
    return true;
  }
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const day = dayMs(+m[1]!, +m[2]!, +m[3]!);
  if (day === undefined) return false;
  const h = m[4] ? +m[4] : 0;
  const min = m[5] ? +m[5] : 0;
  const sec = m[6] ? +m[6] : 0;
  if (h > 23 || min > 59 || sec > 59) return false;
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  out.wall = day + ((h * 60 + min) * 60 + sec) * 1000 + frac;
  const offset = m[8] ? zoneOffsetMs(m[8]) : null;
  if (Number.isNaN(offset)) return false;
  out.offsetMs = offset;
  out.hasTime = m[4] !== undefined;
  return true;
}

/** Ms east of UTC; NaN for an impossible offset such as +25:00. */
function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const h = +digits.slice(0, 2);
  const min = digits.length > 2 ? +digits.slice(2) : 0;
  if (h > 23 || min > 59) return NaN;
  return sign * (h * 60 + min) * 60_000;
}

/** The day of the previous fastWallTime call: consecutive rows of a file nearly always share it. */
let cachedDay = '';
let cachedDayMs = 0;

/**
 * Hot path for bulk imports: exactly 'YYYY-MM-DDTHH:MM:SS' with optional 'Z' (or a space
 * for T), read as a wall-clock time. Anything else returns undefined and takes the general regex path.
 */
function fastWallTime(s: string): number | undefined {
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
