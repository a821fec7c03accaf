/**
 * graphql-js reports variables of the wrong type ('Variable "$input" got invalid value ...') without
 * an error code. They are the caller's mistake like any other bad input: give them BAD_USER_INPUT.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const VARIABLE_ERROR = /^Variable "\$[^"]+" (got invalid value|of required type|of non-null type)/;

function withCodes(result: ExecutionResult): ExecutionResult | null {
  if (!result.errors?.some((e) => VARIABLE_ERROR.test(e.message) && e.extensions?.code === undefined)) return null;
  return {
    ...result,
    errors: result.errors.map((e) =>
      VARIABLE_ERROR.test(e.message) && e.extensions?.code === undefined
        ? new GraphQLError(e.message, { nodes: e.nodes, originalError: e.originalError, extensions: { ...e.extensions, code: 'BAD_USER_INPUT' } })
        : e,
    ),
  };
}

const isResult = (r: unknown): r is ExecutionResult => typeof r === 'object' && r !== null && !(Symbol.asyncIterator in r);

export function useBadVariablesAsUserInput(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!isResult(result)) return;
        const coded = withCodes(result);
        if (coded) setResult(coded);
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isResult(result)) return;
        const coded = withCodes(result);
        if (coded) setResult(coded);
      },
    }),
  };
}
