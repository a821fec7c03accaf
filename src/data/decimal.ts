/**
 * Reads a plain decimal ('-12.3400') straight from a string range without slicing it.
 * Exact: with at most 15 significant digits the mantissa M and 10^k are both exact
 * doubles, so M / 10^k is the correctly rounded value, i.e. what Number() returns.
 * Anything else (exponents, '+', spaces, long digit runs) returns NaN: use Number().
 */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

export function fastDecimal(s: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && s.charCodeAt(i) === 45 /* - */) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = -1; // digits after the point; -1 = no point yet
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 /* . */ && scale < 0) scale = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = scale > 0 ? mantissa / POW10[scale]! : mantissa;
  return negative ? -v : v;
}
