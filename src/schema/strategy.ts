/** Strategy and its typed parameter specs: an interface with one type per kind. */
import type { BoolParamSpec, EnumParamSpec, FloatParamSpec, IntParamSpec, ParamSpec } from '../engine/params.js';
import type { AnyStrategy } from '../engine/strategy.js';
import { builder } from './builder.js';

interface NamedSpec<S extends ParamSpec = ParamSpec> {
  readonly name: string;
  readonly spec: S;
}

export const ParamSpecRef = builder.interfaceRef<NamedSpec>('ParamSpec').implement({
  description: 'A strategy parameter: its name, and through the concrete type its default, bounds and choices.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (p) => p.spec.description ?? null }),
  }),
  resolveType: (p) => {
    switch (p.spec.kind) {
      case 'int':
        return 'IntParam';
      case 'float':
        return 'FloatParam';
      case 'bool':
        return 'BoolParam';
      case 'enum':
        return 'EnumParam';
    }
  },
});

builder.objectRef<NamedSpec<IntParamSpec>>('IntParam').implement({
  interfaces: [ParamSpecRef],
  fields: (t) => ({
    default: t.int({ resolve: (p) => p.spec.default }),
    min: t.int({ nullable: true, resolve: (p) => p.spec.min ?? null }),
    max: t.int({ nullable: true, resolve: (p) => p.spec.max ?? null }),
    step: t.int({ nullable: true, resolve: (p) => p.spec.step ?? null }),
  }),
});

builder.objectRef<NamedSpec<FloatParamSpec>>('FloatParam').implement({
  interfaces: [ParamSpecRef],
  fields: (t) => ({
    default: t.float({ resolve: (p) => p.spec.default }),
    min: t.float({ nullable: true, resolve: (p) => p.spec.min ?? null }),
    max: t.float({ nullable: true, resolve: (p) => p.spec.max ?? null }),
    step: t.float({ nullable: true, resolve: (p) => p.spec.step ?? null }),
    minExclusive: t.boolean({ description: 'True when min itself is not allowed (value > min).', resolve: (p) => p.spec.minExclusive === true }),
  }),
});

builder.objectRef<NamedSpec<BoolParamSpec>>('BoolParam').implement({
  interfaces: [ParamSpecRef],
  fields: (t) => ({ default: t.boolean({ resolve: (p) => p.spec.default }) }),
});

builder.objectRef<NamedSpec<EnumParamSpec>>('EnumParam').implement({
  interfaces: [ParamSpecRef],
  fields: (t) => ({
    default: t.string({ resolve: (p) => p.spec.default }),
    choices: t.stringList({ resolve: (p) => [...p.spec.choices] }),
  }),
});

export const StrategyRef = builder.objectRef<AnyStrategy>('Strategy').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    params: t.field({
      type: [ParamSpecRef],
      resolve: (s) => Object.entries(s.params as Record<string, ParamSpec>).map(([name, spec]) => ({ name, spec })),
    }),
  }),
});

/** A stored run may name a strategy whose file is gone; it still needs a Strategy to point to. */
export function strategyOrPlaceholder(strategies: { get(id: string): AnyStrategy | undefined }, id: string): AnyStrategy {
  return (
    strategies.get(id) ?? {
      id,
      title: id,
      description: 'This strategy is not loaded in the server any more.',
      params: {},
      create: () => {
        throw new Error(`strategy ${id} is not loaded`);
      },
    }
  );
}

builder.queryFields((t) => ({
  strategies: t.field({ type: [StrategyRef], resolve: (_root, _args, ctx) => ctx.strategies.list() }),
  strategy: t.field({
    type: StrategyRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.strategies.get(String(args.id)) ?? null,
  }),
}));
