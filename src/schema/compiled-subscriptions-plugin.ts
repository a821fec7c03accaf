/**
 * Subscriptions: the source stream is set up by graphql-js, each event is executed compiled by
 * graphql-jit.
 *
 * Why not graphql-jit's own subscribe: it hands the operation's *variables* to the subscription
 * field's `subscribe` as if they were the field's arguments, so `runFills(id: "1")` (a literal) saw
 * no id at all, and `runFills(id: $run)` would not either; only a variable that happens to share
 * the argument's name worked. graphql-js coerces arguments from literals, variables and defaults
 * (and reports bad ones with their path); the per-event execution, which is what bounds how many
 * live fills the main thread can deliver, stays compiled.
 */
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { mapAsyncIterator } from '@graphql-tools/utils';
import type { Plugin } from 'graphql-yoga';

type EventExecutor = (payload: unknown, args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>;

/** graphql-js per event: used when graphql-jit cannot compile a document. */
const interpreted: EventExecutor = (payload, args) => execute({ ...args, rootValue: payload }) as ExecutionResult | Promise<ExecutionResult>;

/** One compiled executor per (document, operation name); documents are cached by Yoga's parser. */
function executorCache(): (args: ExecutionArgs) => EventExecutor {
  const byDocument = new WeakMap<DocumentNode, Map<string, EventExecutor>>();
  return (args) => {
    let byOperation = byDocument.get(args.document);
    if (!byOperation) byDocument.set(args.document, (byOperation = new Map()));
    const key = args.operationName ?? '';
    let executor = byOperation.get(key);
    if (!executor) {
      const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
      executor = isCompiledQuery(compiled)
        ? (payload, a) => compiled.query(payload, a.contextValue, a.variableValues ?? {}) as ExecutionResult | Promise<ExecutionResult>
        : interpreted;
      byOperation.set(key, executor);
    }
    return executor;
  };
}

export function useCompiledSubscriptions(): Plugin {
  const executorFor = executorCache();
  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source; // argument or resolver errors, as graphql-js reports them
    const executeEvent = executorFor(args);
    return mapAsyncIterator(source as AsyncIterable<unknown>, (payload) => executeEvent(payload, args));
  };
  return {
    onSubscribe: ({ setSubscribeFn }) => {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
