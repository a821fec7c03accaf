/** e2e.barsPerSec: runBacktest over 1,000,000 minute bars, from the mutation to COMPLETED with results stored. */
import type { BenchSection } from '../figure.js';
import { E2E_BARS, runToEnd, startService } from '../service-fixture.js';

export const run: BenchSection = async () => {
  const s = await startService();
  try {
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      const { id, finished } = await runToEnd(s);
      const ms = (await finished) - t0;
      const { run } = await s.gql<{ run: { status: string; barsProcessed: number } }>(`query($id: ID!) { run(id: $id) { status barsProcessed } }`, { id });
      if (run.status !== 'COMPLETED' || run.barsProcessed !== E2E_BARS) throw new Error(`run ${id} ended ${run.status} after ${run.barsProcessed} bars`);
      best = Math.min(best, ms);
    }
    return [
      { name: 'e2e.barsPerSec', value: E2E_BARS / (best / 1000), unit: 'bars/s' },
      { name: 'e2e.runMs', value: best, unit: 'ms' },
    ];
  } finally {
    await s.close();
  }
};
