/**
 * Subscriptions over the service's WebSocket (graphql-ws), authenticated with the same API key as
 * HTTP (connectionParams.authorization). One connection per key; a new key opens a new one.
 */
import { createClient, type Client } from 'graphql-ws';
import { authorization, onApiKeyChange } from './api-key';
import { ApiProblem, problemOf } from './errors';

let client: Client | null = null;

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/graphql`;
}

function liveClient(): Client {
  if (!client) {
    client = createClient({
      url: wsUrl(),
      lazy: true,
      // Streams resume themselves (runUpdates with afterSeq); the client does not replay operations.
      retryAttempts: 0,
      connectionParams: () => {
        const auth = authorization();
        return auth ? { authorization: auth } : {};
      },
    });
  }
  return client;
}

onApiKeyChange(() => {
  const old = client;
  client = null;
  void old?.dispose();
});

export interface Handlers<T> {
  next(data: T): void;
  /** Ended with an error: the stream is over (the caller may subscribe again). */
  error(problem: ApiProblem): void;
  complete(): void;
}

/** Subscribes; returns a function that ends the subscription. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, handlers: Handlers<T>): () => void {
  let done = false;
  const end = liveClient().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (done) return;
        if (result.errors?.length) {
          done = true;
          handlers.error(problemOf(result.errors as { message: string }[]));
          return;
        }
        if (result.data != null) handlers.next(result.data as T);
      },
      error: (e: unknown) => {
        if (done) return;
        done = true;
        handlers.error(closeProblem(e));
      },
      complete: () => {
        if (done) return;
        done = true;
        handlers.complete();
      },
    },
  );
  return () => {
    done = true;
    end();
  };
}

/** What a failed subscription means for the user: GraphQL errors, a refused socket, or a lost one. */
function closeProblem(e: unknown): ApiProblem {
  if (Array.isArray(e)) return problemOf(e as { message: string }[]);
  if (e && typeof e === 'object' && 'code' in e) {
    const code = Number((e as { code: unknown }).code);
    const reason = String((e as { reason?: unknown }).reason ?? '');
    if (code === 4403 || code === 4401) return new ApiProblem('unauthenticated', `the WebSocket was refused (${code}${reason ? ` ${reason}` : ''}): enter a valid API key`, [], 401);
    if (code === 1013) return new ApiProblem('too-slow', `the server closed the stream (${code} ${reason || 'subscriber too slow'})`);
    return new ApiProblem('network', `the WebSocket closed (${code}${reason ? ` ${reason}` : ''})`);
  }
  return new ApiProblem('network', 'the WebSocket could not connect');
}
