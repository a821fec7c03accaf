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
const TYPESCRIPT_FILE = /\.m?ts$/;

/**
 * Compiled (dist/), this thread cannot import TypeScript until tsx's loaders are registered; they
 * are, once per thread, just before the first .ts strategy file, so .js/.mjs files never pay for
 * them. Both, as `node --import tsx` does: tsx compiles a .ts file outside any ESM package as
 * CommonJS. From the sources (tsx, vitest, the .mjs thread entries) TypeScript loads already.
 */
const COMPILED = import.meta.url.endsWith('.js');
let typescriptLoaders: Promise<void> | undefined;

function enableTypeScript(): Promise<void> {
  typescriptLoaders ??= Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]).then(([cjs, esm]) => {
    cjs.register();
    esm.register();
  });
  return typescriptLoaders;
}

export async function loadStrategies(dir = strategiesDir()): Promise<LoadedStrategies> {
  const registry = builtinStrategies();
  const problems: string[] = [];
  if (!existsSync(dir)) return { registry, problems, dir };
  const files = readdirSync(dir).filter((f) => STRATEGY_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) {
    const path = join(dir, file);
    try {
      if (COMPILED && TYPESCRIPT_FILE.test(file)) await enableTypeScript();
      const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const found = [...exportedValues(mod)].filter(isStrategy);
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

/**
 * What a strategy file exports, each value once. A CommonJS module (tsx compiles a .ts file outside
 * any ESM package as one) comes as its `default`, module.exports, with or without named copies.
 */
function exportedValues(mod: Record<string, unknown>): Set<unknown> {
  const values = new Set(Object.values(mod));
  const d = mod.default;
  if (typeof d === 'object' && d !== null && !isStrategy(d)) for (const v of Object.values(d)) values.add(v);
  return values;
}

function isStrategy(v: unknown): v is AnyStrategy {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<AnyStrategy>;
  return typeof s.id === 'string' && typeof s.create === 'function' && typeof s.params === 'object' && s.params !== null;
}
