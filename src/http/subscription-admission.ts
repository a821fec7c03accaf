/**
 * A Yoga plugin that admits each subscription against the server's, its connection's and its
 * owner's limits, whatever the transport: WebSocket operations go through Yoga's envelope too (and
 * envelop's onSubscribe sees subscriptions only, so queries on a busy connection are not counted).
 * The place is released when the stream ends however it ends (completed, failed, returned by the
 * client or the transport), and for HTTP (SSE) also when the client goes away: the request's
 * signal ends the stream, so a response that can no longer be written does not hold its place.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusalMessage, type AdmissionRefusal, type SubscriptionAdmission, type SubscriptionLease } from '../jobs/subscription-limits.js';

export const TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS';

export interface SubscriptionAdmissionOptions {
  /** The connection an operation arrived on; by default the WebSocket that server.ts puts in the context as `socket`. */
  readonly connectionOf?: (context: unknown) => object | undefined;
  /** Whose subscription this is (e.g. the API key), for per-owner limits; by default nobody's. */
  readonly ownerOf?: (context: unknown) => string | undefined;
}

const socketInContext = (context: unknown): object | undefined => {
  const socket = (context as { socket?: unknown } | undefined)?.socket;
  return typeof socket === 'object' && socket !== null ? socket : undefined;
};

export function useSubscriptionAdmission(admission: SubscriptionAdmission, options: SubscriptionAdmissionOptions = {}): Plugin {
  const connectionOf = options.connectionOf ?? socketInContext;
  const ownerOf = options.ownerOf ?? (() => undefined);
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue;
      const decision = admission.admit({ connection: connectionOf(context), owner: ownerOf(context) });
      if (!decision.admitted) {
        setResultAndStopExecution({ errors: [tooManySubscriptions(decision)] });
        return;
      }
      const signal = (context as { request?: Request } | undefined)?.request?.signal;
      // Called with whatever the subscribe step produced (graphql-js reports bad arguments and
      // resolver errors as a result, not by throwing): a stream holds the place until it ends.
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(leasedStream(result, decision.lease, signal));
          else decision.lease.release();
        },
      };
    },
  };
}

/** extensions: code TOO_MANY_SUBSCRIPTIONS, scope (server, connection or owner) and limit. */
function tooManySubscriptions(refusal: AdmissionRefusal): GraphQLError {
  return new GraphQLError(refusalMessage(refusal), { extensions: { code: TOO_MANY_SUBSCRIPTIONS, scope: refusal.scope, limit: refusal.limit } });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** `source`, releasing `lease` exactly once when it ends, fails or is returned (or `signal` aborts). */
function leasedStream<T>(source: AsyncIterable<T>, lease: SubscriptionLease, signal?: AbortSignal): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const end = () => {
    lease.release();
    signal?.removeEventListener('abort', onAbort);
  };
  const onAbort = () => {
    end();
    Promise.resolve(iterator.return?.()).catch(() => {});
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () =>
      iterator.next().then(
        (r) => {
          if (r.done) end();
          return r;
        },
        (e: unknown) => {
          end();
          throw e;
        },
      ),
    return: (value?: unknown) => {
      end();
      return iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: value as T });
    },
    throw: (e?: unknown) => {
      end();
      return iterator.throw ? iterator.throw(e) : Promise.reject(e);
    },
  };
}
