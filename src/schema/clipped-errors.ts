/**
 * Every error message leaves the server clipped (errors.ts clipMessage): graphql-js repeats input
 * in its parse, validation and variable-coercion messages (`Expected value of type "Int", found
 * "..."`), scalars in theirs. One plugin at the end of each phase, for HTTP, SSE and WebSocket.
 */
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { clipMessage } from './errors.js';

function clip(errors: readonly Error[] | undefined): void {
  // In place, like graphql-js's own formatting plugins: the errors keep their path, locations and codes.
  for (const e of errors ?? []) if (e.message.length > 0) e.message = clipMessage(e.message);
}

const isResult = (r: ExecutionResult | AsyncIterable<ExecutionResult>): r is ExecutionResult => !(Symbol.asyncIterator in r);

export function useClippedErrorMessages(): Plugin {
  return {
    onParse: () => ({ result }) => {
      if (result instanceof Error) (result as Error).message = clipMessage((result as Error).message);
    },
    onValidate: () => ({ result }) => clip(result),
    onExecute: () => ({
      onExecuteDone: ({ result }) => {
        if (isResult(result)) return clip(result.errors);
        return { onNext: ({ result: r }) => clip(r.errors) };
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result }) => {
        if (isResult(result)) return clip(result.errors);
        return { onNext: ({ result: r }) => clip(r.errors) };
      },
      onSubscribeError: ({ error }) => {
        if (error instanceof Error) error.message = clipMessage(error.message);
      },
    }),
  };
}
