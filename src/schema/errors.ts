/**
 * GraphQL errors with the codes of CONTRACT.md: BAD_USER_INPUT names the field, NOT_FOUND the id;
 * and the one rule for how much of a caller's input an error may repeat (clipMessage).
 */
import { GraphQLError } from 'graphql';
import type { FieldError } from '../engine/params.js';
import type { QueueFullError } from '../jobs/admission.js';

/** Longest error message sent back; a message may quote input (a 10 MB string must not return). */
export const MAX_MESSAGE_CHARS = 300;
/** Field errors listed in one BAD_USER_INPUT error; the rest are counted. */
export const MAX_FIELD_ERRORS = 20;

/** Cuts a message to MAX_MESSAGE_CHARS, saying how much was cut. */
export function clipMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  if (message.length <= max) return message;
  return `${message.slice(0, max)}... (${message.length - max} more characters)`;
}

export function badUserInput(errors: readonly FieldError[], prefix = ''): GraphQLError {
  const named = errors.slice(0, MAX_FIELD_ERRORS).map((e) => ({
    field: clipMessage(prefix ? `${prefix}.${e.field}` : e.field, 100),
    message: clipMessage(e.message),
  }));
  const more = errors.length - named.length;
  const text = named.map((e) => `${e.field}: ${e.message}`).join('; ') + (more > 0 ? `; and ${more} more` : '');
  return new GraphQLError(clipMessage(text), { extensions: { code: 'BAD_USER_INPUT', fields: named } });
}

export function badField(field: string, message: string): GraphQLError {
  return badUserInput([{ field, message }]);
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`no ${what} with id ${clipMessage(id, 40)}`, { extensions: { code: 'NOT_FOUND' } });
}

/** A full queue: QUEUE_FULL with the retry hint in extensions.retryAfterMs. */
export function queueFull(e: QueueFullError): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: 'QUEUE_FULL', retryAfterMs: e.retryAfterMs } });
}
