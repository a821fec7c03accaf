/**
 * Limits on the shape of an operation, so that no single query can exhaust the server: GraphQL
 * Armor for tokens (checked while parsing, so a huge document is dropped before validation),
 * depth, aliases and directives; our list-aware cost (query-cost.ts) for how much data it asks
 * for. Every refusal is a 400 with `extensions.code` QUERY_TOO_COMPLEX and `extensions.limit`
 * naming the limit, over HTTP, SSE and WebSocket alike (all go through the enveloped parse,
 * validate and execute).
 *
 * Armor's own cost limit stays off: it multiplies only by literal `first`/`last` (a variable
 * counts as 1), knows nothing of other lists, and runs in validation, whose results are cached
 * per document, so it could not see variables anyway.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type DocumentNode, type ValidationContext } from 'graphql';
import { createLRUCache, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import { QUERY_COST, QUERY_TOO_COMPLEX, useQueryCost, type QueryCostSettings } from './query-cost.js';

export interface QueryLimits {
  /** Lexical tokens in the document (names, punctuation, values). */
  readonly maxTokens: number;
  /** Nesting of fields (introspection excluded). */
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly cost: QueryCostSettings;
}

export const QUERY_LIMITS: QueryLimits = {
  maxTokens: 3_000,
  maxDepth: 10,
  maxAliases: 25,
  maxDirectives: 20,
  cost: QUERY_COST,
};

export type LimitName = 'tokens' | 'depth' | 'aliases' | 'directives' | 'cost';

function limitError(limit: LimitName, max: number, armorMessage: string): GraphQLError {
  const detail = armorMessage.replace(/^Syntax Error: /, '');
  return new GraphQLError(`query refused: ${detail}`, {
    // A request error in the sense of GraphQL over HTTP: 400 for application/graphql-response+json.
    extensions: { code: QUERY_TOO_COMPLEX, limit, max, http: { status: 400, spec: true } },
  });
}

/**
 * Armor calls its rejection handlers with the validation context (null while parsing). A
 * validation refusal is reported (graphql-js returns it with the other validation errors, a 400);
 * a parse refusal is thrown, which ends parsing at once.
 */
function onReject(limit: LimitName, max: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) => {
        const coded = limitError(limit, max, error.message);
        if (!ctx) throw coded;
        ctx.reportError(coded);
      },
    ],
  };
}

/** One plugin: Armor's parse and validation limits plus the list-aware cost at execution. */
export function useQueryLimits(limits: QueryLimits = QUERY_LIMITS): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        EnvelopArmorPlugin({
          maxTokens: { n: limits.maxTokens, ...onReject('tokens', limits.maxTokens) },
          maxDepth: { n: limits.maxDepth, ...onReject('depth', limits.maxDepth) },
          maxAliases: { n: limits.maxAliases, ...onReject('aliases', limits.maxAliases) },
          maxDirectives: { n: limits.maxDirectives, ...onReject('directives', limits.maxDirectives) },
          costLimit: { enabled: false },
          // Field suggestions are a production-mode concern (production-mode.ts).
          blockFieldSuggestion: { enabled: false },
        }),
      );
      addPlugin(useQueryCost(limits.cost));
    },
  };
}

/** Longest document source Yoga's parse cache keeps (a legitimate operation is a few KB). */
export const MAX_CACHED_SOURCE_CHARS = 16_384;

/**
 * Yoga caches parsed documents and parse errors by their source text, 1,024 of each: unbounded in
 * bytes, so a stream of distinct 20 MB queries (refused or not) would be kept in memory. Larger
 * sources are simply parsed again; the token limit keeps that cheap.
 */
export function boundedParseCache(): NonNullable<YogaServerOptions<object, object>['parserAndValidationCache']> {
  const small = <T extends object>() => {
    const lru = createLRUCache<T>();
    return {
      get: (key: string) => (key.length <= MAX_CACHED_SOURCE_CHARS ? lru.get(key) : undefined),
      set: (key: string, value: T) => {
        if (key.length <= MAX_CACHED_SOURCE_CHARS) lru.set(key, value);
      },
    };
  };
  return { documentCache: small<DocumentNode>(), errorCache: small<object>(), validationCache: true };
}
