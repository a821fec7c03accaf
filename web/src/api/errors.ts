/**
 * What can go wrong talking to the service, as the pages show it: a refused key (401), a role that
 * may not do this (403), bad input with the fields named, or anything else with its message.
 */

/** One invalid input field as the server names it, e.g. `input.params.fastPeriod`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export type ProblemKind = 'unauthenticated' | 'forbidden' | 'rate-limited' | 'bad-input' | 'not-found' | 'too-slow' | 'network' | 'server';

export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly fields: readonly FieldError[] = [],
    readonly status?: number,
  ) {
    super(message);
  }

  /** The heading a banner shows above the message. */
  get title(): string {
    switch (this.kind) {
      case 'unauthenticated':
        return '401 Unauthorized: an API key is required or was not accepted';
      case 'forbidden':
        return '403 Forbidden: this API key may not do that';
      case 'rate-limited':
        return '429 Too many requests';
      case 'bad-input':
        return 'Invalid input';
      case 'not-found':
        return 'Not found';
      case 'too-slow':
        return 'Live stream interrupted';
      case 'network':
        return 'The service cannot be reached';
      case 'server':
        return 'The service reported an error';
    }
  }
}

interface WireError {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly fields?: readonly FieldError[] };
}

/** The problem a GraphQL response (HTTP status and errors) describes. */
export function problemOf(errors: readonly WireError[], status?: number): ApiProblem {
  const first = errors[0];
  const code = first?.extensions?.code;
  const message = errors.map((e) => e.message).join('; ') || `HTTP ${status}`;
  if (status === 401 || code === 'UNAUTHENTICATED') return new ApiProblem('unauthenticated', message, [], 401);
  if (status === 403 || code === 'FORBIDDEN') return new ApiProblem('forbidden', message, [], 403);
  if (status === 429 || code === 'RATE_LIMITED') return new ApiProblem('rate-limited', message, [], 429);
  if (code === 'NOT_FOUND') return new ApiProblem('not-found', message, [], status);
  if (code === 'BAD_USER_INPUT') {
    const fields = errors.flatMap((e) => e.extensions?.fields ?? []);
    return new ApiProblem('bad-input', message, fields, status);
  }
  return new ApiProblem('server', message, [], status);
}

/** Any thrown value as an ApiProblem. */
export function asProblem(e: unknown): ApiProblem {
  if (e instanceof ApiProblem) return e;
  if (e instanceof Error) return new ApiProblem('network', e.message);
  return new ApiProblem('server', String(e));
}
