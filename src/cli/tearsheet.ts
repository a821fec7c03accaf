/**
 * The headline tearsheet `backtest run` prints after its metrics, and the `analytics` object of
 * `run --json` (shaped like GraphQL's RunAnalytics scalars: fractions as fractions, null where a
 * figure is undefined). Definitions: docs/CONVENTIONS.md, "Analytics".
 */
import type { RunAnalytics } from '../analytics/run-analytics.js';
import { formatPercent } from './metric-format.js';
import { formatNumber, formatTable } from './table.js';

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
const pct = (v: number): string => formatPercent(finite(v));
const num = (v: number): string => formatNumber(finite(v));
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Calendar years per line of the yearly-returns rows. */
const YEARS_PER_ROW = 5;

/** Top drawdown episodes listed in the table. */
const EPISODES = 3;

export function tearsheetTable(a: RunAnalytics): string {
  const s = a.summary();
  const t = s.trades;
  const rows: [string, string][] = [
    ['Calmar', num(s.calmar)],
    ['Omega (0)', num(s.omega)],
    ['VaR 95% (per bar)', pct(s.valueAtRisk)],
    ['expected shortfall 95%', pct(s.expectedShortfall)],
    ['tail ratio', num(s.tailRatio)],
    ['skew / excess kurtosis', `${num(s.skew)} / ${num(s.kurtosis)}`],
    ['stability (R² of log equity)', num(s.stabilityRSquared)],
    ['leverage avg / max', `${num(s.averageLeverage)} / ${num(s.maxLeverage)}`],
    ['trades (won / lost)', `${t.trades} (${t.wins} / ${t.losses})`],
    ['best / worst trade', `${pct(t.bestReturn)} / ${pct(t.worstReturn)}`],
    ['average win / loss', `${pct(t.averageWinReturn)} / ${pct(t.averageLossReturn)}`],
    ['expectancy (per trade)', num(t.expectancy)],
    ['SQN', num(t.sqn)],
    ['longest win / loss streak', `${t.longestWinStreak} / ${t.longestLossStreak}`],
    ...a.drawdowns(EPISODES).map((d, i): [string, string] => [
      `drawdown ${i + 1}`,
      `${pct(d.depth)} ${day(d.peakTime)} -> ${day(d.troughTime)}, ${d.recoveryTime === null ? 'not recovered' : `recovered ${day(d.recoveryTime)}`}`,
    ]),
    ...yearlyRows(a),
  ];
  if (s.benchmark) {
    const b = s.benchmark;
    rows.push(
      [`benchmark ${b.dataset}/${b.symbol} return`, pct(b.totalReturn)],
      ['alpha (annual) / beta', `${pct(b.alpha)} / ${num(b.beta)}`],
      ['correlation / information ratio', `${num(b.correlation)} / ${num(b.informationRatio)}`],
    );
  }
  return formatTable(['analytics', 'value'], rows);
}

/** Yearly returns, a few years per row (`*` marks a partial year). */
function yearlyRows(a: RunAnalytics): [string, string][] {
  const years = a.yearlyReturns;
  const rows: [string, string][] = [];
  for (let i = 0; i < years.length; i += YEARS_PER_ROW) {
    const slice = years.slice(i, i + YEARS_PER_ROW);
    rows.push([i === 0 ? 'yearly returns (* partial)' : '', slice.map((y) => `${y.year}${y.partial ? '*' : ''} ${pct(y.return)}`).join('  ')]);
  }
  return rows;
}

/** Replaces every non-finite number, however deep, by null (JSON has no NaN). */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return finite(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

export function analyticsJson(a: RunAnalytics): unknown {
  const { trades, benchmark, ...ratios } = a.summary();
  return jsonSafe({
    ...ratios,
    trades,
    benchmark,
    monthlyReturns: a.monthlyReturns.map(({ year, month, return: r, partial }) => ({ year, month, return: r, partial })),
    yearlyReturns: a.yearlyReturns.map(({ year, return: r, partial }) => ({ year, return: r, partial })),
    drawdowns: a.drawdowns(5).map((d) => ({
      peakTime: new Date(d.peakTime).toISOString(),
      troughTime: new Date(d.troughTime).toISOString(),
      recoveryTime: d.recoveryTime === null ? null : new Date(d.recoveryTime).toISOString(),
      depth: d.depth,
      lengthBars: d.lengthBars,
      recoveryBars: d.recoveryBars,
    })),
  });
}
