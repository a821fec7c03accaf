/** GraphQL errors with the codes of CONTRACT.md: BAD_USER_INPUT names the field, NOT_FOUND the id. */
import { GraphQLError } from 'graphql';
import type { FieldError } from '../engine/params.js';

export function badUserInput(errors: readonly FieldError[], prefix = ''): GraphQLError {
  const named = errors.map((e) => ({ field: prefix ? `${prefix}.${e.field}` : e.field, message: e.message }));
  return new GraphQLError(named.map((e) => `${e.field}: ${e.message}`).join('; '), {
    extensions: { code: 'BAD_USER_INPUT', fields: named },
  });
}

export function badField(field: string, message: string): GraphQLError {
  return badUserInput([{ field, message }]);
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`no ${what} with id ${id}`, { extensions: { code: 'NOT_FOUND' } });
}
