/** Scalars from graphql-scalars, under the names of CONTRACT.md. */
import { GraphQLError } from 'graphql';
import { DateTimeISOResolver, JSONObjectResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeISOResolver, {
  // Domain times are epoch ms numbers; serialise them as ISO-8601 like Dates.
  // (Pothos types a serializer's result as the scalar's Output; on the wire it is the ISO string.)
  serialize: (value) => DateTimeISOResolver.serialize(typeof value === 'number' ? new Date(value) : value) as unknown as Date,
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
