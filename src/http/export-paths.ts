/** The export downloads' URL scheme, shared by the HTTP route and BacktestRun.exportUrls. */

export const EXPORT_KINDS = ['fills', 'orders', 'round-trips', 'equity'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `/runs/12/round-trips.csv` */
export function exportPath(runId: number | string, kind: ExportKind, format: ExportFormat): string {
  return `/runs/${runId}/${kind}.${format}`;
}

const ROUTE = /^\/runs\/([^/]+)\/([a-z-]+)\.([a-z]+)$/;

/** The parts of an export path (run id still unparsed), or null when the path is not one. */
export function parseExportPath(pathname: string): { runId: string; kind: string; format: string } | null {
  const m = ROUTE.exec(pathname);
  return m ? { runId: m[1], kind: m[2], format: m[3] } : null;
}
