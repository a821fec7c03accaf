/** Result blocks split into groups of about a byte budget: one write (transaction or statement) each. */
import type { ResultBlock } from './result-blocks.js';

/** Consecutive groups of blocks of about `bytes` each (at least one block per group). */
export function* blockSlices(blocks: readonly ResultBlock[], bytes: number): Generator<ResultBlock[]> {
  let group: ResultBlock[] = [];
  let size = 0;
  for (const b of blocks) {
    if (group.length > 0 && size + b.bytes.byteLength > bytes) {
      yield group;
      group = [];
      size = 0;
    }
    group.push(b);
    size += b.bytes.byteLength;
  }
  if (group.length > 0) yield group;
}
