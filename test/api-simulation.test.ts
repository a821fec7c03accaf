/**
 * Issue 11 through the service: a real server over HTTP with the real pool and SQLite file. The
 * account and risk limits of the run input reach the engine (the first complaint of the issue: a
 * 1,000-unit buy-and-hold on $100,000 is now REJECTED naming the numbers), bad values are
 * BAD_USER_INPUT naming the field with nothing stored, the drawdown halt and the rebalance on the
 * synthetic daily portfolio run end to end, and Order shows the new types and fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, waitFor, type TestServer } from './support/test-server.js';

const RUN = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`;
const RESULT = `query($id: ID!) { run(id: $id) {
  status error metrics { finalEquity maxDrawdown }
  orders(first: 500) { totalCount edges { node { id type side quantity status reason tag filledQuantity parentId ocoGroup trailAmount trailPercent } } }
  equityCurve { cash equity }
} }`;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function finished(input: Record<string, unknown>) {
  const { runBacktest } = await server.gqlOk(RUN, { input });
  return waitFor(
    async () => {
      const d = await server.gqlOk(RESULT, { id: runBacktest.id });
      return d.run.status === 'COMPLETED' || d.run.status === 'FAILED' ? d.run : null;
    },
    { timeoutMs: 60_000 },
  );
}

const SPX = { dataset: 'demo', symbols: ['SPX'], period: 'DAY' };

describe('account and risk in the run input', () => {
  it('buy-and-hold of 1,000 SPX on $100,000 is rejected at submission by the default MARGIN account, naming the numbers', async () => {
    const run = await finished({ ...SPX, strategy: 'buy-and-hold', params: { quantity: 1000 } });
    expect(run.status).toBe('COMPLETED');
    const [order] = run.orders.edges.map((e: any) => e.node);
    expect(order).toMatchObject({ status: 'REJECTED', type: 'MARKET', quantity: 1000, filledQuantity: 0, parentId: null, ocoGroup: null, trailAmount: null });
    // the first close of the demo data is 1455.219971: 1000 × 1455.219971 > 1 × 100,000
    expect(order.reason).toBe('buying power (MARGIN, leverage 1): gross exposure after the order 1455219.971 would exceed 1 × equity 100000 = 100000');
    expect(run.metrics.finalEquity).toBe(100_000);
    expect(Math.min(...run.equityCurve.map((p: any) => p.cash))).toBe(100_000);
  });

  it('a risk limit rejects naming the limit; leverage lets more through', async () => {
    const limited = await finished({ ...SPX, strategy: 'buy-and-hold', params: { quantity: 10 }, risk: { maxOrderNotional: 10_000 } });
    expect(limited.orders.edges[0].node.reason).toMatch(/^risk limit maxOrderNotional 10000: order notional 14552.19971 \(10 × 1455.219971\) exceeds it$/);
    const levered = await finished({ ...SPX, strategy: 'buy-and-hold', params: { quantity: 100 }, account: { type: 'MARGIN', leverage: 2 } });
    expect(levered.orders.edges[0].node).toMatchObject({ status: 'FILLED', filledQuantity: 100 });
  });

  it('the drawdown halt closes the position at market (tag risk-halt) and the run completes', async () => {
    const run = await finished({ ...SPX, strategy: 'buy-and-hold', params: { quantity: 1, equityPct: 95 }, risk: { maxDrawdownPct: 20 } });
    expect(run.status).toBe('COMPLETED');
    const orders = run.orders.edges.map((e: any) => e.node);
    expect(orders[0]).toMatchObject({ status: 'FILLED', side: 'BUY' });
    const halt = orders.find((o: any) => o.tag === 'risk-halt');
    expect(halt).toMatchObject({ type: 'MARKET', side: 'SELL', status: 'FILLED', filledQuantity: orders[0].filledQuantity });
    expect(halt.reason).toMatch(/^risk limit maxDrawdownPct 20: drawdown 2\d\.\d+ % \(equity \d+(\.\d+)?, peak \d+(\.\d+)?\); positions closed, trading stopped$/);
    // after the halt nothing is held: the last equity point is all cash
    const last = run.equityCurve.at(-1);
    expect(last.equity).toBe(last.cash);
    // the halt came at a drawdown of at least 20 % (the fill at the next open may be lower still)
    expect(run.metrics.maxDrawdown).toBeGreaterThanOrEqual(0.2);
  });

  it('rebalance 60/40 on the synthetic daily portfolio in a CASH account never goes below zero cash', async () => {
    const run = await finished({ strategy: 'rebalance', dataset: 'synthetic-daily', symbols: ['EQUITY', 'BONDS'], period: 'DAY', account: { type: 'CASH' }, commission: { perUnit: 0.005, minimumPerOrder: 1 } });
    expect(run.status).toBe('COMPLETED');
    expect(run.orders.totalCount).toBeGreaterThan(100);
    expect(Math.min(...run.equityCurve.map((p: any) => p.cash))).toBeGreaterThanOrEqual(0);
    expect(run.orders.edges.every((e: any) => e.node.reason === null)).toBe(true);
  });

  it('bad account and risk values are BAD_USER_INPUT naming the field; nothing is stored', async () => {
    const count = async () => (await server.gqlOk(`{ runs(first: 1000) { totalCount } }`)).runs.totalCount;
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ account: { type: 'CASH', leverage: 2 } }, 'input.account.leverage: a CASH account has no leverage: must be 1, got 2'],
      [{ account: { leverage: 1000 } }, 'input.account.leverage: must be a number from 1 to 100, got 1000'],
      [{ account: { leverage: 0.5 } }, 'input.account.leverage: must be a number from 1 to 100, got 0.5'],
      [{ risk: { maxDrawdownPct: 150 } }, 'input.risk.maxDrawdownPct: must be a number > 0 and <= 100, got 150'],
      [{ risk: { maxPositionPct: 0 } }, 'input.risk.maxPositionPct: must be a number > 0 and <= 10000, got 0'],
      [{ risk: { maxOrderNotional: -1 } }, 'input.risk.maxOrderNotional: must be a number > 0 and <= 1e12, got -1'],
    ];
    for (const [patch, message] of cases) {
      const r = await server.gql(RUN, { input: { ...SPX, strategy: 'buy-and-hold', ...patch } });
      expect(r.errors?.[0]?.extensions?.code, message).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toBe(message);
    }
    const wrongType = await server.gql(RUN, { input: { ...SPX, strategy: 'buy-and-hold', account: { type: 'PAPER' } } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count()).toBe(before);
  });

  it('the schema has the new order types and the account and risk inputs, with their ranges', async () => {
    const d = await server.gqlOk(`{
      orderType: __type(name: "OrderType") { enumValues { name } }
      account: __type(name: "AccountInput") { inputFields { name description } }
      risk: __type(name: "RiskLimitsInput") { inputFields { name description } }
    }`);
    expect(d.orderType.enumValues.map((v: any) => v.name)).toContain('TRAILING_STOP');
    expect(d.account.inputFields.find((f: any) => f.name === 'leverage').description).toContain('from 1 to 100');
    expect(d.risk.inputFields.map((f: any) => f.name).sort()).toEqual(['maxDrawdownPct', 'maxGrossExposurePct', 'maxOrderNotional', 'maxPositionPct']);
  });
});
