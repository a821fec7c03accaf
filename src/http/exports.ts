/**
 * GET /runs/:id/{fills,orders,round-trips,equity}.{csv,json}: a finished run's stored results as a
 * download, streamed (export-writer.ts). 404 for an unknown run or path, 405 for other methods, 409
 * while the run has not ended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Storage } from '../data/storage.js';
import { EXPORT_FORMATS, EXPORT_KINDS, parseExportPath, type ExportFormat, type ExportKind } from './export-paths.js';
import { ClientGone, exportableRun, writeRunExport } from './export-writer.js';

export { csvField } from './export-writer.js';

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

/** Who may download a run's results: null to go ahead, else the HTTP refusal (401, 404, 429 ...). */
export type ExportAuthorizer = (req: IncomingMessage, runId: number) => Promise<{ readonly status: number; readonly message: string; readonly headers?: Record<string, string> } | null>;

/**
 * The one-line hook for the HTTP server: answers export paths (true) and leaves every other request
 * alone (false). `authorize` decides who may read which run (API keys and ownership).
 */
export function handleExportRequest(storage: Storage, req: IncomingMessage, res: ServerResponse, authorize: ExportAuthorizer): boolean {
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
  const headOnly = req.method === 'HEAD';
  void (async () => {
    let refusal: Awaited<ReturnType<ExportAuthorizer>>;
    try {
      refusal = await authorize(req, match.runId);
    } catch (e) {
      refusal = { status: 500, message: e instanceof Error ? e.message : String(e) };
    }
    if (refusal) sendError(res, refusal.status, refusal.message, refusal.headers);
    else await streamExport(storage, match, res, headOnly);
  })();
  return true;
}

/** Writes the export (status, headers, body) to `res`; never rejects (a failure mid-stream aborts the response). */
export async function streamExport(storage: Storage, request: ExportRequest, res: ServerResponse, headOnly = false): Promise<void> {
  const { runId, kind, format } = request;
  let run: Awaited<ReturnType<typeof exportableRun>>;
  try {
    run = await exportableRun(storage, runId);
  } catch (e) {
    return sendError(res, 500, e instanceof Error ? e.message : String(e));
  }
  if ('problem' in run) return sendError(res, run.problem === 'not-found' ? 404 : 409, run.message);
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
    await writeRunExport(storage, run, kind, format, res);
    res.end();
  } catch (e) {
    // Headers are gone: the only honest signal left is an aborted body.
    if (!(e instanceof ClientGone)) res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ error: message }));
}
