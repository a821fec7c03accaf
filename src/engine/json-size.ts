/**
 * Whether a JSON-like value fits a byte budget, found without serialising it: the walk stops as soon
 * as the budget is spent, so a million-key object or a deeply nested one costs only the budget's worth
 * of work (JSON.stringify would walk all of it, and overflow the stack on deep nesting).
 */

/**
 * An estimate of the value's JSON length that is exact for plain data, counting at most `limit` + 1:
 * returns true when it is within `limit`. Strings count their length plus quotes (escapes ignored).
 */
export function fitsJsonBudget(value: unknown, limit: number): boolean {
  let used = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || v === undefined) used += 4;
    else if (typeof v === 'string') used += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') used += String(v).length;
    else if (Array.isArray(v)) {
      used += 2 + Math.max(0, v.length - 1); // brackets and commas
      if (used > limit) return false;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === 'object') {
      used += 2; // braces
      let keys = 0;
      // for..in lets the walk stop at the first key over budget, without a keys array of its own.
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        used += key.length + 3 + (keys++ > 0 ? 1 : 0); // quotes, colon, and a comma after the first
        if (used > limit) return false;
        stack.push((v as Record<string, unknown>)[key]);
      }
    } else used += 8;
    if (used > limit) return false;
  }
  return true;
}
