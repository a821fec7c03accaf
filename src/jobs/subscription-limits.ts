/**
 * How many subscriptions may be open at once: per server (every transport), per connection (a
 * WebSocket carries many) and, as the seam for API keys, per owner. Transport-agnostic bookkeeping:
 * the GraphQL plugin (http/subscription-admission.ts) asks `admit` before a subscription starts and
 * releases the lease when it ends.
 */

export interface SubscriptionCaps {
  /** Open subscriptions on the whole server (MAX_SUBSCRIPTIONS). */
  readonly maxTotal: number;
  /** Open subscriptions on one connection (MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  readonly maxPerConnection: number;
  /**
   * Open subscriptions of one owner (e.g. an API key), or undefined for no owner limit. Asked only
   * for subscriptions that name an owner.
   */
  readonly maxPerOwner?: (owner: string) => number | undefined;
}

/** Who asks: the connection it arrives on (a WebSocket; none for SSE) and its owner (none yet). */
export interface SubscriptionRequester {
  readonly connection?: object;
  readonly owner?: string;
}

export type LimitScope = 'server' | 'connection' | 'owner';

export type AdmissionRefusal = { readonly admitted: false; readonly scope: LimitScope; readonly limit: number };

export type Admission = { readonly admitted: true; readonly lease: SubscriptionLease } | AdmissionRefusal;

/** One admitted subscription's place; `release` is idempotent. */
export interface SubscriptionLease {
  release(): void;
}

export class SubscriptionAdmission {
  private total = 0;
  private readonly byConnection = new WeakMap<object, number>();
  private readonly byOwner = new Map<string, number>();

  constructor(private readonly caps: SubscriptionCaps) {}

  /** Open subscriptions right now. */
  get open(): number {
    return this.total;
  }

  /** Takes a place for one subscription, or says which limit is reached. */
  admit({ connection, owner }: SubscriptionRequester = {}): Admission {
    if (this.total >= this.caps.maxTotal) return refused('server', this.caps.maxTotal);
    if (connection !== undefined && (this.byConnection.get(connection) ?? 0) >= this.caps.maxPerConnection) {
      return refused('connection', this.caps.maxPerConnection);
    }
    const ownerLimit = owner === undefined ? undefined : this.caps.maxPerOwner?.(owner);
    if (owner !== undefined && ownerLimit !== undefined && (this.byOwner.get(owner) ?? 0) >= ownerLimit) return refused('owner', ownerLimit);

    this.total++;
    if (connection !== undefined) this.byConnection.set(connection, (this.byConnection.get(connection) ?? 0) + 1);
    if (owner !== undefined) this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.total--;
      if (connection !== undefined) this.byConnection.set(connection, (this.byConnection.get(connection) ?? 1) - 1);
      if (owner !== undefined) {
        const left = (this.byOwner.get(owner) ?? 1) - 1;
        if (left > 0) this.byOwner.set(owner, left);
        else this.byOwner.delete(owner);
      }
    };
    return { admitted: true, lease: { release } };
  }
}

const refused = (scope: LimitScope, limit: number): AdmissionRefusal => ({ admitted: false, scope, limit });

/** What a refused client reads. */
export function refusalMessage({ scope, limit }: AdmissionRefusal): string {
  switch (scope) {
    case 'server':
      return `too many subscriptions on this server (at most ${limit} at a time): try again later`;
    case 'connection':
      return `too many subscriptions on this WebSocket connection (at most ${limit} at a time): complete one or open another connection`;
    case 'owner':
      return `too many subscriptions for this API key (at most ${limit} at a time): complete one first`;
  }
}
