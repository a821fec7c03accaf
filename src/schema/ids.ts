/** Looking records up by the numeric ids that runs and sweeps have on the wire. */
import { parseRunId } from '../jobs/run-streams.js';
import { notFound } from './errors.js';

/** The record with this id, or null (also for an id that is not a number). */
export async function findById<T>(id: string, get: (n: number) => Promise<T | null>): Promise<T | null> {
  const n = parseRunId(id);
  return Number.isSafeInteger(n) ? get(n) : null;
}

/** The record with this id, or a NOT_FOUND error naming `what`. */
export async function requireById<T>(what: string, id: string, get: (n: number) => Promise<T | null>): Promise<T> {
  const found = await findById(id, get);
  if (found === null) throw notFound(what, id);
  return found;
}
