/** `backtest strategies`: each strategy with its typed parameter specs. */
import { parseArgs } from 'node:util';
import type { ParamSpec } from '../engine/params.js';
import { loadStrategies } from '../jobs/strategy-loader.js';
import { formatTable } from './table.js';

export async function strategiesCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { json: { type: 'boolean', default: false } } });
  const { registry, problems } = await loadStrategies();
  for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
  if (values.json) {
    const doc = registry.list().map((s) => ({ id: s.id, title: s.title, description: s.description, params: Object.entries(s.params as Record<string, ParamSpec>).map(([name, spec]) => ({ name, ...spec })) }));
    console.log(JSON.stringify(doc, null, 2));
    return 0;
  }
  for (const s of registry.list()) {
    console.log(`${s.id}: ${s.title}\n  ${s.description}`);
    const rows = Object.entries(s.params as Record<string, ParamSpec>).map(([name, spec]) => [name, spec.kind, String(spec.default), range(spec), spec.description ?? '']);
    console.log(formatTable(['param', 'type', 'default', 'allowed', 'description'], rows).replace(/^/gm, '  ') + '\n');
  }
  return 0;
}

function range(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'enum':
      return spec.choices.join(' | ');
    case 'bool':
      return 'true | false';
    default: {
      const lo = spec.min === undefined ? '' : `${spec.kind === 'float' && spec.minExclusive ? '>' : '>='} ${spec.min}`;
      const hi = spec.max === undefined ? '' : `<= ${spec.max}`;
      return [lo, hi].filter(Boolean).join(', ') || 'any';
    }
  }
}
