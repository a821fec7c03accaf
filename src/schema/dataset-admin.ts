/** deleteDataset and renameDataset: admin-only changes to shared market data (src/data/dataset-admin.ts). */
import { GraphQLError } from 'graphql';
import { DatasetAdminError, MAX_DATASET_NAME_CHARS, type DeletedDataset } from '../data/dataset-admin.js';
import { requireAdmin } from './access.js';
import { builder } from './builder.js';
import { DatasetRef } from './dataset.js';
import { badField, notFound } from './errors.js';

const DeletedDatasetRef = builder.objectRef<DeletedDataset>('DeletedDataset').implement({
  description: 'What deleteDataset removed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    instruments: t.exposeInt('instruments'),
    bars: t.exposeInt('bars', { description: 'Bars removed, all periods together.' }),
  }),
});

function asGraphQLError(e: unknown): unknown {
  if (!(e instanceof DatasetAdminError)) return e;
  const p = e.problem;
  if (p.kind === 'not-found') return notFound('dataset', p.id);
  return badField(e.field, e.message) as GraphQLError;
}

builder.mutationFields((t) => ({
  deleteDataset: t.field({
    type: DeletedDatasetRef,
    description:
      'Admin only. Deletes a dataset with its instruments and bars; refused (BAD_USER_INPUT on id) while a run or sweep on it is QUEUED or RUNNING. ' +
      'Finished runs that used it stay readable.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAdmin(ctx, 'delete datasets');
      try {
        return await ctx.storage.deleteDataset(String(args.id));
      } catch (e) {
        throw asGraphQLError(e);
      }
    },
  }),
  renameDataset: t.field({
    type: DatasetRef,
    description: `Admin only. Sets a dataset's display name (1-${MAX_DATASET_NAME_CHARS} characters, unique ignoring case); its id, which runs refer to, stays.`,
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAdmin(ctx, 'rename datasets');
      try {
        const renamed = await ctx.storage.renameDataset(String(args.id), args.name);
        return (await ctx.storage.listDatasets()).find((d) => d.id === renamed.id)!;
      } catch (e) {
        throw asGraphQLError(e);
      }
    },
  }),
}));
