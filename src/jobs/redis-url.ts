/**
 * REDIS_URL read into ioredis connection settings, refusing what it cannot mean, with errors that
 * name REDIS_URL and never repeat its password. Settings are taken from the URL's parts only
 * (no query parameters), so nothing in the URL overrides the options the caller sets.
 */
import type { RedisOptions } from 'ioredis';

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

/** Connection settings from a redis:// or rediss:// URL; a RedisUrlError naming REDIS_URL otherwise. */
export function parseRedisUrl(url: string): { readonly options: RedisOptions; readonly redacted: string } {
  const expected = 'expected redis://[user[:password]@]host[:port][/db] or rediss://... (TLS)';
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    // Not repeated: it may hold a password.
    throw new RedisUrlError(`REDIS_URL is not a URL (${expected})`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUrlError(`REDIS_URL: unsupported scheme '${parsed.protocol}' (${expected})`);
  }
  const redacted = `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? ':***' : ''}@` : parsed.password ? ':***@' : ''}${parsed.host}${parsed.pathname}`;
  if (parsed.hostname === '') throw new RedisUrlError(`REDIS_URL ${redacted}: no host (${expected})`);
  if (parsed.port === '0') throw new RedisUrlError(`REDIS_URL ${redacted}: port 0 (${expected})`);
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new RedisUrlError(`REDIS_URL ${redacted}: query parameters and fragments are not supported (${expected})`);
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  if (!/^\d{0,5}$/.test(dbText)) throw new RedisUrlError(`REDIS_URL ${redacted}: the path must be a database number (${expected})`);
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
    password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw new RedisUrlError(`REDIS_URL ${redacted}: the user or password is not valid percent-encoding`);
  }
  // IPv6 literals come bracketed from URL; net.connect wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    options: {
      host,
      port: parsed.port === '' ? 6379 : Number(parsed.port),
      username,
      password,
      db: dbText === '' ? 0 : Number(dbText),
      ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    },
    redacted,
  };
}
