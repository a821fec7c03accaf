/**
 * Every command of the README's "Command line" block, run as written through the `backtest` bin in
 * a scratch folder holding the files the examples import (a Yahoo export with a `null` holiday row,
 * epoch-ms minute ticks, exchange-local hourly bars), on a fresh database. Optional flags shown in
 * brackets are passed; `| jq .metrics` is applied to the parsed JSON; `serve` must start listening.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/built-cli.js';
import { REPO_ROOT } from './support/test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
const dir = mkdtempSync(join(tmpdir(), 'backtest-readme-cli-'));
const env = { ...process.env, DATABASE_PATH: join(dir, 'readme.db'), STRATEGIES_DIR: join(dir, 'none'), WORKERS: '2', PORT: '0' };
beforeAll(ensureBuilt, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The commands of the first ```sh block after the "## Command line" heading, continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

/** Shell-like words: whitespace-separated, double quotes grouping; `[--flag value]` unbracketed. */
function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.replace(/\[([^\]]*)\]/g, '$1').matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

function writeInputFiles(): void {
  // Yahoo Finance layout, with the `null` row such exports carry for some holidays.
  writeFileSync(
    join(dir, 'SPY.csv'),
    [
      'Date,Open,High,Low,Close,Adj Close,Volume',
      '2020-01-02,323.54,324.89,322.53,324.87,310.1,59151200',
      '2020-01-03,321.16,323.64,321.10,322.41,307.76,77709700',
      '2020-01-06,320.49,323.73,320.36,323.64,308.93,55653900',
      '2020-01-07,null,null,null,null,null,null',
      '2020-01-08,323.02,325.78,322.67,324.45,309.71,68296000',
    ].join('\n'),
  );
  const t0 = Date.UTC(2021, 0, 4, 14, 30);
  const ticks = ['ts,o,h,l,c,v'];
  for (let i = 0; i < 120; i++) {
    const p = 100 + Math.sin(i / 7);
    ticks.push(`${t0 + i * 60_000},${p.toFixed(4)},${(p + 0.2).toFixed(4)},${(p - 0.2).toFixed(4)},${(p + 0.05).toFixed(4)},${1000 + i}`);
  }
  writeFileSync(join(dir, 'ticks.csv'), ticks.join('\n'));
  // Chicago-local hourly bars across the 2021-03-14 daylight-saving change (02:00 does not exist).
  const hours = ['2021-03-13 22:00', '2021-03-13 23:00', '2021-03-14 00:00', '2021-03-14 01:00', '2021-03-14 03:00', '2021-03-14 04:00'];
  writeFileSync(join(dir, 'es.csv'), ['Datetime,Open,High,Low,Close', ...hours.map((h, i) => `${h},${3900 + i},${3905 + i},${3895 + i},${3902 + i}`)].join('\n'));
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `serve` runs until stopped: it must print that it listens, then stop cleanly on SIGTERM. */
function serveBriefly(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env });
    let out = '';
    let stopped = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${out}`));
    }, 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!stopped && out.includes('listening on')) {
        stopped = true; // one signal: a second one means "do not wait" and exits 1
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (out.includes('listening on') && code === 0) resolve(out);
      else reject(new Error(`serve exited ${code}: ${out}`));
    });
  });
}

describe("README's command-line examples, run as written", () => {
  it('every command succeeds on a fresh database', async () => {
    writeInputFiles();
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const command of commands) {
      const [pipeline, jq] = command.split(/\s*\|\s*jq\s+/);
      const argv = words(pipeline!);
      expect(argv.slice(0, 2), command).toEqual(['npx', 'backtest']);
      const args = argv.slice(2);
      if (args[0] === 'serve') {
        expect(await serveBriefly(args)).toContain('listening on');
        continue;
      }
      const r = run(args);
      expect({ command, code: r.code, stderr: r.stderr }).toEqual({ command, code: 0, stderr: expect.not.stringMatching(/error|backtest:/i) });
      if (jq !== undefined) {
        const path = jq.trim().replace(/^\./, '').split('.');
        const value = path.reduce<any>((v, k) => v?.[k], JSON.parse(r.stdout));
        expect(value, `${command}: ${jq}`).toMatchObject({ finalEquity: expect.any(Number) });
      }
      // What each example should have done, where it is more than "it ran".
      if (args[0] === 'import' && args[1] === 'SPY.csv') expect(r.stdout).toMatch(/skipped 1 row/i);
      if (args[0] === 'datasets' && args[1] === 'rename') expect(r.stdout).toContain('SPY daily, from Yahoo');
    }
    const left = JSON.parse(run(['datasets', '--json']).stdout) as { id: string }[];
    expect(left.map((d) => d.id)).toEqual(expect.arrayContaining(['demo', 'futures', 'sim']));
    expect(left.map((d) => d.id)).not.toContain('mydata');
  });
});
