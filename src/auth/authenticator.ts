/**
 * Turns a request's credential into a Principal. Modes (env AUTH):
 * - `auto` (default): with no active key, the service is open, but only on a loopback address;
 *   as soon as a key exists, every request needs one.
 * - `keys`: every request needs a key, even with none created yet.
 * - `none`: open, wherever it listens (the operator said so explicitly).
 */
import type { KeyStorage } from '../data/storage.js';
import { bucketOf, OPEN, type Principal } from './principal.js';
import type { RateLimiter } from './rate-limiter.js';

export const AUTH_MODES = ['auto', 'keys', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export function authModeFromEnv(value: string | undefined): AuthMode {
  const mode = (value ?? 'auto').toLowerCase();
  if (!(AUTH_MODES as readonly string[]).includes(mode)) throw new Error(`AUTH must be one of ${AUTH_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  return mode as AuthMode;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export type AuthFailure =
  | { readonly kind: 'unauthenticated'; readonly message: string }
  | { readonly kind: 'rate-limited'; readonly message: string; readonly retryAfterMs: number };

export class AuthError extends Error {
  constructor(readonly failure: AuthFailure) {
    super(failure.message);
  }
}

/** `Bearer <secret>` (any case) or the bare secret; undefined when absent. */
export function secretOf(credential: unknown): string | undefined {
  if (typeof credential !== 'string' || credential.length === 0) return undefined;
  const m = /^bearer\s+(\S+)$/i.exec(credential.trim());
  return m ? m[1] : credential.trim();
}

export class Authenticator {
  constructor(
    private readonly keys: KeyStorage,
    readonly mode: AuthMode,
    private readonly host: string,
    private readonly limiter: RateLimiter,
  ) {}

  /** Refuses to serve open on an address other machines can reach, unless AUTH=none. */
  async assertStartable(): Promise<void> {
    if (this.mode === 'auto' && !isLoopback(this.host) && !(await this.keys.hasActiveKeys())) {
      throw new Error(
        `refusing to start without API keys on ${this.host}, which is not a loopback address: ` +
          `create one with \`backtest keys create --name NAME --role admin\`, or set AUTH=none to run open on purpose`,
      );
    }
  }

  private async isOpen(): Promise<boolean> {
    if (this.mode === 'none') return true;
    if (this.mode === 'keys') return false;
    return isLoopback(this.host) && !(await this.keys.hasActiveKeys());
  }

  /** The caller of a request carrying this credential (Authorization header or connectionParams). */
  async authenticate(credential: unknown): Promise<Principal> {
    const secret = secretOf(credential);
    let principal: Principal;
    if (secret === undefined) {
      if (!(await this.isOpen())) throw new AuthError({ kind: 'unauthenticated', message: 'an API key is required: send `Authorization: Bearer <key>` (WebSocket: connectionParams.authorization)' });
      principal = OPEN;
    } else {
      const key = await this.keys.findActiveKey(secret);
      if (!key) throw new AuthError({ kind: 'unauthenticated', message: 'unknown or revoked API key' });
      principal = { kind: 'key', keyId: key.id, name: key.name, role: key.role };
    }
    if (principal.kind === 'key') {
      const wait = this.limiter.take(bucketOf(principal));
      if (wait > 0) throw new AuthError({ kind: 'rate-limited', message: `rate limit of this API key reached: retry in ${wait} ms`, retryAfterMs: wait });
    }
    return principal;
  }
}
