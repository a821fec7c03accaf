/**
 * How a sweep's combinations are cut into pool tasks: guided self-scheduling. Each chunk takes a
 * share of what remains (remaining / (2 × threads)), capped at `maxSize`, so chunks shrink toward
 * the end: early ones keep per-task overhead low, the last ones are single combinations, and no
 * thread sits idle while another finishes a large final chunk (with equal chunks of 4 the tail cost
 * ~10 % of a 64-combination sweep on 2 threads).
 */
export function sweepChunkSizes(total: number, threads: number, maxSize: number): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`sweepChunkSizes: total must be a non-negative integer, got ${total}`);
  const share = 2 * Math.max(1, threads);
  const cap = Math.max(1, Math.floor(maxSize));
  const sizes: number[] = [];
  for (let remaining = total; remaining > 0; ) {
    const size = Math.min(cap, Math.max(1, Math.ceil(remaining / share)));
    sizes.push(size);
    remaining -= size;
  }
  return sizes;
}
