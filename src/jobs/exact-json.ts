/**
 * JSON that gives back exactly the plain data it was given, for events that cross a process
 * boundary as text (the Redis pubsub). Plain JSON already round-trips every finite double bit for
 * bit (ECMAScript prints the shortest digits that read back as the same double), but it writes
 * NaN and ±Infinity as null and -0 as 0; orders carry `expiresAt: Infinity` and metrics may be
 * non-finite, and a position of -0 is a value of its own. Those numbers travel as strings starting
 * with U+0000 ("\u0000-0", "\u0000Infinity", ...), and a real string starting with U+0000 gets one
 * more in front, so nothing is ambiguous. Text without such a string is ordinary JSON and is read
 * by JSON.parse alone.
 *
 * Plain data only: objects whose prototype is Object.prototype or null, arrays, strings, numbers,
 * booleans, null. Anything else (Date, Map, typed arrays, class instances) is refused with a
 * TypeError rather than turned silently into something else. As in JSON, object properties whose
 * value is undefined are left out.
 */

const TAG = '\u0000';
const TAG_CODE = 0;
/** How every tagged or escaped string begins in the JSON text. */
const TAG_IN_TEXT = '"\\u0000';

function tagNumber(n: number): string | number {
  if (Number.isFinite(n)) return n === 0 && 1 / n < 0 ? `${TAG}-0` : n;
  return `${TAG}${n}`; // NaN, Infinity, -Infinity
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // The holder's own value, before toJSON (which a Date has: it would pass as a string).
  const raw = this[key];
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const proto = Object.getPrototypeOf(raw);
    if (proto !== Object.prototype && proto !== null) throw notPlain(key, raw);
  }
  switch (typeof value) {
    case 'number':
      return tagNumber(value);
    case 'string':
      return value.charCodeAt(0) === TAG_CODE ? TAG + value : value;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw notPlain(key, value);
    default:
      return value;
  }
}

/** Reads what the replacer wrote; throws on a U+0000 string it cannot have written. */
function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== TAG_CODE) return value;
  const rest = value.slice(1);
  if (rest.charCodeAt(0) === TAG_CODE) return rest;
  switch (rest) {
    case '-0':
      return -0;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      throw new SyntaxError(`exact JSON: unknown tagged value ${JSON.stringify(rest.slice(0, 40))}`);
  }
}

function notPlain(key: string, value: unknown): TypeError {
  const where = key === '' ? 'the value' : `property ${JSON.stringify(key)}`;
  const what = typeof value === 'object' && value !== null ? (value.constructor?.name ?? 'object') : typeof value;
  return new TypeError(`exact JSON: ${where} (${what}) is not plain data`);
}

export const exactJson = {
  stringify(value: unknown): string {
    return JSON.stringify(value, replacer);
  },
  parse(text: string): unknown {
    // Only text holding a tagged or escaped string needs the (several times slower) reviver.
    return text.includes(TAG_IN_TEXT) ? JSON.parse(text, reviver) : JSON.parse(text);
  },
};
