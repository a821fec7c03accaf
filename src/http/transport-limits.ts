/**
 * The service's limits on what clients send and on how much they may keep it sending, read from the
 * environment (documented in the README's table of variables).
 */

export interface TransportLimits {
  /** Largest HTTP request body and largest WebSocket message, bytes (MAX_REQUEST_BYTES). */
  readonly maxRequestBytes: number;
  /** Open subscriptions on the server, every transport (MAX_SUBSCRIPTIONS). */
  readonly maxSubscriptions: number;
  /** Open subscriptions on one WebSocket connection (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  readonly maxSubscriptionsPerConnection: number;
  /** Open subscriptions of one API key, every transport and connection together (MAX_SUBSCRIPTIONS_PER_KEY). */
  readonly maxSubscriptionsPerKey: number;
  /**
   * Bytes a subscriber's connection may hold unsent (SUBSCRIBER_MAX_BUFFER_BYTES): above it the
   * connection is closed. (Streams already wait for the socket to drain above 64 KB.)
   */
  readonly maxSendBufferBytes: number;
  /** A subscriber that accepts no data for this long while some waits for it is closed (SUBSCRIBER_STALL_MS). */
  readonly stallMs: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxRequestBytes: 1_048_576,
  maxSubscriptions: 2_000,
  maxSubscriptionsPerConnection: 20,
  maxSubscriptionsPerKey: 200,
  maxSendBufferBytes: 16_777_216,
  stallMs: 15_000,
};

/** Close code and reason for a subscriber that does not keep up (1013: try again later; clients may reconnect). */
export const SLOW_SUBSCRIBER_CLOSE = { code: 1013, reason: 'subscriber too slow: resubscribe' } as const;

const ENV_NAMES: Record<keyof TransportLimits, string> = {
  maxRequestBytes: 'MAX_REQUEST_BYTES',
  maxSubscriptions: 'MAX_SUBSCRIPTIONS',
  maxSubscriptionsPerConnection: 'MAX_SUBSCRIPTIONS_PER_CONNECTION',
  maxSubscriptionsPerKey: 'MAX_SUBSCRIPTIONS_PER_KEY',
  maxSendBufferBytes: 'SUBSCRIBER_MAX_BUFFER_BYTES',
  stallMs: 'SUBSCRIBER_STALL_MS',
};

/** Lower bounds that keep the service usable (a 1 KB request limit would refuse ordinary queries). */
const MINIMUM: Record<keyof TransportLimits, number> = {
  maxRequestBytes: 16_384,
  maxSubscriptions: 1,
  maxSubscriptionsPerConnection: 1,
  maxSubscriptionsPerKey: 1,
  maxSendBufferBytes: 65_536,
  stallMs: 500,
};

export function transportLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): TransportLimits {
  const out = { ...DEFAULT_TRANSPORT_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as (keyof TransportLimits)[]) {
    const name = ENV_NAMES[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < MINIMUM[key]) {
      throw new Error(`${name} must be an integer of at least ${MINIMUM[key]}, got ${JSON.stringify(raw.slice(0, 40))}`);
    }
    out[key] = n;
  }
  return out;
}
