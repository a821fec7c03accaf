/**
 * graphql-ws closes the whole socket (4500, every subscription on it) when its onSubscribe hook
 * throws. Parsing throws for any syntax error and for Armor's token limit, so such an error is
 * handed back as the operation's result instead: the client gets an `error` message for that one
 * operation, exactly like a validation error, and the connection stays up.
 */
import { GraphQLError } from 'graphql';

export function thrownGraphQLErrorsAsResult<A extends unknown[], R>(onSubscribe: (...args: A) => Promise<R>): (...args: A) => Promise<R | GraphQLError[]> {
  return async (...args: A) => {
    try {
      return await onSubscribe(...args);
    } catch (e) {
      if (e instanceof GraphQLError) return [e];
      throw e;
    }
  };
}
