/**
 * GET /runs/:id/{fills,orders,round-trips,equity}.{csv,json}: a finished run's stored results as a
 * download, streamed. Rows are read a page at a time and written with backpressure, so neither the
 * rows nor the text of a long export sit in memory (an equity curve is read once as its stored
 * binary columns, 32 bytes a point, and formatted a slice at a time). CSV is RFC 4180 (CRLF, a
 * header row, quotes only where needed); JSON is one array of objects shaped like the GraphQL types.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fill, Order } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import { tradeReturn } from '../analytics/trade-stats.js';
import { loadRunAnalytics } from '../analytics/load-run-analytics.js';
import type { AppDatabase } from '../data/db.js';
import { getEquityCurve, getFills, getOrders, getRoundTrips, getRun, type RunRecord } from '../data/run-store.js';
import { childId } from '../jobs/contract-shapes.js';
import { EXPORT_FORMATS, EXPORT_KINDS, parseExportPath, type ExportFormat, type ExportKind } from './export-paths.js';
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

export type ExportRequest = { readonly runId: number; readonly kind: ExportKind; readonly format: ExportFormat };

/**
 * The export a URL asks for: null when the path is not an export path at all (the caller goes on
 * with its other routes), else the parsed request or the reason it is malformed.
 */
export function matchExport(url: string | undefined): ExportRequest | { readonly problem: string } | null {
  const path = (url ?? '').split('?')[0];
  const m = parseExportPath(path);
  if (!m) return null;
  if (!/^[1-9]\d{0,14}$/.test(m.runId)) return { problem: `not a run id: ${JSON.stringify(m.runId.slice(0, 20))}` };
  if (!(EXPORT_KINDS as readonly string[]).includes(m.kind)) return { problem: `unknown export ${JSON.stringify(m.kind.slice(0, 20))} (known: ${EXPORT_KINDS.join(', ')})` };
  if (!(EXPORT_FORMATS as readonly string[]).includes(m.format)) return { problem: `unknown format ${JSON.stringify(m.format.slice(0, 20))} (known: ${EXPORT_FORMATS.join(', ')})` };
  return { runId: Number(m.runId), kind: m.kind as ExportKind, format: m.format as ExportFormat };
}

/**
 * The one-line hook for the HTTP server: answers export paths (true) and leaves every other request
 * alone (false). Checks nothing about who asks: put an authorisation check in front (matchExport,
 * then streamExport) when the service has API keys.
 */
export function handleExportRequest(app: AppDatabase, req: IncomingMessage, res: ServerResponse): boolean {
  const match = matchExport(req.url);
  if (match === null) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, `${req.method} is not allowed; use GET`, { allow: 'GET, HEAD' });
    return true;
  }
  if ('problem' in match) {
    sendError(res, 404, match.problem);
    return true;
  }
  void streamExport(app, match, res, req.method === 'HEAD');
  return true;
}

/** Writes the export (status, headers, body) to `res`; never rejects (a failure mid-stream aborts the response). */
export async function streamExport(app: AppDatabase, request: ExportRequest, res: ServerResponse, headOnly = false): Promise<void> {
  const { runId, kind, format } = request;
  const run = getRun(app, runId);
  if (!run) return sendError(res, 404, `no run with id ${runId}`);
  if (run.status === 'QUEUED' || run.status === 'RUNNING') {
    return sendError(res, 409, `run ${runId} is ${run.status}; its results can be exported once it has ended`);
  }
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="run-${runId}-${kind}.${format}"`,
    'cache-control': 'no-store',
  });
  if (headOnly) {
    res.end();
    return;
  }
  try {
    const out = new Output(res);
    if (kind === 'equity') await writeEquity(app, run, format, out);
    else if (kind === 'fills') await writePaged(out, new RowWriter(format, fillColumns(runId)), (offset, limit) => getFills(app, runId, { offset, limit }).items);
    else if (kind === 'orders') await writePaged(out, new RowWriter(format, orderColumns(runId)), (offset, limit) => getOrders(app, runId, { offset, limit }).items);
    else await writePaged(out, new RowWriter(format, roundTripColumns), (offset, limit) => getRoundTrips(app, runId, { offset, limit }).items);
    res.end();
  } catch (e) {
    // Headers are gone: the only honest signal left is an aborted body.
    if (!(e instanceof ClientGone)) res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

class ClientGone extends Error {}

/** Writes with backpressure; stops when the client went away. */
class Output {
  private gone = false;
  constructor(private readonly res: ServerResponse) {
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

async function writePaged<T>(out: Output, w: RowWriter<T>, page: (offset: number, limit: number) => T[]): Promise<void> {
  await out.write(w.head());
  for (let offset = 0; ; offset += PAGE_ROWS) {
    // Each page is one short read; nothing stays open across the awaits.
    const items = page(offset, PAGE_ROWS);
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

async function writeEquity(app: AppDatabase, run: RunRecord, format: ExportFormat, out: Output): Promise<void> {
  const curve = getEquityCurve(app, run.id);
  const benchmark = run.benchmark && curve ? loadRunAnalytics(app, run)?.benchmarkCurve ?? null : null;
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

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ error: message }));
}
