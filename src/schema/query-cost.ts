/**
 * The cost of an operation weighed by the lists it asks for: every field counts once per item its
 * enclosing lists may hold. A connection counts `first` (or `last`) items, `equityCurve` its
 * `maxPoints`, other lists an estimate. Checked at execution, where the variables are known:
 * validation results are cached per document, so a check there could not see `first: $n`.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE } from './pagination.js';

export interface QueryCostSettings {
  /** Largest cost accepted. */
  readonly maxCost: number;
  /** Items assumed for a list without a size argument (datasets, instruments, params, ...). */
  readonly defaultListSize: number;
  /** Items assumed for a time series (equityCurve): maxPoints, at most this; all points count as this many. */
  readonly seriesSize: number;
  /** Items assumed for lists known to be long, by `Type.field`. */
  readonly longLists: Readonly<Record<string, number>>;
}

export const QUERY_COST: QueryCostSettings = {
  maxCost: 50_000,
  defaultListSize: 10,
  seriesSize: 10_000,
  // One entry per round trip, like roundTrips.
  longLists: { 'BacktestRun.roundTrips': 1_000, 'RunAnalytics.excursions': 1_000 },
};

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/** Thrown inside the walk as soon as the running total passes the limit (bounds the work too). */
class CostExceeded extends Error {}

/**
 * The cost of the selected operation, or `Infinity` once it exceeds `settings.maxCost`. Every list
 * multiplier is at least 1, so each visited field adds at least 1 and the walk stops after about
 * maxCost steps, however the fragments nest.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  settings: QueryCostSettings = QUERY_COST,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && (operationName == null || d.name?.value === operationName)) operation ??= d;
  }
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  const op = operation;
  let total = 0;
  const intArg = (value: ValueNode | undefined): number | null => {
    if (!value) return null;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      const given = variables?.[name];
      if (typeof given === 'number') return given;
      const fallback = op.variableDefinitions?.find((v) => v.variable.name.value === name)?.defaultValue;
      return fallback?.kind === Kind.INT ? Number(fallback.value) : null;
    }
    return null;
  };
  const argValue = (node: { arguments?: readonly { name: { value: string }; value: ValueNode }[] }, name: string) =>
    intArg(node.arguments?.find((a) => a.name.value === name)?.value);
  const atLeastOne = (n: number) => (Number.isFinite(n) && n >= 1 ? n : 1);

  const walk = (set: SelectionSetNode, type: GraphQLNamedType, multiplier: number, pageSize: number): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        walk(sel.selectionSet, t ?? type, multiplier, pageSize);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f) walk(f.selectionSet, schema.getType(f.typeCondition.name.value) ?? type, multiplier, pageSize);
        continue;
      }
      const name = sel.name.value;
      // Introspection is bounded by the schema itself; Armor's depth limit skips it as well.
      if (name.startsWith('__')) continue;
      total += multiplier;
      if (total > settings.maxCost) throw new CostExceeded();
      if (!sel.selectionSet) continue;
      const field = fieldOf(type, name);
      if (!field) continue;
      const child = getNamedType(field.type);
      if (field.args.some((a) => a.name === 'first' || a.name === 'last')) {
        // A connection: its `edges` list holds one page.
        const size = argValue(sel, 'first') ?? argValue(sel, 'last') ?? DEFAULT_PAGE;
        walk(sel.selectionSet, child, multiplier, atLeastOne(size));
      } else if (isListType(getNullableType(field.type))) {
        walk(sel.selectionSet, child, multiplier * listSize(type, field, sel, pageSize), 1);
      } else {
        walk(sel.selectionSet, child, multiplier, 1);
      }
    }
  };
  const listSize = (parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>, node: Parameters<typeof argValue>[0], pageSize: number): number => {
    if (field.name === 'edges' && parent.name.endsWith('Connection')) return pageSize;
    const maxPoints = field.args.find((a) => a.name === 'maxPoints');
    // An omitted maxPoints counts as its schema default when it has one (Instrument.bars: 1000).
    if (maxPoints) return Math.min(atLeastOne(argValue(node, 'maxPoints') ?? (typeof maxPoints.defaultValue === 'number' ? maxPoints.defaultValue : settings.seriesSize)), settings.seriesSize);
    return settings.longLists[`${parent.name}.${field.name}`] ?? settings.defaultListSize;
  };

  try {
    walk(operation.selectionSet, root, 1, 1);
  } catch (e) {
    if (e instanceof CostExceeded) return Infinity;
    throw e;
  }
  return total;
}

function fieldOf(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  // A union has no fields of its own, only fragments.
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

export function queryTooComplex(maxCost: number): GraphQLError {
  return new GraphQLError(
    `query too complex: its estimated cost (fields times the items of the lists around them) exceeds ${maxCost}; ask for fewer items (first, maxPoints) or fewer fields`,
    { extensions: { code: QUERY_TOO_COMPLEX, limit: 'cost', max: maxCost, http: { status: 400, spec: true } } },
  );
}

/** Refuses an operation whose cost exceeds the limit, over HTTP, SSE and WebSocket alike. */
export function useQueryCost(settings: QueryCostSettings = QUERY_COST): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Readonly<Record<string, unknown>> | null }) =>
    operationCost(args.schema, args.document, args.operationName, args.variableValues, settings) > settings.maxCost;
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      if (check(args)) setResultAndStopExecution({ errors: [queryTooComplex(settings.maxCost)] });
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      if (check(args)) setResultAndStopExecution({ errors: [queryTooComplex(settings.maxCost)] });
    },
  };
}
