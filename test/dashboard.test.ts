/**
 * The web dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * server: the reference run started from the form (progress to 100 %, its 18 fills, its final
 * equity), a bad parameter answered next to its field with the server's own message, a long run
 * cancelled, a sweep's heatmap, the run list and comparison, and API-key errors. Each page is
 * screenshotted into .tmp/dashboard-screenshots/ (ignored by git) for a person to look at.
 *
 * Without /usr/bin/chromium the suite is skipped locally, and FAILS under CI=true (.ci/run
 * installs the browser): a missing browser must never pass as green.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from './support/sp500.js';
import { FIXTURE_STRATEGIES, REPO_ROOT, startServer, type TestServer } from './support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const SHOTS = join(REPO_ROOT, '.tmp', 'dashboard-screenshots');
const reference = loadReference();
const input = reference.input as typeof reference.input & { symbols: string[]; period: string; dataset: string };

describe.runIf(!HAVE_BROWSER && IN_CI)('dashboard browser tests (CI)', () => {
  it('needs Chromium at /usr/bin/chromium', () => {
    throw new Error(`${CHROMIUM} is missing: the browser tests cannot run (.ci/run installs it with apt-get install -y chromium)`);
  });
});

describe.runIf(HAVE_BROWSER)('dashboard in Chromium', () => {
  let server: TestServer;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The page is served from web/dist: build it when this checkout has not, or has changed since.
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'web', 'build.mjs'), '--if-outdated'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`dashboard build failed:\n${built.stdout}\n${built.stderr}`);
    server = await startServer({ strategiesDir: FIXTURE_STRATEGIES });
    base = server.url.replace(/\/graphql$/, '');
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  async function setField(name: string, value: string) {
    await page.locator(`[name="${name}"]`).fill(value);
  }

  async function fillReferenceForm() {
    await page.goto(`${base}/#/new`);
    await page.locator('[data-testid="run-form"]').waitFor();
    await page.locator('#f-strategy').selectOption(input.strategy);
    for (const [name, value] of Object.entries(input.params)) {
      const field = page.locator(`[name="params.${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(String(value));
      else await field.fill(String(value));
    }
    await page.locator('#f-dataset').selectOption(input.dataset);
    await page.locator('#f-period').selectOption(input.period);
    for (const box of await page.locator('[data-testid="symbols"] input[type="checkbox"]').all()) {
      await box.setChecked(input.symbols.includes(await box.getAttribute('value') ?? ''));
    }
    await setField('initialCash', String(input.initialCash));
    await setField('commission.perUnit', String(input.commission.perUnit));
    await setField('commission.minimumPerOrder', String(input.commission.minimumPerOrder));
    await setField('commission.percentOfNotional', String(input.commission.percentOfNotional));
    await setField('slippageBps', String(input.slippageBps));
  }

  it('runs the reference input from the form: progress to 100 %, its 18 fills, its final equity', async () => {
    await fillReferenceForm();
    await shot('1-new-run');
    await page.locator('[data-testid="submit"]').click();
    await page.waitForURL(/#\/run\/\d+$/);
    await expect.poll(() => page.locator('[data-testid="progress"]').textContent(), { timeout: 60_000 }).toBe('100 %');
    await expect.poll(() => page.locator('[data-testid="status"]').textContent(), { timeout: 60_000 }).toBe('COMPLETED');
    await expect.poll(() => page.locator('[data-testid="fill-count"]').textContent(), { timeout: 30_000 }).toBe(String(reference.fills.length));
    const rows = await page.locator('[data-testid="fills"] tbody tr').allInnerTexts();
    expect(rows).toHaveLength(reference.fills.length);
    const last = reference.fills.at(-1)!;
    expect(rows.at(-1)).toContain(last.date);
    expect(rows.at(-1)).toContain(last.side);
    expect(rows.at(-1)).toContain(last.price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    const finalEquity = page.locator('[data-testid="metric-finalEquity"]');
    await finalEquity.waitFor({ timeout: 30_000 });
    expect(Number(await finalEquity.getAttribute('data-value'))).toBeCloseTo(reference.metrics.finalEquity!, 6);
    expect(await finalEquity.textContent()).toBe(reference.metrics.finalEquity!.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
    // The charts drew: candles and the equity curve are canvases inside their boxes.
    await page.locator('[data-testid="price-chart"] canvas').first().waitFor();
    expect(await page.locator('[data-testid="equity-chart"] canvas').count()).toBeGreaterThan(0);
    await shot('2-live-run-finished');

    // A finished run opens the same page from storage.
    const url = page.url();
    await page.goto(`${base}/#/runs`);
    await page.goto(url);
    await expect.poll(() => page.locator('[data-testid="fill-count"]').textContent(), { timeout: 30_000 }).toBe(String(reference.fills.length));
    expect(await page.locator('[data-testid="progress"]').textContent()).toBe('100 %');

    // The report: metrics, round trips, analytics.
    await page.goto(url.replace('#/run/', '#/report/'));
    await page.locator('[data-testid="round-trips"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="round-trips"] tbody tr').count()).toBe(reference.roundTrips.length);
    await page.locator('[data-testid="monthly-returns"]').waitFor({ timeout: 30_000 });
    await shot('3-report');
  }, 240_000);

  it("shows the server's message next to a bad parameter", async () => {
    await fillReferenceForm();
    await setField('params.slowPeriod', '20');
    // The service's own words for this input, asked directly.
    const direct = await server.gql(`mutation($input: RunBacktestInput!) { runBacktest(input: $input) { id } }`, {
      input: { ...input, params: { ...input.params, slowPeriod: 20 } },
    });
    const expected = (direct.errors?.[0]?.extensions?.fields as { field: string; message: string }[]).find((f) => f.field === 'input.params.slowPeriod');
    expect(expected, JSON.stringify(direct.errors)).toBeDefined();
    await page.locator('[data-testid="submit"]').click();
    const shown = page.locator('[data-testid="param-slowPeriod"] [data-testid="error-params.slowPeriod"]');
    await shown.waitFor();
    expect(await shown.textContent()).toBe(expected!.message);
    expect(await page.locator('[data-testid="param-slowPeriod"]').getAttribute('class')).toContain('invalid');
    expect(page.url()).toMatch(/#\/new$/);
    await shot('4-bad-param');
  }, 120_000);

  it('cancels a long run', async () => {
    await page.goto(`${base}/#/new`);
    await page.locator('#f-strategy').selectOption('slow');
    // 250,000 minute bars at 0.1 ms each: the engine checks for a cancel between chunks of 16,384 bars.
    await setField('params.microsPerBar', '100');
    await page.locator('#f-dataset').selectOption('synthetic');
    await page.locator('#f-period').selectOption('MINUTE');
    await page.locator('[data-testid="submit"]').click();
    await page.waitForURL(/#\/run\/\d+$/);
    await expect.poll(() => page.locator('[data-testid="status"]').textContent(), { timeout: 30_000 }).toBe('RUNNING');
    await expect.poll(async () => Number.parseFloat((await page.locator('[data-testid="progress"]').textContent()) ?? '0'), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot('5-live-running');
    await page.locator('[data-testid="cancel"]').click();
    await expect.poll(() => page.locator('[data-testid="status"]').textContent(), { timeout: 30_000 }).toBe('CANCELLED');
    const progress = Number.parseFloat((await page.locator('[data-testid="progress"]').textContent()) ?? '');
    expect(progress).toBeLessThan(100);
    await shot('5-live-cancelled');
  }, 120_000);

  it('starts a sweep from the form and draws its heatmap', async () => {
    await page.goto(`${base}/#/sweeps`);
    const form = page.locator('[data-testid="sweep-form"]');
    await form.waitFor();
    await page.locator('#f-strategy').selectOption('sma-crossover');
    await page.locator('[name="grid.fastPeriod.mode"]').selectOption('range');
    await setField('grid.fastPeriod.min', '10');
    await setField('grid.fastPeriod.max', '50');
    await setField('grid.fastPeriod.step', '10');
    await page.locator('[name="grid.slowPeriod.mode"]').selectOption('list');
    await setField('grid.slowPeriod.list', '100, 150, 200');
    await setField('params.quantity', '10');
    await setField('keepTop', '2');
    await page.locator('[data-testid="submit"]').click();
    await page.waitForURL(/#\/sweep\/\d+$/);
    await expect.poll(() => page.locator('[data-testid="status"]').textContent(), { timeout: 120_000 }).toBe('COMPLETED');
    const heatmap = page.locator('[data-testid="heatmap"]');
    await heatmap.waitFor({ timeout: 30_000 });
    expect(await heatmap.getAttribute('data-cells')).toBe('15');
    // Cells are painted: the middle of the grid is an opaque colour.
    const painted = await heatmap.evaluate((c: HTMLCanvasElement) => {
      const g = c.getContext('2d')!;
      const d = g.getImageData(Math.floor(c.width * 0.55), Math.floor(c.height * 0.4), 1, 1).data;
      return d[3];
    });
    expect(painted).toBe(255);
    expect(await page.locator('[data-testid="sweep-results"] tbody tr').count()).toBe(15);
    await heatmap.hover({ position: { x: 100, y: 30 } });
    await shot('6-sweep');
  }, 240_000);

  it('lists runs with filters, compares two, deletes one', async () => {
    await page.goto(`${base}/#/runs`);
    await page.locator('[data-testid="runs"] tbody tr').first().waitFor();
    await page.locator('[data-testid="filter-status"]').selectOption('COMPLETED');
    await expect.poll(async () => (await page.locator('[data-testid="runs"] tbody tr .badge').allTextContents()).every((s) => s === 'COMPLETED')).toBe(true);
    await page.locator('[data-testid="filter-strategy"]').selectOption('sma-crossover');
    const boxes = page.locator('[data-testid="runs"] tbody tr input[type="checkbox"]');
    await expect.poll(() => boxes.count()).toBeGreaterThanOrEqual(2);
    await shot('7-runs');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.locator('[data-testid="compare"]').click();
    await page.waitForURL(/#\/compare\/\d+,\d+$/);
    await page.locator('[data-testid="compare-table"]').waitFor();
    await page.locator('[data-testid="compare-chart"] canvas').first().waitFor();
    expect(await page.locator('[data-testid="compare-table"] thead th').count()).toBe(3);
    await shot('8-compare');

    // Delete the cancelled run: two clicks, then it is gone from the list and from the service.
    await page.goto(`${base}/#/runs`);
    await page.locator('[data-testid="filter-status"]').selectOption('CANCELLED');
    const cancelled = page.locator('[data-testid="runs"] tbody tr');
    await expect.poll(() => cancelled.count()).toBe(1);
    const id = await cancelled.first().getAttribute('data-run');
    await cancelled.first().locator('input[type="checkbox"]').check();
    await page.locator('[data-testid="delete"]').click();
    await page.locator('[data-testid="confirm-delete"]').click();
    await expect.poll(() => cancelled.count()).toBe(0);
    expect((await server.gqlOk(`query($id: ID!) { run(id: $id) { id } }`, { id })).run).toBeNull();
  }, 120_000);

  it('says plainly when an API key is missing (401) or may not start runs (403)', async () => {
    // From the first key on, every request needs one.
    const reader = await server.app.storage.createApiKey('dashboard-reader', 'read');
    await page.goto(`${base}/#/new`);
    const banner = page.locator('[data-testid="problem"]').first();
    await banner.waitFor();
    expect(await banner.getAttribute('data-kind')).toBe('unauthenticated');
    expect(await banner.textContent()).toContain('401');
    await shot('9-no-key');
    await page.locator('[data-testid="api-key"]').fill(reader.secret);
    await page.locator('[data-testid="api-key"]').press('Enter');
    await page.locator('[data-testid="run-form"]').waitFor();
    await page.locator('[data-testid="submit"]').click();
    await expect.poll(() => page.locator('[data-testid="problem"]').first().getAttribute('data-kind')).toBe('forbidden');
    expect(await page.locator('[data-testid="problem"]').first().textContent()).toContain('403');
    expect(await page.evaluate(() => localStorage.getItem('backtest-gql.apiKey'))).toBe(reader.secret);
    await shot('10-forbidden');
  }, 120_000);

  it('ran without Content-Security-Policy violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
