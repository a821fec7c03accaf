/** schema.graphql is generated from the code (`npm run schema`); this fails when they drift apart. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaFile, SCHEMA_FILE } from '../src/schema/print.js';

describe('schema.graphql', () => {
  it('matches the schema built from the code', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printSchemaFile());
  });

  it('has every name of CONTRACT.md', () => {
    const sdl = printSchemaFile();
    for (const name of [
      'scalar DateTime', 'scalar Date', 'scalar JSONObject', 'enum BarPeriod', 'enum RunStatus', 'enum Side', 'enum OrderType', 'enum OrderStatus',
      'interface ParamSpec', 'type IntParam implements ParamSpec', 'type FloatParam implements ParamSpec', 'type BoolParam implements ParamSpec',
      'type EnumParam implements ParamSpec', 'type Strategy', 'type Dataset', 'type Instrument', 'type Coverage', 'input CommissionInput',
      'input RunBacktestInput', 'type BacktestRun', 'type Fill', 'type Order', 'type EquityPoint', 'type RoundTrip', 'type RunMetrics',
      'type RunStatusEvent', 'type BacktestRunConnection', 'type FillConnection', 'type OrderConnection',
      'runBacktest(input: RunBacktestInput!): BacktestRun!', 'cancelBacktest(id: ID!): BacktestRun!', 'deleteRuns(ids: [ID!]!): Int!',
      'runStatus(id: ID!): RunStatusEvent!', 'runFills(id: ID!): Fill!', 'runEquity(id: ID!): EquityPoint!',
      'equityCurve(maxPoints: Int): [EquityPoint!]!', 'metrics: RunMetrics', 'params: JSONObject!',
    ]) {
      expect(sdl, name).toContain(name);
    }
  });
});
