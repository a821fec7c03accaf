/**
 * Issue 13 (indicator precision): what the compensated SMA costs the engine, as an A/B in one
 * process. sma-crossover (20/100) over the same 2,000,000 synthetic minute bars, once with the
 * compensated `Sma.updateBlock` and once with the plain running sum it replaced (`PlainSma`, the
 * old kernel copied here for this comparison only), alternating which goes first, CPU time
 * (process.cpuUsage) per run, median of the paired ratios.
 *
 * The kernel is swapped on Sma.prototype between runs rather than by building other objects, so
 * the engine's and the strategy's call sites stay monomorphic, as in production; each swap makes
 * V8 re-optimise what inlined the kernel, which both sides pay alike.
 *
 *   node --expose-gc --import tsx bench/sma-precision-ab.ts [rounds=20] [bars=2000000]
 */
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { PERIODS_PER_YEAR, runBacktest, smaCrossover, validateStrategyParams, type BarSeries } from '../src/engine/index.js';
import { History } from '../src/engine/indicators/history.js';
import { Sma } from '../src/engine/indicators/sma.js';

/** The SMA kernel before issue 13: a plain running sum (`sum += close[i] - close[i-n]`). */
class PlainSma extends History {
  declare readonly period: number;
  declare readonly sum: Float64Array;
  updateBlock(s: number, bars: BarSeries, from: number, to: number): void {
    const n = this.period;
    const close = bars.close;
    const ring = this.ring;
    const mask = this.mask;
    const base = s << this.shift;
    let sum = this.sum[s];
    let i = from;
    for (; i < to && i < n; i++) {
      sum += close[i];
      ring[base | (i & mask)] = i === n - 1 ? sum / n : NaN;
    }
    for (; i < to; i++) {
      sum += close[i] - close[i - n];
      ring[base | (i & mask)] = sum / n;
    }
    this.sum[s] = sum;
  }
}

const kernels = { compensated: Sma.prototype.updateBlock, plain: PlainSma.prototype.updateBlock };
type Variant = keyof typeof kernels;

const rounds = Number(process.argv[2] ?? 20);
const barCount = Number(process.argv[3] ?? 2_000_000);
const bars = generateSyntheticBars({ symbol: 'AAA', bars: barCount, period: 'MINUTE', seed: 1 });
const params = validateStrategyParams(smaCrossover, { fastPeriod: 20, slowPeriod: 100, quantity: 1 });
if (!params.ok) throw new Error('bad params');
const paramValues = params.values;

const warmBars = generateSyntheticBars({ symbol: 'AAA', bars: 200_000, period: 'MINUTE', seed: 2 });
const backtest = (series: BarSeries) =>
  runBacktest({ series: [series], strategy: smaCrossover, params: paramValues, initialCash: 100_000, periodsPerYear: PERIODS_PER_YEAR.MINUTE });
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * One timed run with the variant's kernel. After the swap an untimed run on other bars lets V8
 * re-optimise, and a full collection (with --expose-gc) keeps one run's garbage out of the next's time.
 */
function run(variant: Variant): { cpuMs: number; fills: number; equity: number } {
  Sma.prototype.updateBlock = kernels[variant];
  backtest(warmBars);
  gc?.();
  const before = process.cpuUsage();
  const r = backtest(bars);
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, fills: r.fills.length, equity: r.metrics.finalEquity };
}

// Warm-up, and the check that both did the same work.
const a = run('plain');
const b = run('compensated');
console.log(`plain: ${a.fills} fills, final equity ${a.equity}; compensated: ${b.fills} fills, final equity ${b.equity}`);
if (a.fills !== b.fills || a.equity !== b.equity) console.log('NOTE: the two kernels gave different results');

const ratios: number[] = [];
const times: Record<Variant, number[]> = { compensated: [], plain: [] };
for (let k = 0; k < rounds; k++) {
  const order: Variant[] = k % 2 === 0 ? ['plain', 'compensated'] : ['compensated', 'plain'];
  const t = {} as Record<Variant, number>;
  for (const v of order) t[v] = run(v).cpuMs;
  times.plain.push(t.plain);
  times.compensated.push(t.compensated);
  ratios.push(t.compensated / t.plain);
}
Sma.prototype.updateBlock = kernels.compensated;
const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`${rounds} pairs over ${barCount} bars: median CPU ms plain ${median(times.plain).toFixed(0)}, compensated ${median(times.compensated).toFixed(0)}`);
console.log(`median ratio compensated / plain: ${median(ratios).toFixed(4)} (pairs: ${ratios.map((r) => r.toFixed(3)).join(' ')})`);
