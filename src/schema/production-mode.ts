/**
 * What the service tells about itself. In production (NODE_ENV=production, or buildApp's
 * `exposure` option) GraphiQL, introspection and field suggestions are off unless GRAPHIQL=1 /
 * INTROSPECTION=1 turn them on, and unexpected errors are masked without details. Our own coded
 * errors (BAD_USER_INPUT, NOT_FOUND, QUEUE_FULL, ...) are GraphQLErrors and always stay visible.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';

export interface Exposure {
  readonly production: boolean;
  /** GraphiQL at GET /graphql. */
  readonly graphiql: boolean;
  /** Introspection queries, and with them "Did you mean ...?" suggestions in errors. */
  readonly introspection: boolean;
}

/** Development defaults everything on; production everything off unless enabled. */
export function exposureFor(production: boolean, enable: { graphiql?: boolean; introspection?: boolean } = {}): Exposure {
  return {
    production,
    graphiql: !production || enable.graphiql === true,
    introspection: !production || enable.introspection === true,
  };
}

export function exposureFromEnv(env: NodeJS.ProcessEnv = process.env): Exposure {
  return exposureFor(env.NODE_ENV === 'production', { graphiql: flag(env, 'GRAPHIQL'), introspection: flag(env, 'INTROSPECTION') });
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new Error(`${name} must be 1 or 0, got ${JSON.stringify(raw.slice(0, 40))}`);
}

/** Yoga's maskedErrors: unexpected errors become "Unexpected error." (in production never with details). */
export function maskedErrorsFor(exposure: Exposure): YogaServerOptions<object, object>['maskedErrors'] {
  return exposure.production ? { isDev: false } : true;
}

/**
 * Introspection off and suggestions hidden, as validation plugins: they hold for HTTP and for the
 * graphql-ws path alike. (@graphql-yoga/plugin-disable-introspection decides per HTTP Request in
 * onRequestParse, which graphql-ws operations never pass through, so it would leave them open.)
 */
export function useExposure(exposure: Exposure): Plugin {
  if (exposure.introspection) return {};
  return {
    onPluginInit({ addPlugin }) {
      addPlugin({ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) });
      const off = { enabled: false };
      addPlugin(
        EnvelopArmorPlugin({
          blockFieldSuggestion: { enabled: true, mask: '' },
          maxTokens: off, maxDepth: off, maxAliases: off, maxDirectives: off, costLimit: off,
        }),
      );
    },
  };
}
