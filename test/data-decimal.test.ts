import { describe, expect, it } from 'vitest';
import { fastDecimal } from '../src/data/decimal.js';

describe('fastDecimal', () => {
  it('equals Number() whenever it answers, on many random decimals', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let answered = 0;
    for (let k = 0; k < 200_000; k++) {
      const intDigits = Math.floor(rand() * 10);
      const fracDigits = Math.floor(rand() * 10);
      let s = rand() < 0.2 ? '-' : '';
      for (let i = 0; i < intDigits; i++) s += Math.floor(rand() * 10);
      if (fracDigits > 0 || rand() < 0.1) s += '.';
      for (let i = 0; i < fracDigits; i++) s += Math.floor(rand() * 10);
      const got = fastDecimal(`,${s},`, 1, s.length + 1);
      if (Number.isNaN(got)) continue;
      answered++;
      if (!Object.is(got, Number(s))) throw new Error(`${s}: ${got} !== ${Number(s)}`);
    }
    expect(answered).toBeGreaterThan(150_000);
  });

  it('declines what it cannot do exactly or at all', () => {
    for (const s of ['', '-', '.', '1e3', '+1', ' 1', '1,5', '1234567890123456', '1.2.3', 'NaN']) {
      expect(fastDecimal(s, 0, s.length)).toBeNaN();
    }
  });
});
