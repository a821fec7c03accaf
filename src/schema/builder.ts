/** The SchemaBuilder with its plugins and the one Types interface; nothing else lives here. */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { StrategyRegistry } from '../engine/strategy-registry.js';
import type { Principal } from '../auth/principal.js';
import type { Storage } from '../data/storage.js';
import type { RunJobs } from '../jobs/run-jobs.js';
import type { SweepManager } from '../jobs/sweep-manager.js';
import { PAGE_SIZE_DESCRIPTION } from './pagination.js';

export interface GraphQLContext {
  readonly storage: Storage;
  readonly jobs: RunJobs;
  readonly sweeps: SweepManager;
  readonly strategies: StrategyRegistry;
  /** Who is calling (src/auth): decides which runs and sweeps exist for this request. */
  readonly principal: Principal;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    /** Epoch ms or Date out; Date in. */
    DateTime: { Input: Date; Output: Date | number };
    /** YYYY-MM-DD, kept as a string end to end. */
    Date: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
  // Output fields are non-null unless they say `nullable: true`, as in CONTRACT.md.
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // No Relay Node interface: our ids are plain, and the contract has no node query.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    firstArgOptions: { description: PAGE_SIZE_DESCRIPTION },
    lastArgOptions: { description: PAGE_SIZE_DESCRIPTION },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
