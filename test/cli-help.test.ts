/**
 * `backtest <command> --help` for every command and subcommand, through the real bin: each lists
 * every flag of that command with a description, and shows examples that use the command. The list
 * of commands and flags comes from the program itself, so a new flag without help fails here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { ensureBuilt } from './support/built-cli.js';
import { REPO_ROOT } from './support/test-server.js';

const BIN = join(REPO_ROOT, 'bin', 'backtest.js');
beforeAll(ensureBuilt, 600_000);

function bin(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every command with its path of names, subcommands included ('datasets delete'). */
function allCommands(cmd: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()], cmd: c }, ...allCommands(c, [...path, c.name()])]);
}

const program = createProgram();
const commands = allCommands(program);

describe('backtest <command> --help', () => {
  it('covers every command the README documents', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const name of ['serve', 'worker', 'strategies', 'datasets', 'datasets list', 'datasets delete', 'datasets rename', 'import', 'generate', 'run', 'sweep']) {
      expect(names).toContain(name);
    }
  });

  it.each(commands.map((c) => [c.path.join(' '), c] as const))('%s --help lists every flag with a description and an example', { timeout: 120_000 }, (_name, { path, cmd }) => {
    const r = bin(...path, '--help');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`Usage: backtest ${path.join(' ')} `)).toBe(true);
    const visible = cmd.options.filter((o) => !o.hidden);
    for (const option of visible) {
      expect(option.description.length, `${option.long} has a description`).toBeGreaterThan(10);
      // commander wraps long descriptions, so compare the first few words of each.
      const firstWords = option.description.split(' ').slice(0, 3).join(' ');
      expect(r.stdout, option.long).toMatch(new RegExp(`^  ${escape(option.flags)}\\s+${escape(firstWords)}`, 'm'));
    }
    for (const arg of cmd.registeredArguments) expect(r.stdout).toContain(arg.name());
    expect(r.stdout).toContain('Examples:');
    const examples = r.stdout.slice(r.stdout.indexOf('Examples:')).split('\n').filter((l) => /^\s+\$ /.test(l));
    expect(examples.length).toBeGreaterThan(0);
    // Each example invokes this command (a default subcommand may be left out: `backtest datasets`).
    const invoked = path.at(-1) === 'list' ? path.slice(0, -1) : path;
    for (const line of examples) expect(line).toMatch(new RegExp(`backtest ${escape(invoked.join(' '))}( |$)`));
  });

  it('the aliases --from and --to are not listed as flags of their own but named in --start and --end', () => {
    for (const name of ['run', 'sweep']) {
      const cmd = commands.find((c) => c.path.join(' ') === name)!.cmd;
      expect(cmd.options.filter((o) => o.hidden).map((o) => o.long)).toEqual(['--from', '--to']);
      expect(cmd.options.find((o) => o.long === '--start')?.description).toContain('alias --from');
      expect(cmd.options.find((o) => o.long === '--end')?.description).toContain('alias --to');
    }
  });
});

describe('backtest, --version, help', () => {
  it('--version prints the package.json version', () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = bin(flag);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.code).toBe(0);
    }
  });

  it('no command prints the overview on stderr and exits 2; --help prints it on stdout and exits 0', () => {
    const none = bin();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: backtest [options] [command]');
    const help = bin('--help');
    expect(help.code).toBe(0);
    for (const { path } of commands.filter((c) => c.path.length === 1)) expect(help.stdout).toMatch(new RegExp(`^  ${path[0]}\\b`, 'm'));
    expect(help.stdout).toContain('Run `backtest <command> --help`');
  });

  it('output piped into a reader that has gone (`| head`) ends the command quietly: exit 0, no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--help'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader closes before anything is written: every write fails with EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('`backtest help <command>` is the same as `backtest <command> --help`', () => {
    expect(bin('help', 'import').stdout).toBe(bin('import', '--help').stdout);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
