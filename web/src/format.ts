/** Numbers, money, percentages and times as the pages show them. */

export const money = (v: number | null | undefined) =>
  v == null ? '–' : v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const num = (v: number | null | undefined, digits = 4) =>
  v == null ? '–' : Math.abs(v) >= 1e6 ? v.toExponential(3) : Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 8 });

export const pct = (v: number | null | undefined, digits = 2) => (v == null ? '–' : `${(v * 100).toFixed(digits)} %`);

/** `2020-04-17 00:00` in UTC; the date alone at midnight. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const s = iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, '').replace(/Z$/, '');
  return s.endsWith(' 00:00') ? s.slice(0, 10) : s;
}

export const date = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '–');

/** A run's start..end dates; open ends read as the first or last bar. */
export const range = (start: string | null, end: string | null) => (start || end ? `${start ?? 'first bar'} … ${end ?? 'last bar'}` : 'all bars');

/** Seconds since the epoch for lightweight-charts. */
export const chartTime = (iso: string) => Math.floor(Date.parse(iso) / 1000);
