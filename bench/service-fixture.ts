/**
 * A real service for the end-to-end sections: temp database with one symbol of 1,000,000 synthetic
 * minute bars, the real pool (2 workers), HTTP and WebSocket clients on a free port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openStorage } from '../src/data/open-storage.js';
import type { StorageConfig } from '../src/data/storage.js';
import { generateSyntheticBars } from '../src/data/synthetic.js';
import { buildApp, type App } from '../src/server.js';

export const E2E_BARS = 1_000_000;

export interface ServiceFixture {
  readonly built: App;
  readonly url: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  wsClient(): Client;
  close(): Promise<void>;
}

/** `databaseUrl`: on that (empty) Postgres database instead of an SQLite file. */
export async function startService(options: { databaseUrl?: string } = {}): Promise<ServiceFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'backtest-e2e-'));
  const dbPath = join(dir, 'bench.db');
  const config: StorageConfig = options.databaseUrl ? { kind: 'postgres', url: options.databaseUrl } : { kind: 'sqlite', path: dbPath };
  const seed = await openStorage(config);
  await seed.writeBars({ dataset: 'bench', symbol: 'X', period: 'MINUTE', series: generateSyntheticBars({ symbol: 'X', bars: E2E_BARS, period: 'MINUTE', seed: 3 }) });
  await seed.close();
  const built = await buildApp({ port: 0, databasePath: dbPath, databaseUrl: options.databaseUrl, seedDemo: false, workers: 2, strategiesDir: join(dir, 'none'), log: () => {} });
  const { url, port } = await built.start();
  const clients: Client[] = [];
  return {
    built,
    url,
    async gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
      return body.data as T;
    },
    wsClient() {
      const c = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, lazy: false });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await built.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const START_RUN = `mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`;
export const E2E_INPUT = {
  strategy: 'sma-crossover',
  params: { fastPeriod: 20, slowPeriod: 100, quantity: 1 },
  dataset: 'bench',
  symbols: ['X'],
  period: 'MINUTE',
};

/** Starts a run; resolves with its id and the time it reached a final status (stored results included). */
export async function runToEnd(s: ServiceFixture): Promise<{ id: string; finished: Promise<number> }> {
  const { runBacktest } = await s.gql<{ runBacktest: { id: string } }>(START_RUN, { input: E2E_INPUT });
  const job = s.built.jobs.activeRun(Number(runBacktest.id));
  const finished = (job ? job.finished : Promise.resolve()).then(() => performance.now());
  return { id: runBacktest.id, finished };
}

/** Collects a subscription until it completes; resolves with the event count and the time of completion. */
export function drain(client: Client, query: string, id: string): Promise<{ events: number; at: number }> {
  return new Promise((resolve, reject) => {
    let events = 0;
    client.subscribe(
      { query, variables: { id } },
      { next: () => void events++, error: reject, complete: () => resolve({ events, at: performance.now() }) },
    );
  });
}
