/**
 * Who is calling, and what that allows. Without keys (open mode, loopback only) the caller has every
 * right and owns nothing; with keys, `admin` sees and does everything, `run` starts runs and sweeps
 * and sees, cancels and deletes only its own, `read` reads strategies, datasets and bars (and its own
 * runs, which it cannot start: none) and changes nothing.
 */
import type { ApiKeyRole } from '../data/api-key-store.js';

export type Principal =
  | { readonly kind: 'open' }
  | { readonly kind: 'key'; readonly keyId: number; readonly name: string; readonly role: ApiKeyRole };

export const OPEN: Principal = { kind: 'open' };

export const isAdmin = (p: Principal): boolean => p.kind === 'open' || p.role === 'admin';

/** May start, cancel and delete runs and sweeps (its own, or any for an admin). */
export const canRun = (p: Principal): boolean => p.kind === 'open' || p.role !== 'read';

/** Whether a run or sweep with this owner exists for the caller. */
export const canSee = (p: Principal, ownerKeyId: number | null): boolean => isAdmin(p) || (p.kind === 'key' && ownerKeyId === p.keyId);

/** The owner filter for listing: undefined = everything. */
export const ownerFilter = (p: Principal): number | undefined => (isAdmin(p) || p.kind !== 'key' ? undefined : p.keyId);

/** The owner recorded on a new run or sweep. */
export const ownerOf = (p: Principal): number | null => (p.kind === 'key' ? p.keyId : null);

/** Whose subscriptions these are, for the per-key limit; open mode has no owner. */
export const subscriptionOwner = (p: Principal | undefined): string | undefined => (p?.kind === 'key' ? bucketOf(p) : undefined);

/** The rate-limit bucket of this caller. */
export const bucketOf = (p: Principal): string => (p.kind === 'key' ? `key:${p.keyId}` : 'open');
