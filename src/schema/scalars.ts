/** Scalars from graphql-scalars, under the names of CONTRACT.md. */
import { GraphQLError } from 'graphql';
import { DateTimeISOResolver, JSONObjectResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeISOResolver, {
  // Domain times are epoch ms numbers; serialise them as ISO-8601 like Dates.
  // Domain times are epoch ms: format them directly (every fill's time is serialised once per
  // subscriber, so this path is hot). (Pothos types a serializer's result as the scalar's Output.)
  serialize: (value) => (typeof value === 'number' ? new Date(value).toISOString() : DateTimeISOResolver.serialize(value)) as unknown as Date,
});

/** A malformed date is the caller's mistake: BAD_USER_INPUT, like every other bad input. */
const asUserError = <T>(parse: () => T): T => {
  try {
    return parse();
  } catch (e) {
    throw new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
};

builder.addScalarType('Date', LocalDateResolver, {
  description: 'A calendar day, YYYY-MM-DD (UTC).',
  parseValue: (value) => asUserError(() => LocalDateResolver.parseValue(value) as string),
  parseLiteral: (ast) => asUserError(() => LocalDateResolver.parseLiteral(ast, {}) as string),
});

builder.addScalarType('JSONObject', JSONObjectResolver, {});
