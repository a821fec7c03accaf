/**
 * Admission of a run, the same for the in-process and the queued job manager: the bar ceiling
 * (MAX_BARS_PER_RUN) from the stored coverage, the queue limits, then the QUEUED record.
 */
import type { RunRecord } from '../data/run-types.js';
import type { Storage } from '../data/storage.js';
import type { Admission, Owner } from './admission.js';
import type { EnqueueOptions } from './run-jobs.js';
import type { ValidatedRun } from './run-input.js';

/**
 * Throws QueueFullError when a queue is full, RunInputError when the run would simulate more than
 * MAX_BARS_PER_RUN bars; otherwise counts the run as waiting and stores it QUEUED.
 */
export async function admitRun(admission: Admission, storage: Storage, validated: ValidatedRun, options: EnqueueOptions): Promise<{ readonly record: RunRecord; readonly owner: Owner }> {
  const { run } = validated;
  const owner = options.owner !== undefined ? options.owner : run.ownerKeyId == null ? null : String(run.ownerKeyId);
  admission.checkBars(await estimateBars(storage, validated));
  admission.admit(owner, options.forSweep);
  try {
    return { record: await storage.createRun(run), owner };
  } catch (e) {
    admission.release(owner);
    throw e;
  }
}

/**
 * Bars the run will simulate, from the stored coverage: every bar of each symbol, or the share of
 * them inside start..end (bars spread evenly over the covered time); a ceiling check, not a count.
 */
export async function estimateBars(storage: Storage, v: Pick<ValidatedRun, 'run' | 'from' | 'to'>): Promise<number> {
  let bars = 0;
  for (const symbol of v.run.symbols) {
    const cov = await storage.getCoverage({ dataset: v.run.dataset, symbol, period: v.run.period });
    if (!cov) continue;
    const lo = Math.max(cov.first, v.from ?? -Infinity);
    const hi = Math.min(cov.last, v.to ?? Infinity);
    if (hi < lo) continue;
    bars += cov.last > cov.first ? Math.ceil((cov.bars * (hi - lo)) / (cov.last - cov.first)) : cov.bars;
  }
  return bars;
}

