/** DATABASE_URL's check, without loading the Postgres driver (the SQLite default never needs it). */

/** A DATABASE_URL that is not a Postgres URL; the message never repeats the URL (it may hold a password). */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

/** Throws DatabaseUrlError unless `url` is a postgres:// or postgresql:// URL. */
export function checkPostgresUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new DatabaseUrlError('DATABASE_URL must be a postgres:// or postgresql:// URL; the value given is not a URL');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`DATABASE_URL must be a postgres:// or postgresql:// URL, not ${protocol}//`);
  }
}
