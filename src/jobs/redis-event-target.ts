/**
 * Where the pubsubs' events travel: within this process (the default), or through Redis when
 * REDIS_URL is set, so that an event published by one API or worker process reaches the
 * subscribers held by any other. The Redis side is @graphql-yoga/redis-event-target (one ioredis
 * connection publishing, one subscribed), wrapped so that:
 *
 * - channels are `<channelPrefix><topic>` (Yoga's topic is `run:42`): Redis pub/sub is server-wide,
 *   the database number in the URL does not separate it, so deployments sharing a Redis need
 *   different prefixes;
 * - payloads go as exact JSON (exact-json.ts): finite numbers bit for bit, -0, ±Infinity, NaN;
 * - commands go in call order, also across reconnections (ordered-redis-commands.ts);
 * - listeners get messages in arrival order, in batches, so a burst never overflows a
 *   subscription's Repeater (DELIVERY_BATCH);
 * - nothing Redis or another publisher does can throw into ioredis' socket handler or leave a
 *   promise rejection unhandled (either would end the process): failed commands, unreadable
 *   messages and throwing listeners are counted and logged.
 *
 * A lost connection is re-established by ioredis on its own (50 ms, 100 ms, ... at most 2 s apart,
 * forever) and the subscriptions are renewed. While it is away, subscribing waits, and publishing
 * waits up to maxWaitingBytes (then the oldest waiting events are dropped and counted).
 *
 * Delivery through Redis is at most once, in publish order per publishing process. Lost: events
 * published while a subscriber's connection is down, or before its SUBSCRIBE reached Redis (after a
 * restart, those published before the subscriber renewed its subscription: typically a few, see
 * the tests). Twice: an event whose PUBLISH was sent just before the connection dropped and whose
 * reply was lost is resent by ioredis. Consumers that need every event exactly once read them from
 * a durable log by sequence number and use the pubsub only as the live feed; `subscribed(topic)`
 * says when the live feed is on.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { TypedEventListenerOrEventListenerObject, TypedEventTarget } from '@graphql-yoga/typed-event-target';
import { Redis, type RedisOptions } from 'ioredis';
import { pubsubEventTarget } from './event-target.js';
import { exactJson } from './exact-json.js';
import { DroppedError, OrderedCommands } from './ordered-redis-commands.js';
import { parseRedisUrl } from './redis-url.js';

export { RedisUrlError } from './redis-url.js';

export interface EventTransport {
  readonly kind: 'memory' | 'redis';
  /** The eventTarget for createPubSub; one transport can serve several pubsubs whose topics differ (`run`, `sweep`). */
  readonly target: EventTarget;
  /** Resolves once events can flow (Redis: both connections ready); rejects, naming REDIS_URL, after timeoutMs. */
  ready(timeoutMs?: number): Promise<void>;
  /**
   * Resolves once a listener added to `topic` (Yoga's topic: `run:42`) receives what is
   * published from then on, anywhere. In memory at once; through Redis when it confirmed the
   * SUBSCRIBE. Rejects when nothing listens to `topic` here.
   */
  subscribed(topic: string): Promise<void>;
  health(): TransportHealth;
  /** Closes the connections (Redis: QUIT, or disconnect when it is away); later events are dropped. */
  close(): Promise<void>;
}

export interface TransportHealth {
  readonly connected: boolean;
  /** Events not delivered since the start: published while Redis was away too long, or after close(). */
  readonly droppedEvents: number;
  /** Messages that arrived but could not be read (not exact JSON) and were left out. */
  readonly unreadableMessages: number;
}

export interface RedisEventTargetOptions {
  /** Prefix of every channel, default `backtest:`. */
  readonly channelPrefix?: string;
  /** Where connection trouble is reported (default console.error); at most a few lines per outage. */
  readonly log?: (line: string) => void;
  /**
   * Size of the events kept to publish while Redis is away, counted in characters of channel and
   * message (about bytes), default 32 Mi; beyond it the oldest are dropped.
   */
  readonly maxWaitingBytes?: number;
}

const DEFAULT_CHANNEL_PREFIX = 'backtest:';
const MAX_CHANNEL_PREFIX_LENGTH = 200;
const DEFAULT_MAX_WAITING_BYTES = 32 * 1024 * 1024;
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** The transport REDIS_URL asks for: Redis when it is set (and not empty), in memory otherwise. */
export function eventTargetFromEnv(env: NodeJS.ProcessEnv = process.env, opts: RedisEventTargetOptions = {}): EventTransport {
  const url = env.REDIS_URL;
  return url === undefined || url.trim() === '' ? memoryEventTarget() : redisEventTarget(url, opts);
}

/** The in-process target, as before Redis: events reach only this process's subscribers, synchronously. */
export function memoryEventTarget(): EventTransport {
  let closed = false;
  return {
    kind: 'memory',
    target: pubsubEventTarget(),
    ready: () => Promise.resolve(),
    subscribed: () => Promise.resolve(),
    health: () => ({ connected: !closed, droppedEvents: 0, unreadableMessages: 0 }),
    close: async () => {
      closed = true;
    },
  };
}

/** Events through the Redis at `url` (see the file comment); connecting starts at once. */
export function redisEventTarget(url: string, opts: RedisEventTargetOptions = {}): EventTransport {
  const { options, redacted } = parseRedisUrl(url);
  const prefix = opts.channelPrefix ?? DEFAULT_CHANNEL_PREFIX;
  if (prefix.length > MAX_CHANNEL_PREFIX_LENGTH || /[\s*?[\]]/.test(prefix)) {
    throw new RangeError(`channelPrefix: at most ${MAX_CHANNEL_PREFIX_LENGTH} characters, no spaces or glob characters`);
  }
  const maxWaitingBytes = opts.maxWaitingBytes ?? DEFAULT_MAX_WAITING_BYTES;
  if (!(maxWaitingBytes >= 0)) throw new RangeError('maxWaitingBytes: a number >= 0');
  const log = opts.log ?? ((line: string) => console.error(line));
  const counts = { droppedEvents: 0, unreadableMessages: 0 };
  /** Drops not yet reported: one line when they start, one with the number when Redis is back. */
  let unreportedDrops = 0;
  let closing: Promise<void> | null = null;
  const closingNow = () => closing !== null;

  const clientOptions = (connectionName: string): RedisOptions => ({
    ...options,
    connectionName,
    // ioredis' own default, stated: 50 ms more per attempt, at most 2 s, never giving up.
    retryStrategy: (attempt: number) => Math.min(attempt * 50, 2_000),
    autoResubscribe: true,
    // Commands unanswered when a connection drops are resent, not failed: the bound on what
    // waits is OrderedCommands' (only what was in flight reaches ioredis' queues).
    autoResendUnfulfilledCommands: true,
    maxRetriesPerRequest: null,
  });
  const publisher = new Redis(clientOptions('backtest-pub'));
  const subscriber = new Redis(clientOptions('backtest-sub'));
  const lastError = { pub: '', sub: '' };
  watchConnection(publisher, {
    role: 'publishing',
    redacted,
    log,
    closing: closingNow,
    noteError: (m) => (lastError.pub = m),
    onBack: () => {
      if (unreportedDrops > 0) log(`redis ${redacted}: ${unreportedDrops} events were dropped while it was unreachable`);
      unreportedDrops = 0;
    },
  });
  watchConnection(subscriber, { role: 'subscribed', redacted, log, closing: closingNow, noteError: (m) => (lastError.sub = m), onBack: () => {} });

  const publishing = new OrderedCommands(publisher, {
    maxWaitingBytes,
    onFailure: (command, err) => {
      if (command === 'publish') {
        counts.droppedEvents++;
        if (unreportedDrops++ > 0) return;
      }
      if (!closingNow()) log(`redis ${redacted}: ${command} failed: ${messageOf(err)}${err instanceof DroppedError ? ' (further drops are counted)' : ''}`);
    },
  });
  const subscribing = new OrderedCommands(subscriber, {
    maxWaitingBytes: Infinity, // only (UN)SUBSCRIBE: never dropped
    onFailure: (command, err) => {
      // Commands still waiting when close() disconnects fail with "Connection is closed": expected.
      if (!closingNow()) log(`redis ${redacted}: ${command} failed: ${messageOf(err)}`);
    },
  });

  /** channel -> the reply to its latest SUBSCRIBE, while something listens to it. */
  const subscriptions = new Map<string, Promise<unknown>>();
  const inner = createRedisEventTarget<CustomEvent>({
    publishClient: publishing.view(),
    subscribeClient: subscribing.view((channel, reply) => subscriptions.set(channel, reply)),
    serializer: {
      stringify: exactJson.stringify,
      parse(message: string) {
        try {
          return exactJson.parse(message);
        } catch (err) {
          counts.unreadableMessages++;
          if (counts.unreadableMessages === 1) log(`redis ${redacted}: an unreadable message was left out (${messageOf(err)})`);
          return UNREADABLE;
        }
      },
    },
  });
  const target = new PrefixedTarget(inner, prefix, {
    onListenerError: (err) => log(`pubsub listener failed: ${messageOf(err)}`),
    onChannelUnused: (channel) => subscriptions.delete(channel),
  });

  return {
    kind: 'redis',
    target,
    ready(timeoutMs = DEFAULT_READY_TIMEOUT_MS) {
      return waitReady([publisher, subscriber], timeoutMs, () => {
        const why = lastError.pub || lastError.sub || 'no answer';
        return new Error(`REDIS_URL ${redacted}: not reachable after ${timeoutMs} ms (${why})`);
      });
    },
    subscribed(topic) {
      const channel = prefix + topic;
      const reply = target.listens(topic) ? subscriptions.get(channel) : undefined;
      if (reply === undefined) return Promise.reject(new Error(`nothing listens to ${topic}`));
      return reply.then(() => undefined);
    },
    health: () => ({
      connected: publisher.status === 'ready' && subscriber.status === 'ready',
      droppedEvents: counts.droppedEvents + target.droppedAfterClose,
      unreadableMessages: counts.unreadableMessages,
    }),
    close() {
      closing ??= (async () => {
        target.close();
        publishing.close();
        subscribing.close();
        await Promise.all([closeClient(publisher), closeClient(subscriber)]);
      })();
      return closing;
    },
  };
}

/** What the serializer hands the listeners for a message it could not read; they skip it. */
const UNREADABLE = Object.freeze({ unreadable: true });

type Listener = EventListenerOrEventListenerObject;
type InnerTarget = TypedEventTarget<CustomEvent>;

/**
 * Messages handed to listeners per macrotask. ioredis parses a whole socket read at once and
 * Yoga's subscription Repeater refuses more than 1024 values pushed before its consumer pulls:
 * a burst (a reconnection's backlog, a busy moment) would overflow it and lose events. Between
 * batches the consumers' pending pulls (microtasks) run, so an eager consumer never holds more
 * than one batch.
 */
const DELIVERY_BATCH = 256;

interface Delivery {
  readonly topic: string;
  readonly listener: Listener;
  readonly detail: unknown;
}

/**
 * The pubsub's view of the Redis target: topics get the channel prefix; messages reach each
 * listener in arrival order, in batches (DELIVERY_BATCH), as an event of its own topic; a listener
 * may throw without reaching ioredis; unreadable messages are skipped; after close() nothing
 * reaches Redis or the listeners any more.
 */
class PrefixedTarget implements EventTarget {
  /** topic -> the caller's listener -> the one registered with the Redis target. */
  private readonly listeners = new Map<string, Map<Listener, TypedEventListenerOrEventListenerObject<CustomEvent>>>();
  private queue: (Delivery | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private closed = false;
  droppedAfterClose = 0;

  constructor(
    private readonly inner: InnerTarget,
    private readonly prefix: string,
    private readonly hooks: {
      readonly onListenerError: (err: unknown) => void;
      /** The last listener of a channel is gone (the library unsubscribes it). */
      readonly onChannelUnused: (channel: string) => void;
    },
  ) {}

  listens(topic: string): boolean {
    return (this.listeners.get(topic)?.size ?? 0) > 0;
  }

  addEventListener(topic: string, listener: Listener | null): void {
    if (listener === null || this.closed) return;
    let byListener = this.listeners.get(topic);
    if (byListener === undefined) this.listeners.set(topic, (byListener = new Map()));
    if (byListener.has(listener)) return; // as EventTarget: the same listener once
    const receive = (event: CustomEvent) => {
      if (event.detail !== UNREADABLE) this.enqueue({ topic, listener, detail: event.detail });
    };
    byListener.set(listener, receive);
    this.inner.addEventListener(this.prefix + topic, receive);
  }

  removeEventListener(topic: string, listener: Listener | null): void {
    if (listener === null) return;
    const byListener = this.listeners.get(topic);
    const receive = byListener?.get(listener);
    if (byListener === undefined || receive === undefined) return;
    byListener.delete(listener);
    if (!this.closed) this.inner.removeEventListener(this.prefix + topic, receive);
    if (byListener.size === 0) {
      this.listeners.delete(topic);
      this.hooks.onChannelUnused(this.prefix + topic);
    }
  }

  dispatchEvent(event: Event): boolean {
    if (this.closed) {
      this.droppedAfterClose++;
      return false;
    }
    // Serialized here, synchronously: data that is not plain throws to the publisher.
    return this.inner.dispatchEvent(new CustomEvent(this.prefix + event.type, { detail: (event as CustomEvent).detail }));
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const end = Math.min(this.head + DELIVERY_BATCH, this.queue.length);
    while (this.head < end && !this.closed) {
      const { topic, listener, detail } = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      // A listener removed meanwhile gets nothing more, as with EventTarget.
      if (!this.listeners.get(topic)?.has(listener)) continue;
      try {
        const event = new CustomEvent(topic, { detail });
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (err) {
        this.hooks.onListenerError(err);
      }
    }
    if (this.head < this.queue.length) {
      setImmediate(this.drain);
      return;
    }
    this.queue = [];
    this.head = 0;
    this.scheduled = false;
  };
}

interface ConnectionWatch {
  readonly role: string;
  readonly redacted: string;
  readonly log: (line: string) => void;
  /** True once close() began: its own disconnection is not news. */
  readonly closing: () => boolean;
  readonly noteError: (message: string) => void;
  readonly onBack: () => void;
}

/** One line when a connection is lost (not one per failed attempt), one when it is back. */
function watchConnection(client: Redis, w: ConnectionWatch): void {
  let wasReady = false;
  let down = false;
  const lost = (why: string) => {
    if (!down && wasReady && !w.closing()) w.log(`redis ${w.redacted}: the ${w.role} connection is down (${why}); reconnecting`);
    down = true;
  };
  client.on('error', (err: unknown) => {
    w.noteError(messageOf(err));
    lost(messageOf(err));
  });
  client.on('close', () => lost('closed by the server'));
  client.on('ready', () => {
    if (down && wasReady) {
      w.log(`redis ${w.redacted}: the ${w.role} connection is back`);
      w.onBack();
    }
    wasReady = true;
    down = false;
  });
}

function waitReady(clients: readonly Redis[], timeoutMs: number, timeoutError: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (clients.every((c) => c.status === 'ready')) finish(null);
      else if (clients.some((c) => c.status === 'end')) finish(new Error('the connection was closed'));
    };
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      for (const c of clients) {
        c.off('ready', check);
        c.off('end', check);
      }
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(timeoutError()), timeoutMs);
    for (const c of clients) {
      c.on('ready', check);
      c.on('end', check);
    }
    check();
  });
}

/** QUIT when connected (replies still owed arrive first), disconnect otherwise; resolves once no socket or timer is left. */
async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'reconnecting') {
    // No socket, only the retry timer, which disconnect() clears; ioredis then emits no 'end'.
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  if (client.status === 'ready') client.quit().catch(() => client.disconnect());
  else client.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.disconnect();
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  await Promise.race([ended, late]);
  clearTimeout(timer);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
