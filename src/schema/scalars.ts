/** Scalars from graphql-scalars, under the names of CONTRACT.md. */
import { GraphQLError } from 'graphql';
import { DateTimeISOResolver, JSONObjectResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from './builder.js';

/**
 * Recent epoch-ms times as ISO strings: a live fill's time is serialised once per subscriber, and
 * toISOString costs microseconds. Bounded: emptied when full.
 */
const isoTimes = new Map<number, string>();
const ISO_TIMES_KEPT = 100_000;
function isoOf(ms: number): string {
  let iso = isoTimes.get(ms);
  if (iso === undefined) {
    if (isoTimes.size >= ISO_TIMES_KEPT) isoTimes.clear();
    iso = new Date(ms).toISOString();
    isoTimes.set(ms, iso);
  }
  return iso;
}

builder.addScalarType('DateTime', DateTimeISOResolver, {
  // Domain times are epoch ms: format them directly (every fill's time is serialised once per
  // subscriber, so this path is hot). (Pothos types a serializer's result as the scalar's Output.)
  serialize: (value) => (typeof value === 'number' ? isoOf(value) : DateTimeISOResolver.serialize(value)) as unknown as Date,
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
