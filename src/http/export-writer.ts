/**
 * A finished run's stored results written as CSV or JSON to any Node writable (an HTTP response, a
 * file, stdout), streamed: rows are read a page at a time and written with backpressure, so neither
 * the rows nor the text of a long export sit in memory (an equity curve is read once as its stored
 * binary columns, 32 bytes a point, and formatted a slice at a time). CSV is RFC 4180 (CRLF, a
 * header row, quotes only where needed); JSON is one array of objects shaped like the GraphQL types.
 */
import type { Writable } from 'node:stream';
import type { Fill, Order } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import { tradeReturn } from '../analytics/trade-stats.js';
import { loadRunAnalytics } from '../analytics/load-run-analytics.js';
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import { childId } from '../jobs/contract-shapes.js';
import type { ExportFormat, ExportKind } from './export-paths.js';
import { IsoTimeFormatter } from './iso-times.js';

/** Rows read from storage per page. */
const PAGE_ROWS = 5_000;
/** Equity points formatted per write: about 70 KB of text, small enough to die young in the heap. */
const EQUITY_SLICE = 1_024;

type Cell = string | number | null;

interface Column<T> {
  readonly name: string;
  readonly value: (row: T) => Cell;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Columns in the order and with the names of the GraphQL types (times ISO-8601 UTC). */
const fillColumns = (runId: number): Column<Fill>[] => [
  { name: 'id', value: (f) => childId(runId, f.id) },
  { name: 'orderId', value: (f) => childId(runId, f.orderId) },
  { name: 'time', value: (f) => iso(f.time) },
  { name: 'symbol', value: (f) => f.symbol },
  { name: 'side', value: (f) => f.side },
  { name: 'quantity', value: (f) => f.quantity },
  { name: 'price', value: (f) => f.price },
  { name: 'commission', value: (f) => f.commission },
];

const orderColumns = (runId: number): Column<Order>[] => [
  { name: 'id', value: (o) => childId(runId, o.id) },
  { name: 'time', value: (o) => iso(o.time) },
  { name: 'symbol', value: (o) => o.symbol },
  { name: 'side', value: (o) => o.side },
  { name: 'type', value: (o) => o.type },
  { name: 'quantity', value: (o) => o.quantity },
  { name: 'limitPrice', value: (o) => o.limitPrice },
  { name: 'stopPrice', value: (o) => o.stopPrice },
  { name: 'timeInForce', value: (o) => o.timeInForce },
  { name: 'status', value: (o) => o.status },
  { name: 'filledQuantity', value: (o) => o.filledQuantity },
  { name: 'averageFillPrice', value: (o) => o.averageFillPrice },
  { name: 'reason', value: (o) => o.reason },
  { name: 'tag', value: (o) => o.tag },
  { name: 'updatedAt', value: (o) => iso(o.updatedAt) },
];

const roundTripColumns: Column<RoundTrip>[] = [
  { name: 'symbol', value: (t) => t.symbol },
  { name: 'side', value: (t) => t.side },
  { name: 'quantity', value: (t) => t.quantity },
  { name: 'entryTime', value: (t) => iso(t.entryTime) },
  { name: 'exitTime', value: (t) => iso(t.exitTime) },
  { name: 'entryPrice', value: (t) => t.entryPrice },
  { name: 'exitPrice', value: (t) => t.exitPrice },
  { name: 'pnl', value: (t) => t.pnl },
  { name: 'return', value: (t) => tradeReturn(t) },
  { name: 'returnPct', value: (t) => t.returnPct },
  { name: 'bars', value: (t) => t.bars },
];

/** RFC 4180: a field is quoted when it holds a comma, a quote, CR or LF; quotes inside are doubled. */
export function csvField(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function jsonValue(v: Cell): string {
  return typeof v === 'number' && !Number.isFinite(v) ? 'null' : JSON.stringify(v);
}

/** Formats rows as CSV lines or as the elements of one JSON array. */
class RowWriter<T> {
  private rows = 0;
  constructor(
    private readonly format: ExportFormat,
    private readonly columns: readonly Column<T>[],
  ) {}

  head(): string {
    return this.format === 'csv' ? this.columns.map((c) => csvField(c.name)).join(',') + '\r\n' : '[';
  }

  rowsText(items: readonly T[]): string {
    let out = '';
    for (const item of items) {
      if (this.format === 'csv') out += this.columns.map((c) => csvField(c.value(item))).join(',') + '\r\n';
      else out += (this.rows > 0 ? ',\n' : '\n') + '{' + this.columns.map((c) => `${JSON.stringify(c.name)}:${jsonValue(c.value(item))}`).join(',') + '}';
      this.rows++;
    }
    return out;
  }

  tail(): string {
    return this.format === 'csv' ? '' : this.rows > 0 ? '\n]\n' : ']\n';
  }
}

/** The run to export, or why there is none: unknown, or not ended (its results are not stored yet). */
export async function exportableRun(storage: Storage, runId: number): Promise<RunRecord | { readonly problem: 'not-found' | 'not-ended'; readonly message: string }> {
  const run = await storage.getRun(runId);
  if (!run) return { problem: 'not-found', message: `no run with id ${runId}` };
  if (run.status === 'QUEUED' || run.status === 'RUNNING') {
    return { problem: 'not-ended', message: `run ${runId} is ${run.status}; its results can be exported once it has ended` };
  }
  return run;
}

/** Writes the whole export to `out` (not ended by this). Rejects with ClientGone when `out` closed early. */
export async function writeRunExport(storage: Storage, run: RunRecord, kind: ExportKind, format: ExportFormat, target: Writable): Promise<void> {
  const out = new Output(target);
  const runId = run.id;
  const items = <T>(p: Promise<{ items: T[] }>) => p.then((page) => page.items);
  if (kind === 'equity') await writeEquity(storage, run, format, out);
  else if (kind === 'fills') await writePaged(out, new RowWriter(format, fillColumns(runId)), (offset, limit) => items(storage.getFills(runId, { offset, limit })));
  else if (kind === 'orders') await writePaged(out, new RowWriter(format, orderColumns(runId)), (offset, limit) => items(storage.getOrders(runId, { offset, limit })));
  else await writePaged(out, new RowWriter(format, roundTripColumns), (offset, limit) => items(storage.getRoundTrips(runId, { offset, limit })));
}

/** The reader went away before the end (a closed connection or pipe). */
export class ClientGone extends Error {}

/** Writes with backpressure; stops when the reader went away. */
class Output {
  private gone = false;
  constructor(private readonly res: Writable) {
    res.once('close', () => (this.gone = true));
  }

  async write(text: string): Promise<void> {
    if (this.gone || this.res.destroyed) throw new ClientGone();
    if (text.length === 0) return;
    if (!this.res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.on('drain', done);
        this.res.on('close', done);
      });
      if (this.gone || this.res.destroyed) throw new ClientGone();
    }
  }
}

async function writePaged<T>(out: Output, w: RowWriter<T>, page: (offset: number, limit: number) => Promise<T[]>): Promise<void> {
  await out.write(w.head());
  for (let offset = 0; ; offset += PAGE_ROWS) {
    // Each page is one short read; nothing stays open across the awaits.
    const items = await page(offset, PAGE_ROWS);
    await out.write(w.rowsText(items));
    if (items.length < PAGE_ROWS) break;
  }
  await out.write(w.tail());
}

interface EquityRow {
  time: number;
  equity: number;
  cash: number;
  drawdown: number;
  benchmark: number | null;
}

async function writeEquity(storage: Storage, run: RunRecord, format: ExportFormat, out: Output): Promise<void> {
  const curve = await storage.getEquityCurve(run.id);
  const benchmark = run.benchmark && curve ? ((await loadRunAnalytics(storage, run))?.benchmarkCurve ?? null) : null;
  const columns: Column<EquityRow>[] = [
    { name: 'time', value: (p) => iso(p.time) },
    { name: 'equity', value: (p) => p.equity },
    { name: 'cash', value: (p) => p.cash },
    { name: 'drawdown', value: (p) => p.drawdown },
  ];
  if (benchmark) columns.push({ name: 'benchmark', value: (p) => p.benchmark });
  const w = new RowWriter(format, columns);
  await out.write(w.head());
  const points = curve?.length ?? 0;
  const times = new IsoTimeFormatter();
  for (let from = 0; from < points; from += EQUITY_SLICE) {
    const to = Math.min(points, from + EQUITY_SLICE);
    if (format === 'csv') {
      // The hot path (a million rows): one template per row, no per-cell closures.
      let text = '';
      for (let k = from; k < to; k++) {
        const b = benchmark ? `,${csvField(benchmark[k])}` : '';
        text += `${times.format(curve!.time[k])},${csvField(curve!.equity[k])},${csvField(curve!.cash[k])},${csvField(curve!.drawdown[k])}${b}\r\n`;
      }
      await out.write(text);
    } else {
      const slice: EquityRow[] = [];
      for (let k = from; k < to; k++) {
        const b = benchmark ? benchmark[k] : NaN;
        slice.push({ time: curve!.time[k], equity: curve!.equity[k], cash: curve!.cash[k], drawdown: curve!.drawdown[k], benchmark: Number.isFinite(b) ? b : null });
      }
      await out.write(w.rowsText(slice));
    }
  }
  await out.write(w.tail());
}

