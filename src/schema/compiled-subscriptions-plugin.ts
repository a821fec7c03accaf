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
import { SHARED_EVENT } from '../jobs/shared-event.js';

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

/** Results of shared events (jobs/shared-event.ts), per event, by executor and variables; dropped with the event. */
const sharedResults = new WeakMap<object, Map<EventExecutor, Map<string, ExecutionResult | Promise<ExecutionResult>>>>();

function executeShared(payload: object, executeEvent: EventExecutor, args: ExecutionArgs): ExecutionResult | Promise<ExecutionResult> {
  let byExecutor = sharedResults.get(payload);
  if (!byExecutor) sharedResults.set(payload, (byExecutor = new Map()));
  let byVariables = byExecutor.get(executeEvent);
  if (!byVariables) byExecutor.set(executeEvent, (byVariables = new Map()));
  const key = JSON.stringify(args.variableValues ?? {});
  let result = byVariables.get(key);
  if (!result) byVariables.set(key, (result = executeEvent(payload, args)));
  return result;
}

export function useCompiledSubscriptions(): Plugin {
  const executorFor = executorCache();
  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source; // argument or resolver errors, as graphql-js reports them
    const executeEvent = executorFor(args);
    return mapAsyncIterator(source as AsyncIterable<unknown>, (payload) =>
      typeof payload === 'object' && payload !== null && SHARED_EVENT in payload ? executeShared(payload, executeEvent, args) : executeEvent(payload, args),
    );
  };
  return {
    onSubscribe: ({ setSubscribeFn }) => {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
