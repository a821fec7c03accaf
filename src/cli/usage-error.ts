/** A bad command-line argument: printed as one line naming it, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseNumberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got ${JSON.stringify(text)}`);
  return n;
}

export function parseIntegerFlag(flag: string, text: string | undefined, min: number): number | undefined {
  const n = parseNumberFlag(flag, text);
  if (n !== undefined && (!Number.isInteger(n) || n < min)) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${text}`);
  return n;
}

export function requireFlag<T>(flag: string, value: T | undefined): T {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}
