/** A bad command-line argument: printed as one line naming it, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Longest piece of an argument quoted back in a message. */
const QUOTE_CHARS = 60;

/** An argument as quoted in messages: JSON-quoted, at most QUOTE_CHARS of it. */
export function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text);
}
