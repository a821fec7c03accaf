/**
 * A value as an error message may show it: short whatever the client sent. Error messages name the
 * offending value, and a 10 MB string or a million-key object must not come back in the answer.
 * Lives in the engine (the bottom layer) because parameter validation there uses it too.
 */

/** At most this many characters of a string are shown. */
export const BRIEF_CHARS = 100;

/**
 * Numbers and booleans as written; strings quoted and cut to `max` characters with the full length
 * noted; arrays and objects by kind and size only (counting is bounded, never a walk of the value).
 */
export function brief(value: unknown, max = BRIEF_CHARS): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return briefString(value, max);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function briefString(s: string, max: number): string {
  if (s.length <= max) return JSON.stringify(s);
  let cut = s.slice(0, max);
  // Do not end on half of a surrogate pair.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${JSON.stringify(cut)}... (${s.length} characters)`;
}

/** A list of names for a message: the first `max`, then how many more. */
export function briefList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => (n.length > 40 ? `${n.slice(0, 40)}...` : n));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}
