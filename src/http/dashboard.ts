/**
 * The web dashboard's files (web/, built by Vite into web/dist): the page at `/` and its bundles
 * under `/assets/`. Nothing else is served from disk: asset names are one flat, checked segment,
 * so no request can reach outside web/dist/assets. Bundles have content hashes in their names and
 * are cached for a year; the page is revalidated every time, so a new build is picked up at once.
 * The page gets its own Content-Security-Policy: its scripts and styles come from this server only
 * (no inline code), it talks to this server only (HTTP and the WebSocket of the same host).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Only what the built page needs; connect-src 'self' covers ws:/wss: of the same host (CSP 3). */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name Vite writes into assets/: letters, digits, dots, dashes, underscores; no leading dot. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export type DashboardRoute = { readonly kind: 'page' } | { readonly kind: 'asset'; readonly name: string } | { readonly kind: 'bad-asset' };

/** What a request path asks the dashboard for, or null when the path is not the dashboard's. */
export function dashboardRoute(url: string | undefined): DashboardRoute | null {
  const path = (url ?? '/').split('?')[0]!;
  if (path === '/' || path === '/index.html') return { kind: 'page' };
  if (!path.startsWith('/assets/')) return null;
  let name: string;
  try {
    name = decodeURIComponent(path.slice('/assets/'.length));
  } catch {
    return { kind: 'bad-asset' };
  }
  return ASSET_NAME.test(name) && !name.includes('..') ? { kind: 'asset', name } : { kind: 'bad-asset' };
}

/**
 * Serves the request when it is the dashboard's (GET or HEAD of `/`, `/index.html`, `/assets/*`)
 * and returns true; otherwise returns false and leaves the request alone.
 */
export function handleDashboardRequest(req: IncomingMessage, res: ServerResponse, dir = DASHBOARD_DIR): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const route = dashboardRoute(req.url);
  if (route === null) return false;
  void serve(route, req.method === 'HEAD', res, dir);
  return true;
}

async function serve(route: DashboardRoute, headOnly: boolean, res: ServerResponse, dir: string): Promise<void> {
  if (route.kind === 'bad-asset') {
    send(res, 404, 'text/plain; charset=utf-8', Buffer.from('not found\n'), 'no-store', headOnly);
    return;
  }
  const file = route.kind === 'page' ? join(dir, 'index.html') : join(dir, 'assets', route.name);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (route.kind === 'page') {
      const missing = !existsSync(dir)
        ? 'The dashboard has not been built. Run `npm run build:web` (npm ci and npm start do it).'
        : 'The dashboard build is incomplete. Run `npm run build:web` again.';
      res.setHeader('content-security-policy', DASHBOARD_CSP);
      send(res, 503, 'text/html; charset=utf-8', Buffer.from(`<!doctype html><title>backtest-gql</title><p>${missing}</p><p><a href="/graphql">GraphiQL</a> works without it.</p>\n`), 'no-store', headOnly);
    } else {
      send(res, 404, 'text/plain; charset=utf-8', Buffer.from('not found\n'), 'no-store', headOnly);
    }
    return;
  }
  if (route.kind === 'page') {
    res.setHeader('content-security-policy', DASHBOARD_CSP);
    send(res, 200, CONTENT_TYPES['.html']!, body, 'no-cache', headOnly);
  } else {
    const type = CONTENT_TYPES[extname(route.name).toLowerCase()] ?? 'application/octet-stream';
    send(res, 200, type, body, 'public, max-age=31536000, immutable', headOnly);
  }
}

function send(res: ServerResponse, status: number, type: string, body: Buffer, cacheControl: string, headOnly: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': cacheControl });
  res.end(headOnly ? undefined : body);
}
