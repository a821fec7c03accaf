/** `backtest strategies`: each strategy with its typed parameter specs, as tables or JSON. */
import type { ParamSpec } from '../engine/params.js';
import { loadStrategies } from '../jobs/strategy-loader.js';
import { formatTable } from './table.js';

export async function listStrategies(json: boolean): Promise<void> {
  const { registry, problems } = await loadStrategies();
  for (const p of problems) process.stderr.write(`warning: strategy file skipped: ${p}\n`);
  if (json) {
    const doc = registry.list().map((s) => ({ id: s.id, title: s.title, description: s.description, params: Object.entries(s.params as Record<string, ParamSpec>).map(([name, spec]) => ({ name, ...spec })) }));
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  for (const s of registry.list()) {
    console.log(`${s.id}: ${s.title}\n  ${s.description}`);
    const rows = Object.entries(s.params as Record<string, ParamSpec>).map(([name, spec]) => [name, spec.kind, String(spec.default), range(spec), spec.description ?? '']);
    console.log(formatTable(['param', 'type', 'default', 'allowed', 'description'], rows).replace(/^/gm, '  ') + '\n');
  }
}

function range(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'enum':
      return `${spec.choices.join(' | ')} (any case)`;
    case 'bool':
      return 'true | false';
    default: {
      const lo = spec.min === undefined ? '' : `${spec.kind === 'float' && spec.minExclusive ? '>' : '>='} ${spec.min}`;
      const hi = spec.max === undefined ? '' : `<= ${spec.max}`;
      return [lo, hi].filter(Boolean).join(', ') || 'any';
    }
  }
}
