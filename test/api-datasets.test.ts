/**
 * deleteDataset and renameDataset through GraphQL on a real server: refused while a run uses the
 * dataset, finished runs stay readable afterwards, names validated, admin only once keys exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGql, startServer, waitFor, type TestServer } from './support/test-server.js';

const codeOf = (r: { errors?: readonly { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

describe('dataset administration over GraphQL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('renames a dataset (id unchanged), refusing empty, duplicate and unknown ones', async () => {
    const ok = await server.gql(`mutation { renameDataset(id: "demo", name: "S&P 500 daily") { id name instruments { symbol } } }`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.renameDataset).toEqual({ id: 'demo', name: 'S&P 500 daily', instruments: [{ symbol: 'SPX' }] });
    const empty = await server.gql(`mutation { renameDataset(id: "demo", name: "  ") { id } }`);
    expect(codeOf(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors![0]!.message).toMatch(/^name: .*empty/);
    const clash = await server.gql(`mutation { renameDataset(id: "synthetic", name: "s&p 500 DAILY") { id } }`);
    expect(codeOf(clash)).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.gql(`mutation { renameDataset(id: "nope", name: "x") { id } }`))).toBe('NOT_FOUND');
    const listed = await server.gqlOk<{ datasets: { id: string; name: string }[] }>('{ datasets { id name } }');
    expect(listed.datasets.find((d) => d.id === 'demo')?.name).toBe('S&P 500 daily');
  });

  it('refuses to delete a dataset while a run on it is active; deletes it afterwards, keeping finished runs readable', async () => {
    const { runBacktest } = await server.gqlOk<{ runBacktest: { id: string } }>(`mutation { runBacktest(input: {
      strategy: "sma-crossover", params: { fastPeriod: 2, slowPeriod: 3, quantity: 1 }, dataset: "synthetic", symbols: ["AAA", "BBB", "CCC", "DDD"], period: MINUTE
    }) { id } }`);
    const busy = await server.gql(`mutation { deleteDataset(id: "synthetic") { id } }`);
    expect(codeOf(busy)).toBe('BAD_USER_INPUT');
    expect(busy.errors![0]!.message).toContain(`in use by run ${runBacktest.id}`);
    await server.gqlOk(`mutation { cancelBacktest(id: "${runBacktest.id}") { id } }`);
    await waitFor(async () => (await server.gqlOk(`{ run(id: "${runBacktest.id}") { status } }`)).run.status === 'CANCELLED');

    const deleted = await server.gql(`mutation { deleteDataset(id: "synthetic") { id name instruments bars } }`);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteDataset).toEqual({ id: 'synthetic', name: expect.any(String), instruments: 4, bars: 4 * 250_000 });
    const after = await server.gqlOk(`{ datasets { id } run(id: "${runBacktest.id}") { status fills(first: 1) { totalCount } } }`);
    expect(after.datasets.map((d: { id: string }) => d.id)).toEqual(['demo', 'synthetic-daily']);
    expect(after.run.status).toBe('CANCELLED');
    expect(codeOf(await server.gql(`mutation { deleteDataset(id: "synthetic") { id } }`))).toBe('NOT_FOUND');
  });

  it('only an admin key may change datasets once keys exist', async () => {
    const runKey = (await server.app.storage.createApiKey('quant', 'run')).secret;
    const admin = (await server.app.storage.createApiKey('ops', 'admin')).secret;
    const rename = `mutation { renameDataset(id: "demo", name: "SPX") { name } }`;
    expect(codeOf(await postGql(server.url, rename, undefined, { authorization: `Bearer ${runKey}` }))).toBe('FORBIDDEN');
    expect((await postGql(server.url, rename, undefined, { authorization: `Bearer ${admin}` })).data).toEqual({ renameDataset: { name: 'SPX' } });
  });
});
