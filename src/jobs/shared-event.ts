/**
 * The mark of a subscription event whose every field depends on the event alone, never on the
 * subscriber (its context, its key): subscribers with the same document and variables may then share
 * one execution of it (schema/compiled-subscriptions-plugin.ts). runUpdates hands the very same
 * update object to every subscriber that keeps up with a run.
 */
export const SHARED_EVENT: unique symbol = Symbol('shared subscription event');

export type SharedEvent<T extends object> = T & { readonly [SHARED_EVENT]: true };

export function shared<T extends object>(event: T): SharedEvent<T> {
  return Object.assign(event, { [SHARED_EVENT]: true as const });
}
