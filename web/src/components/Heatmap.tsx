/**
 * The objective over two parameters of a sweep, drawn on a canvas: one cell per pair of values,
 * holding the best objective among the combinations with that pair (other parameters vary).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SweepResult } from '../api/queries';
import { num } from '../format';

export interface HeatmapCell {
  readonly x: number;
  readonly y: number;
  readonly value: number;
  readonly count: number;
}

export interface HeatmapGrid {
  readonly xs: readonly string[];
  readonly ys: readonly string[];
  readonly cells: readonly HeatmapCell[];
  readonly min: number;
  readonly max: number;
}

/** Sorted distinct values: numerically when they are all numbers. */
function distinct(values: unknown[]): string[] {
  const uniq = [...new Set(values.map((v) => JSON.stringify(v)))];
  const parsed = uniq.map((s) => JSON.parse(s) as unknown);
  if (parsed.every((v) => typeof v === 'number')) return (parsed as number[]).sort((a, b) => a - b).map((v) => JSON.stringify(v));
  return uniq.sort();
}

export function heatmapGrid(results: readonly SweepResult[], xParam: string, yParam: string, maximize: boolean): HeatmapGrid {
  const usable = results.filter((r) => r.objectiveValue != null && Number.isFinite(r.objectiveValue));
  const xs = distinct(usable.map((r) => r.params[xParam]));
  const ys = distinct(usable.map((r) => r.params[yParam]));
  const best = new Map<string, HeatmapCell>();
  for (const r of usable) {
    const x = xs.indexOf(JSON.stringify(r.params[xParam]));
    const y = ys.indexOf(JSON.stringify(r.params[yParam]));
    const key = `${x},${y}`;
    const v = r.objectiveValue!;
    const old = best.get(key);
    if (!old) best.set(key, { x, y, value: v, count: 1 });
    else best.set(key, { x, y, value: maximize ? Math.max(old.value, v) : Math.min(old.value, v), count: old.count + 1 });
  }
  const cells = [...best.values()];
  const values = cells.map((c) => c.value);
  return { xs, ys, cells, min: Math.min(...values), max: Math.max(...values) };
}

/** Dark blue (worst) through teal to yellow (best), like viridis. */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function heatColor(t: number): string {
  const u = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const c = STOPS[i]!.map((a, k) => Math.round(a + (STOPS[i + 1]![k]! - a) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

const MARGIN = { left: 70, bottom: 48, top: 12, right: 12 };

export function Heatmap({ grid, xParam, yParam, objective, maximize }: { grid: HeatmapGrid; xParam: string; yParam: string; objective: string; maximize: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<HeatmapCell | null>(null);
  const size = useMemo(() => {
    const cell = Math.max(14, Math.min(56, Math.floor(640 / Math.max(1, grid.xs.length))));
    const cellH = Math.max(14, Math.min(40, Math.floor(420 / Math.max(1, grid.ys.length))));
    return { cell, cellH, width: MARGIN.left + cell * grid.xs.length + MARGIN.right, height: MARGIN.top + cellH * grid.ys.length + MARGIN.bottom };
  }, [grid]);

  useEffect(() => {
    const c = canvas.current!;
    const dpr = window.devicePixelRatio || 1;
    c.width = size.width * dpr;
    c.height = size.height * dpr;
    const g = c.getContext('2d')!;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, size.width, size.height);
    const span = grid.max - grid.min;
    for (const cell of grid.cells) {
      // Better is brighter whichever way the objective goes.
      const t = span === 0 ? 1 : (cell.value - grid.min) / span;
      g.fillStyle = heatColor(maximize ? t : 1 - t);
      const px = MARGIN.left + cell.x * size.cell;
      const py = MARGIN.top + (grid.ys.length - 1 - cell.y) * size.cellH;
      g.fillRect(px, py, size.cell - 1, size.cellH - 1);
    }
    g.fillStyle = '#334155';
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const xEvery = Math.ceil(grid.xs.length / Math.max(1, Math.floor((size.cell * grid.xs.length) / 40)));
    grid.xs.forEach((x, i) => {
      if (i % xEvery === 0) g.fillText(label(x), MARGIN.left + i * size.cell + size.cell / 2, MARGIN.top + grid.ys.length * size.cellH + 4);
    });
    g.fillText(xParam, MARGIN.left + (size.cell * grid.xs.length) / 2, size.height - 16);
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const yEvery = Math.ceil(grid.ys.length / Math.max(1, Math.floor((size.cellH * grid.ys.length) / 18)));
    grid.ys.forEach((y, i) => {
      if (i % yEvery === 0) g.fillText(label(y), MARGIN.left - 6, MARGIN.top + (grid.ys.length - 1 - i) * size.cellH + size.cellH / 2);
    });
    g.save();
    g.translate(12, MARGIN.top + (grid.ys.length * size.cellH) / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText(yParam, 0, 0);
    g.restore();
  }, [grid, size, xParam, yParam, maximize]);

  const onMove = (e: MouseEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left - MARGIN.left) / size.cell);
    const y = grid.ys.length - 1 - Math.floor((e.clientY - r.top - MARGIN.top) / size.cellH);
    setHover(grid.cells.find((c) => c.x === x && c.y === y) ?? null);
  };

  return (
    <div class="heatmap">
      <canvas
        ref={canvas}
        style={{ width: `${size.width}px`, height: `${size.height}px` }}
        data-testid="heatmap"
        data-cells={grid.cells.length}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      />
      <div class="heatmap-side">
        <div class="legend">
          <span>{maximize ? 'worst' : 'best'}</span>
          <span class="legend-bar" />
          <span>{maximize ? 'best' : 'worst'}</span>
        </div>
        <div class="legend-values">
          {objective}: {num(grid.min, 4)} … {num(grid.max, 4)}
        </div>
        <div class="hover" data-testid="heatmap-hover">
          {hover ? (
            <>
              {xParam} = {label(grid.xs[hover.x]!)}, {yParam} = {label(grid.ys[hover.y]!)}: <strong>{num(hover.value, 5)}</strong>
              {hover.count > 1 ? ` (best of ${hover.count})` : ''}
            </>
          ) : (
            'Point at a cell for its value.'
          )}
        </div>
      </div>
    </div>
  );
}

const label = (json: string) => {
  const v = JSON.parse(json) as unknown;
  return typeof v === 'string' ? v : String(v);
};
