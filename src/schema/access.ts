/**
 * The caller's rights applied to GraphQL: a run or sweep the caller may not see does not exist for
 * it (NOT_FOUND, null, left out of lists, not counted); an action its role does not allow is FORBIDDEN.
 */
import { GraphQLError } from 'graphql';
import type { AuthError } from '../auth/authenticator.js';
import { canRun, canSee, isAdmin } from '../auth/principal.js';
import type { GraphQLContext } from './builder.js';

function forbidden(ctx: GraphQLContext, action: string): GraphQLError {
  const role = ctx.principal.kind === 'key' ? ctx.principal.role : 'open';
  return new GraphQLError(`forbidden: the ${role} role cannot ${action}`, { extensions: { code: 'FORBIDDEN' } });
}

/** Starting, cancelling and deleting runs and sweeps. */
export function requireRunRole(ctx: GraphQLContext, action: string): void {
  if (!canRun(ctx.principal)) throw forbidden(ctx, action);
}

/** Changing shared data (datasets). */
export function requireAdmin(ctx: GraphQLContext, action: string): void {
  if (!isAdmin(ctx.principal)) throw forbidden(ctx, action);
}

/** The record if the caller may see it, else null (as if it did not exist). */
export function visible<T extends { readonly ownerKeyId: number | null }>(ctx: GraphQLContext, record: T | null): T | null {
  return record !== null && canSee(ctx.principal, record.ownerKeyId) ? record : null;
}

/** A refused credential as GraphQL answers it: 401 or 429 over HTTP, with the retry hint. */
export function authErrorToGraphQL(e: AuthError): GraphQLError {
  const f = e.failure;
  if (f.kind === 'rate-limited') {
    return new GraphQLError(f.message, {
      extensions: { code: 'RATE_LIMITED', retryAfterMs: f.retryAfterMs, http: { status: 429, headers: { 'retry-after': String(Math.ceil(f.retryAfterMs / 1000)) } } },
    });
  }
  return new GraphQLError(f.message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } } });
}

/** Where a request carries its key: graphql-ws connectionParams, else the Authorization header (HTTP, SSE, or the WebSocket upgrade). */
export function credentialOf(initial: {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly request?: { readonly headers: { get(name: string): string | null } };
  readonly req?: { readonly headers: Readonly<Record<string, string | string[] | undefined>> };
}): unknown {
  const params = initial.connectionParams;
  return params?.authorization ?? params?.Authorization ?? params?.apiKey ?? initial.request?.headers.get('authorization') ?? initial.req?.headers.authorization ?? undefined;
}
