/** Relay connections over offset pages (fills, orders) with validated arguments. */
import { offsetForArgs, offsetToCursor } from '@pothos/plugin-relay';
import type { Page } from '../data/run-types.js';
import { badField } from './errors.js';

export const DEFAULT_PAGE = 100;
/** Largest page of any connection (documented on `first`/`last` through the builder's relay options). */
export const MAX_PAGE = 2_000;
export const PAGE_SIZE_DESCRIPTION = `Page size, 0 to ${MAX_PAGE}.`;

export interface ConnectionArgs {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

/**
 * The offset of a cursor this server made, or null. Only the canonical form is accepted (the
 * offset re-encodes to the very same cursor), so `1e3`, `-1`, `01`, `1.5`, a huge number, another
 * prefix or anything not base64 is refused instead of being read leniently.
 */
export function strictCursorOffset(cursor: string): number | null {
  if (cursor.length > 40) return null;
  const m = /^OffsetConnection:(0|[1-9]\d{0,14})$/.exec(Buffer.from(cursor, 'base64').toString('latin1'));
  if (!m) return null;
  const offset = Number(m[1]);
  return offsetToCursor(offset) === cursor ? offset : null;
}

/** Refuses what offsetForArgs would otherwise throw as an unexpected error, or silently clamp. */
export function checkConnectionArgs(args: ConnectionArgs): void {
  for (const name of ['first', 'last'] as const) {
    const n = args[name];
    if (n != null && (n < 0 || n > MAX_PAGE)) throw badField(name, `must be between 0 and ${MAX_PAGE}, got ${n}`);
  }
  for (const name of ['after', 'before'] as const) {
    const c = args[name];
    if (c != null && strictCursorOffset(c) === null) throw badField(name, `not a cursor of this connection: ${JSON.stringify(c)}`);
  }
  if (args.last != null && args.before == null && args.first == null) throw badField('last', 'needs before or first');
}

export async function offsetConnection<T, N>(args: ConnectionArgs, fetch: (offset: number, limit: number) => Promise<Page<T>>, node: (item: T) => N) {
  checkConnectionArgs(args);
  const { offset, limit, hasPreviousPage, hasNextPage, expectedSize } = offsetForArgs({
    args: { first: args.first ?? undefined, last: args.last ?? undefined, after: args.after ?? undefined, before: args.before ?? undefined },
    defaultSize: DEFAULT_PAGE,
    maxSize: MAX_PAGE,
  });
  const page = await fetch(offset, limit);
  const items = page.items.slice(0, expectedSize);
  const edges = items.map((item, k) => ({ cursor: offsetToCursor(offset + k), node: node(item) }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: hasNextPage(page.items.length),
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * A newest-first connection paged by id (runs, sweeps): the cursor is the id of the last item, so
 * pages stay stable while new items arrive. Forward paging only.
 */
export async function idCursorConnection<T extends { readonly id: number }>(
  args: ConnectionArgs,
  what: string,
  fetch: (first: number, after: number | null) => Promise<{ items: T[]; totalCount: number; hasNextPage: boolean }>,
) {
  if (args.last != null || args.before != null) throw badField(args.last != null ? 'last' : 'before', `${what} pages forward only: use first and after`);
  checkConnectionArgs({ first: args.first });
  let after: number | null = null;
  if (args.after != null) {
    // Canonical decimal ids only (no sign, exponent or leading zero).
    after = /^(0|[1-9]\d{0,14})$/.test(args.after) ? Number(args.after) : NaN;
    if (!Number.isSafeInteger(after)) throw badField('after', `not a cursor of this connection: ${JSON.stringify(args.after)}`);
  }
  const page = await fetch(Math.min(args.first ?? 20, MAX_PAGE), after);
  const edges = page.items.map((node) => ({ cursor: String(node.id), node }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
