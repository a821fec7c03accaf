/** import.rowsPerSec: a 5M-row Yahoo-layout CSV file, streamed, validated and stored. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BenchSection } from '../figure.js';
import { importCsv } from '../../src/data/csv-import.js';
import { generateSyntheticBars } from '../../src/data/synthetic.js';
import { withTempDb } from '../temp-db.js';

const ROWS = 5_000_000;

/** Minute bars as 'YYYY-MM-DDTHH:MM:SSZ,open,high,low,close,close,volume' lines, written in blocks. */
async function writeCsv(file: string): Promise<void> {
  const s = generateSyntheticBars({ symbol: 'X', bars: ROWS, period: 'MINUTE', seed: 3 });
  const out = createWriteStream(file);
  out.write('Date,Open,High,Low,Close,Adj Close,Volume\n');
  const f = (x: number) => x.toFixed(4);
  for (let i = 0; i < ROWS; ) {
    const lines: string[] = [];
    for (const end = Math.min(ROWS, i + 50_000); i < end; i++) {
      const t = new Date(s.time[i]!).toISOString().slice(0, 19) + 'Z';
      // Rounding to 4 decimals must keep open/close inside [low, high].
      const lo = Math.floor(s.low[i]! * 1e4) / 1e4;
      const hi = Math.ceil(s.high[i]! * 1e4) / 1e4;
      lines.push(`${t},${f(s.open[i]!)},${f(hi)},${f(lo)},${f(s.close[i]!)},${f(s.close[i]!)},${s.volume[i]}`);
    }
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export const run: BenchSection = () =>
  withTempDb(async (app, dir) => {
    const file = join(dir, 'bars.csv');
    await writeCsv(file);
    const t0 = performance.now();
    const cov = await importCsv(app, { file, dataset: 'bench', symbol: 'X', period: 'MINUTE', format: 'yahoo', timeFormat: 'iso-datetime' });
    const ms = performance.now() - t0;
    if (cov.bars !== ROWS) throw new Error(`imported ${cov.bars} rows, expected ${ROWS}`);
    return [{ name: 'import.rowsPerSec', value: ROWS / (ms / 1000), unit: 'rows/s' }];
  });
