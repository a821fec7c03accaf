/**
 * graphql-ws on a `ws` WebSocketServer, with the service's WebSocket policy (graphql-ws's makeServer
 * is its documented seam for a transport of one's own; its use/ws starter has no hook for sends):
 *
 * - A bounded send buffer: a send returns at once while the connection holds little unsent data
 *   (no per-message round trip), and waits for the socket to drain above BACKPRESSURE_BYTES, so
 *   a stream never runs ahead of its reader and what a slow reader has not taken yet waits in the
 *   kernel's socket buffers, not on the heap; a connection whose unsent data still exceeds
 *   `maxSendBufferBytes` (many subscriptions each adding a message, or one huge message) is closed.
 * - Messages sent in one go (a slice of a replay, a batch of live fills) leave in one write: the
 *   TCP socket is corked until the current microtasks are done, instead of a syscall per message.
 * - A reader that takes nothing for `stallMs` while data waits for it is closed with 1013
 *   "subscriber too slow: resubscribe" (graphql-ws clients retry 1013); its subscriptions end at
 *   once, and the socket is cut if the client does not complete the close handshake soon.
 * - Incoming messages are handled in order through the delivery pacer, ahead of the streams'
 *   turns: setting up a subscription costs the main thread a few milliseconds (parse, validate,
 *   context, first lookups), and a burst of hundreds (one client's 20 subscribes arrive in one
 *   read) would otherwise run in one go; a connection with many messages waiting is not read until
 *   they are handled.
 * - Keep-alive pings; a connection that neither answers one within the interval nor takes any
 *   data meanwhile is cut (a ping queued behind a long backlog is answered late by a live reader).
 * The largest message a client may send is `maxPayload` of the WebSocketServer (server.ts); how
 * many subscriptions one connection may hold is the admission's business (subscription-admission.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer, type ConnectionInitMessage, type Disposable, type ServerOptions } from 'graphql-ws';
import WebSocket, { type WebSocketServer } from 'ws';
import { deliveryPacer, PacedSlot } from '../jobs/delivery-pacer.js';
import { ConnectionWatch, StallClock, type WatchedConnection } from './slow-consumers.js';
import { SLOW_SUBSCRIBER_CLOSE, type TransportLimits } from './transport-limits.js';

/** What graphql-ws hands the hooks in `ctx.extra` (the same shape as its use/ws). */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

type Limits = Pick<TransportLimits, 'maxSendBufferBytes' | 'stallMs'>;

const KEEP_ALIVE_MS = 12_000;
/**
 * Unsent bytes above which a send waits for the socket to drain. Small, so what a slow reader has
 * not taken yet waits in the kernel's socket buffers (several MB on loopback), not on the heap: a
 * connection holds at most this plus one message per subscription.
 */
const BACKPRESSURE_BYTES = 64 * 1024;
/** Messages of one connection waiting for their turn above which its socket is not read. */
const MAX_PENDING_MESSAGES = 64;
/** How long a slow subscriber's close handshake may take before its socket is cut. */
const CLOSE_GRACE_MS = 5_000;

export function serveGraphQLOverWebSocket<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload']>(
  options: ServerOptions<P, Extra>,
  wss: WebSocketServer,
  limits: Limits,
): Disposable & { readonly slowClosed: () => number } {
  const server = makeServer<P, Extra>(options);
  const watch = new ConnectionWatch(limits.stallMs);
  let slowClosed = 0;

  wss.options.handleProtocols = handleProtocols;
  wss.on('error', () => {
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });
  wss.on('connection', (socket, request) => {
    const connection = new LimitedConnection(socket, request.socket, limits, () => slowClosed++);
    const unwatch = watch.add(connection);
    connection.onClosed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => connection.send(data),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) => connection.onMessages(cb),
      },
      { socket, request },
    );
    // ws closes on protocol errors (e.g. a message over maxPayload: 1009) and reports them here.
    socket.on('error', () => {
      if (socket.readyState === WebSocket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    socket.once('close', (code, reason) => {
      unwatch();
      connection.release(code, String(reason));
    });
  });

  return {
    slowClosed: () => slowClosed,
    dispose: async () => {
      watch.stop();
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** One WebSocket's send buffer, stall clock and keep-alive. */
class LimitedConnection implements WatchedConnection {
  /** graphql-ws's cleanup for this socket: ends its subscriptions. */
  onClosed: ((code?: number, reason?: string) => Promise<void>) | null = null;
  private unflushed = 0;
  private lastFlushAt = performance.now();
  private readonly flushWaiters = new Set<() => void>();
  private readonly stall: StallClock;
  private lastPingAt = performance.now();
  private pongDueSince: number | null = null;
  private closing = false;
  private released = false;
  private corked = false;
  private readonly inbox = new PacedSlot(deliveryPacer, true);
  private inboxTail: Promise<void> = Promise.resolve();
  private pendingMessages = 0;

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under the WebSocket (the upgrade request's). */
    private readonly tcp: Duplex,
    private readonly limits: Limits,
    private readonly onSlowClose: () => void,
  ) {
    this.stall = new StallClock(limits.stallMs);
    socket.on('pong', () => (this.pongDueSince = null));
  }

  send(data: string): Promise<void> | void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    let flushed = false;
    let resume: (() => void) | null = null;
    this.unflushed++;
    this.stall.waiting();
    this.cork();
    this.socket.send(data, () => {
      flushed = true;
      this.unflushed--;
      this.lastFlushAt = performance.now();
      this.stall.progressed(this.unflushed > 0);
      if (resume) {
        this.flushWaiters.delete(resume);
        resume();
      }
    });
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.limits.maxSendBufferBytes) {
      setImmediate(() => this.closeSlow());
      return;
    }
    if (flushed || buffered <= BACKPRESSURE_BYTES) return;
    return new Promise<void>((resolve) => {
      resume = resolve;
      this.flushWaiters.add(resolve);
    });
  }

  /** Hands each message to graphql-ws in arrival order, each once the pacer gives it time. */
  onMessages(handle: (data: string) => Promise<void>): void {
    this.socket.on('message', (data) => {
      const text = String(data);
      if (++this.pendingMessages === MAX_PENDING_MESSAGES) this.socket.pause();
      this.inboxTail = this.inboxTail
        .then(() => this.inbox.pace())
        .then(() => {
          if (--this.pendingMessages === MAX_PENDING_MESSAGES - 1) this.socket.resume();
          if (this.released) return;
          // Not awaited: a subscribe's promise lasts as long as its subscription.
          handle(text).catch(() => {
            if (this.socket.readyState === WebSocket.OPEN) this.socket.close(CloseCode.InternalServerError, 'Internal server error');
          });
        });
    });
  }

  /** Holds writes until the current burst of sends is over (nextTick runs after the pending microtasks). */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.tcp.cork();
    process.nextTick(() => {
      this.corked = false;
      this.tcp.uncork();
    });
  }

  check(now: number): void {
    if (this.closing) return;
    if (this.stall.stalled(now)) {
      this.closeSlow();
      return;
    }
    if (this.pongDueSince !== null && this.lastFlushAt > this.pongDueSince) this.pongDueSince = null; // data moves: alive
    if (this.pongDueSince !== null) {
      if (now - this.pongDueSince > KEEP_ALIVE_MS) this.socket.terminate();
    } else if (now - this.lastPingAt >= KEEP_ALIVE_MS && this.socket.readyState === WebSocket.OPEN) {
      this.lastPingAt = now;
      this.pongDueSince = now;
      this.socket.ping();
    }
  }

  /** Ends the connection's subscriptions (once): on close, or as soon as it is closed for being slow. */
  release(code?: number, reason?: string): void {
    for (const resume of this.flushWaiters) resume();
    this.flushWaiters.clear();
    if (this.released) return;
    this.released = true;
    void this.onClosed?.(code, reason).catch(() => {});
  }

  private closeSlow(): void {
    if (this.closing) return;
    this.closing = true;
    this.onSlowClose();
    const { code, reason } = SLOW_SUBSCRIBER_CLOSE;
    // The close frame queues behind the unsent data: a reader that catches up still learns why.
    this.socket.close(code, reason);
    this.release(code, reason);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}
