/**
 * PUBLISH, SUBSCRIBE and UNSUBSCRIBE sent strictly in call order, also across reconnections, with
 * their failures contained, for the event target's two ioredis connections.
 *
 * Why not ioredis' own offline queue: while a new connection is still in its handshake, ioredis
 * writes at once every command Redis accepts while loading (PUBLISH and SUBSCRIBE are such), ahead
 * of the commands it queued while the connection was down, which it sends only when the
 * connection is ready. A reconnection could then reorder a run's events (seen: 2 before 1), or
 * land an UNSUBSCRIBE queued during the outage after a newer SUBSCRIBE of the same channel and
 * leave its listener deaf. So these commands reach ioredis only while the connection is ready;
 * the others wait here, in order, and go once ioredis has finished its own reconnection work
 * (renewing the subscriptions, resending what was unanswered).
 *
 * Waiting PUBLISHes are bounded by bytes: past the bound the oldest are dropped (their promises
 * reject with DroppedError). SUBSCRIBE and UNSUBSCRIBE are never dropped: a subscription must
 * not be lost. The event target ignores the replies, so every promise handed out already has a
 * rejection handler (an unhandled rejection would end the process): `onFailure` hears of them.
 */
import type { Redis } from 'ioredis';

export type OrderedCommand = 'publish' | 'subscribe' | 'unsubscribe';

export class DroppedError extends Error {
  override readonly name = 'DroppedError';
}

interface Waiting {
  readonly command: OrderedCommand;
  readonly args: readonly string[];
  readonly bytes: number;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (err: unknown) => void;
}

export interface OrderedCommandsOptions {
  /** Bytes of waiting PUBLISH messages kept while the connection is not ready. */
  readonly maxWaitingBytes: number;
  readonly onFailure: (command: OrderedCommand, err: unknown) => void;
}

export class OrderedCommands {
  private waiting: Waiting[] = [];
  private waitingBytes = 0;
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly opts: OrderedCommandsOptions,
  ) {
    // ioredis emits 'ready' first and then renews subscriptions and resends unanswered commands,
    // synchronously: a microtask later all of that is written, and what waited here follows.
    client.on('ready', () => queueMicrotask(() => this.flush()));
  }

  /** The client as the event target sees it: these three commands go through send(). */
  view(onSubscribe?: (channel: string, reply: Promise<unknown>) => void): Redis {
    return new Proxy(this.client, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop !== 'publish' && prop !== 'subscribe' && prop !== 'unsubscribe') return value.bind(target);
        return (...args: unknown[]) => {
          const reply = this.send(prop, args.map(String));
          if (prop === 'subscribe' && onSubscribe !== undefined) onSubscribe(String(args[0]), reply);
          return reply;
        };
      },
    });
  }

  send(command: OrderedCommand, args: readonly string[]): Promise<unknown> {
    let reply: Promise<unknown>;
    if (this.closed) {
      reply = Promise.reject(new DroppedError(`${command} after close`));
    } else if (this.waiting.length === 0 && this.client.status === 'ready') {
      reply = this.issue(command, args);
    } else {
      reply = new Promise((resolve, reject) => {
        const bytes = command === 'publish' ? args.reduce((n, a) => n + a.length, 0) : 0;
        this.waiting.push({ command, args, bytes, resolve, reject });
        this.waitingBytes += bytes;
        this.trim();
      });
    }
    reply.catch((err: unknown) => this.opts.onFailure(command, err));
    return reply;
  }

  /** PUBLISH messages waiting for the connection. */
  get waitingPublishes(): number {
    return this.waiting.filter((w) => w.command === 'publish').length;
  }

  /** Rejects what still waits (DroppedError); later sends are rejected the same way. */
  close(): void {
    this.closed = true;
    const left = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    for (const w of left) w.reject(new DroppedError(`${w.command} not sent: closed`));
  }

  private issue(command: OrderedCommand, args: readonly string[]): Promise<unknown> {
    switch (command) {
      case 'publish':
        return this.client.publish(args[0]!, args[1]!);
      case 'subscribe':
        return this.client.subscribe(...args);
      case 'unsubscribe':
        return this.client.unsubscribe(...args);
    }
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.client.status === 'ready' && !this.closed) {
      const w = this.waiting.shift()!;
      this.waitingBytes -= w.bytes;
      this.issue(w.command, w.args).then(w.resolve, w.reject);
    }
  }

  /** Drops the oldest waiting PUBLISHes until the rest fit. */
  private trim(): void {
    for (let i = 0; this.waitingBytes > this.opts.maxWaitingBytes && i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (w.command !== 'publish') {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.waitingBytes -= w.bytes;
      w.reject(new DroppedError(`publish dropped: more than ${this.opts.maxWaitingBytes} bytes waited for Redis`));
    }
  }
}
