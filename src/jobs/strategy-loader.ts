/**
 * The strategy registry of a process: the built-ins plus user files from STRATEGIES_DIR.
 * Main thread and workers both build it this way, so they always agree on what exists.
 * A broken file is reported and skipped; it never takes the server down.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyStrategy } from '../engine/strategy.js';
import { StrategyRegistry } from '../engine/strategy-registry.js';
import { builtinStrategies } from '../engine/strategies/index.js';

export interface LoadedStrategies {
  readonly registry: StrategyRegistry;
  /** One line per file that could not be used: `file: reason`. */
  readonly problems: readonly string[];
  readonly dir: string;
}

export function strategiesDir(): string {
  return resolve(process.env.STRATEGIES_DIR ?? './strategies');
}

const STRATEGY_FILE = /\.(ts|mts|js|mjs)$/;

export async function loadStrategies(dir = strategiesDir()): Promise<LoadedStrategies> {
  const registry = builtinStrategies();
  const problems: string[] = [];
  if (!existsSync(dir)) return { registry, problems, dir };
  const files = readdirSync(dir).filter((f) => STRATEGY_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const path = join(dir, file);
    try {
      const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const found = Object.values(mod).filter(isStrategy);
      if (found.length === 0) {
        problems.push(`${path}: exports no strategy (export the result of defineStrategy)`);
        continue;
      }
      for (const strategy of found) {
        try {
          registry.register(strategy);
        } catch (e) {
          problems.push(`${path}: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { registry, problems, dir };
}

function isStrategy(v: unknown): v is AnyStrategy {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<AnyStrategy>;
  return typeof s.id === 'string' && typeof s.create === 'function' && typeof s.params === 'object' && s.params !== null;
}
