/**
 * Which browser origins may call the service. Same origin always; other origins only when listed
 * in CORS_ORIGINS (exact `scheme://host[:port]`), and then without credentials (API keys travel in
 * the Authorization header, which the preflight allows; there are no cookies). A request carrying
 * any other Origin is refused outright, so a foreign page can neither read nor change anything,
 * even with a request the browser sends without a preflight; the same check guards WebSocket
 * upgrades, to which browsers apply no CORS at all.
 */
import type { YogaServerOptions } from 'graphql-yoga';

export interface CorsPolicy {
  /** Cross origins allowed, normalised (`https://app.example.com`). Empty: same origin only. */
  readonly origins: readonly string[];
}

/** CORS_ORIGINS: comma separated origins; a malformed one stops the start with its name. */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(normaliseOrigin);
}

function normaliseOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  const bare = text.replace(/\/$/, '');
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== bare) {
    throw new Error(`CORS_ORIGINS: ${JSON.stringify(text.slice(0, 100))} is not an origin like https://app.example.com (scheme, host and optional port; no path, no *)`);
  }
  return url.origin;
}

export type OriginVerdict =
  /** No Origin header: not a browser's cross-site request (curl, server to server, same-origin GET). */
  | 'absent'
  | 'same-origin'
  | 'allowed'
  | 'foreign';

/** `origin` and `host` as the request gives them (Origin and Host headers). */
export function judgeOrigin(policy: CorsPolicy, origin: string | undefined | null, host: string | undefined | null): OriginVerdict {
  if (origin == null || origin === '') return 'absent';
  if (policy.origins.includes(origin)) return 'allowed';
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    return 'foreign'; // "null" (sandboxed frames, file:) and anything unparsable
  }
  return host != null && originHost !== '' && originHost === host.toLowerCase() ? 'same-origin' : 'foreign';
}

/** Headers a browser may send cross-origin (the preflight answers with these). */
const ALLOWED_REQUEST_HEADERS = ['content-type', 'accept', 'authorization', 'x-graphql-csrf'];

/**
 * Yoga's `cors` option: CORS headers only for a listed origin, echoing that one origin and never
 * `Access-Control-Allow-Credentials`; nothing for any other (Yoga's default would reflect every
 * origin with credentials).
 */
export function yogaCors(policy: CorsPolicy): NonNullable<YogaServerOptions<object, object>['cors']> {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin == null || !policy.origins.includes(origin)) return false;
    return { origin: [origin], credentials: false, methods: ['GET', 'POST'], allowedHeaders: ALLOWED_REQUEST_HEADERS, maxAge: 600 };
  };
}
