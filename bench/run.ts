/**
 * `npm run bench [section ...]`: runs the named sections (all by default), prints a table
 * and writes bench/results.json as an array of { name, value, unit }.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import type { BenchSection, Figure } from './figure.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Section name -> module under bench/sections exporting `run`. Loaded lazily so one section's deps don't slow another. */
const SECTIONS: Record<string, string> = {
  engine: './sections/engine.js',
  load: './sections/load.js',
  import: './sections/import.js',
  equity: './sections/equity.js',
  e2e: './sections/e2e.js',
  subscribers: './sections/subscribers.js',
  graphql: './sections/graphql.js',
  sweep: './sections/sweep.js',
  analytics: './sections/analytics.js',
  cli: './sections/cli.js',
  postgres: './sections/postgres.js',
  scaleout: './sections/scaleout.js',
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const names = asked.length > 0 ? asked : Object.keys(SECTIONS);
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0) {
    console.error(`unknown bench section: ${unknown.join(', ')} (known: ${Object.keys(SECTIONS).join(', ')})`);
    process.exit(2);
  }
  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  const figures: Figure[] = [];
  for (const name of names) {
    const mod = (await import(SECTIONS[name]!)) as { run: BenchSection };
    const got = await mod.run();
    for (const f of got) console.log(`${f.name.padEnd(34)} ${formatValue(f.value).padStart(16)} ${f.unit}`);
    figures.push(...got);
  }
  const out = join(here, 'results.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

function formatValue(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}

await main();
