/**
 * Charts on TradingView's lightweight-charts (canvas, made for market data, ~45 KB, no CDN):
 * equity and drawdown growing as a run advances, candles with fill markers, overlaid equity
 * curves. Each chart is created once and fed incrementally (series.update), so a live run's
 * chart grows without being redrawn from scratch.
 */
import {
  AreaSeries,
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  LineSeries,
  type IChartApi,
  type ISeriesApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';
import type { EquityPoint, Fill, PriceBar } from '../api/queries';
import { chartTime } from '../format';

const BASE_OPTIONS = {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#334155', fontFamily: 'system-ui, sans-serif', attributionLogo: false },
  grid: { vertLines: { color: '#eef2f7' }, horzLines: { color: '#eef2f7' } },
  rightPriceScale: { borderColor: '#cbd5e1' },
  // A whole run fits the width: thousands of points may share few pixels (the default floor is 0.5 px a bar).
  timeScale: { borderColor: '#cbd5e1', timeVisible: true, secondsVisible: false, minBarSpacing: 0.01 },
  crosshair: { mode: 0 },
} as const;

export const SERIES_COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d'];

function useChart(setup: (chart: IChartApi) => () => void, deps: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current!;
    const chart = createChart(box, BASE_OPTIONS);
    const teardown = setup(chart);
    // Fit once the box has its size (autoSize measures it after the first layout).
    const resized = new ResizeObserver(() => chart.timeScale().fitContent());
    resized.observe(box);
    return () => {
      resized.disconnect();
      teardown();
      chart.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return ref;
}

/** A growing list the chart polls through `listen` (e.g. a RunStream's equity samples). */
export interface GrowingSeries<T> {
  readonly items: readonly T[];
  listen(listener: () => void): () => void;
}

/** Equity (top pane) and drawdown below it, both appended as samples arrive. */
export function EquityDrawdownChart({ source, height = 360 }: { source: GrowingSeries<EquityPoint>; height?: number }) {
  const ref = useChart(
    (chart) => {
      const equity = chart.addSeries(LineSeries, { color: '#2563eb', lineWidth: 2, title: 'equity', priceFormat: { type: 'price', precision: 2, minMove: 0.01 } }, 0);
      const drawdown = chart.addSeries(
        AreaSeries,
        { lineColor: '#dc2626', topColor: 'rgba(220, 38, 38, 0.05)', bottomColor: 'rgba(220, 38, 38, 0.35)', lineWidth: 1, title: 'drawdown %', priceFormat: { type: 'percent' } as never },
        1,
      );
      chart.panes()[1]?.setHeight(Math.round(height * 0.3));
      let next = 0;
      let last = -Infinity;
      const pump = () => {
        const items = source.items;
        const fresh: { time: UTCTimestamp; eq: number; dd: number }[] = [];
        for (; next < items.length; next++) {
          const p = items[next]!;
          const t = chartTime(p.time);
          // Charts need strictly increasing times; samples of the same second keep the first.
          if (t <= last) continue;
          last = t;
          fresh.push({ time: t as UTCTimestamp, eq: p.equity, dd: -p.drawdown * 100 });
        }
        if (fresh.length === 0) return;
        if (fresh.length > 50) {
          equity.setData(equity.data().concat(fresh.map((f) => ({ time: f.time, value: f.eq }))) as never);
          drawdown.setData(drawdown.data().concat(fresh.map((f) => ({ time: f.time, value: f.dd }))) as never);
        } else {
          for (const f of fresh) {
            equity.update({ time: f.time, value: f.eq });
            drawdown.update({ time: f.time, value: f.dd });
          }
        }
        chart.timeScale().fitContent();
      };
      pump();
      return source.listen(pump);
    },
    [source],
  );
  return <div class="chart" style={{ height: `${height}px` }} ref={ref} data-testid="equity-chart" />;
}

/**
 * Candles with the run's fills as markers: one per bucket and side (a count when several fills
 * share a bucket), placed on the bucket that holds the fill's time.
 */
export function PriceChart({ bars, fills, height = 360 }: { bars: readonly PriceBar[]; fills: GrowingSeries<Fill>; height?: number }) {
  const ref = useChart(
    (chart) => {
      const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
        upColor: '#16a34a',
        downColor: '#dc2626',
        wickUpColor: '#16a34a',
        wickDownColor: '#dc2626',
        borderVisible: false,
      });
      const times = bars.map((b) => chartTime(b.time));
      candles.setData(bars.map((b, i) => ({ time: times[i] as UTCTimestamp, open: b.open, high: b.high, low: b.low, close: b.close })));
      chart.timeScale().fitContent();
      const markers = createSeriesMarkers(candles, []);
      const box = chart.chartElement().parentElement;
      const pump = () => {
        const list = fillMarkers(times, fills.items);
        markers.setMarkers(list);
        if (box) box.dataset.markers = String(list.length);
      };
      pump();
      return fills.listen(pump);
    },
    [bars, fills],
  );
  return <div class="chart" style={{ height: `${height}px` }} ref={ref} data-testid="price-chart" />;
}

function fillMarkers(times: readonly number[], fills: readonly Fill[]): SeriesMarker<Time>[] {
  if (times.length === 0) return [];
  const buckets = new Map<string, { time: number; side: 'BUY' | 'SELL'; count: number }>();
  for (const f of fills) {
    const t = chartTime(f.time);
    const i = lastAtOrBefore(times, t);
    if (i < 0) continue;
    const key = `${i}:${f.side}`;
    const b = buckets.get(key);
    if (b) b.count++;
    else buckets.set(key, { time: times[i]!, side: f.side, count: 1 });
  }
  return [...buckets.values()]
    .sort((a, b) => a.time - b.time)
    .map((b) => ({
      time: b.time as UTCTimestamp,
      position: b.side === 'BUY' ? 'belowBar' : 'aboveBar',
      shape: b.side === 'BUY' ? 'arrowUp' : 'arrowDown',
      color: b.side === 'BUY' ? '#15803d' : '#b91c1c',
      text: b.count > 1 ? `${b.side} ×${b.count}` : b.side,
    }));
}

function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Equity curves of several runs over one time axis. */
export function CompareChart({ curves, height = 380 }: { curves: readonly { label: string; points: readonly EquityPoint[] }[]; height?: number }) {
  const ref = useChart(
    (chart) => {
      curves.forEach((c, k) => {
        const s = chart.addSeries(LineSeries, { color: SERIES_COLORS[k % SERIES_COLORS.length], lineWidth: 2, title: c.label });
        const data: { time: UTCTimestamp; value: number }[] = [];
        let last = -Infinity;
        for (const p of c.points) {
          const t = chartTime(p.time);
          if (t <= last) continue;
          last = t;
          data.push({ time: t as UTCTimestamp, value: p.equity });
        }
        s.setData(data);
      });
      chart.timeScale().fitContent();
      return () => {};
    },
    [curves],
  );
  return <div class="chart" style={{ height: `${height}px` }} ref={ref} data-testid="compare-chart" />;
}
