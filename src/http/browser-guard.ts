/**
 * The front door of the HTTP server, before any route: security headers on every response, and a
 * 403 for a request addressed to a host name a loopback service must not answer (DNS rebinding)
 * or sent by a page of a foreign origin. WebSocket upgrades pass the same checks (verifyClient).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { judgeOrigin, parseCorsOrigins, type CorsPolicy } from './cors-policy.js';
import { hostAllowed, hostPolicyFor, parseAllowedHosts, type HostPolicy } from './host-policy.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** buildApp's settings (CORS_ORIGINS, ALLOWED_HOSTS). */
export interface BrowserOptions {
  /** Cross origins allowed to call (`https://app.example.com`); none: same origin only. */
  readonly corsOrigins: readonly string[];
  /** Host names a loopback service answers besides localhost and IP literals; `*`: any. */
  readonly allowedHosts: readonly string[];
}

export function browserOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BrowserOptions {
  return { corsOrigins: parseCorsOrigins(env.CORS_ORIGINS), allowedHosts: parseAllowedHosts(env.ALLOWED_HOSTS) };
}

export interface BrowserPolicy {
  readonly cors: CorsPolicy;
  readonly hosts: HostPolicy;
}

export function browserPolicy(options: BrowserOptions, listenHost: string): BrowserPolicy {
  return { cors: { origins: options.corsOrigins }, hosts: hostPolicyFor(listenHost, options.allowedHosts) };
}

export type Refusal = { readonly code: 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN'; readonly message: string };

/** Why this request must not be served, or null. */
export function refusalOf(policy: BrowserPolicy, req: IncomingMessage): Refusal | null {
  const host = req.headers.host;
  if (!hostAllowed(policy.hosts, host)) {
    return { code: 'FORBIDDEN_HOST', message: `host ${JSON.stringify(String(host ?? '').slice(0, 100))} is not served; add it to ALLOWED_HOSTS` };
  }
  const origin = req.headers.origin;
  if (judgeOrigin(policy.cors, origin, host) === 'foreign') {
    return { code: 'FORBIDDEN_ORIGIN', message: `origin ${JSON.stringify(String(origin).slice(0, 100))} is not allowed; add it to CORS_ORIGINS` };
  }
  return null;
}

export function withBrowserGuard(policy: BrowserPolicy, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // Answers differ by Origin (CORS headers or a refusal): caches must not mix them up.
    res.setHeader('vary', 'Origin');
    const refusal = refusalOf(policy, req);
    if (refusal) {
      res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }));
      // Do not read a body we will not use.
      req.resume();
      return;
    }
    handler(req, res);
  };
}

/** `ws` WebSocketServer's verifyClient: the same refusals, as a 403 before the upgrade. */
export function verifyWebSocketClient(policy: BrowserPolicy) {
  return (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void): void => {
    const refusal = refusalOf(policy, info.req);
    if (refusal) done(false, 403, refusal.code);
    else done(true);
  };
}
