/**
 * Admission (queue limits per server and per owner, the retry hint, the sweep and bar ceilings, the
 * limits from the environment) and the fair scheduler (runs first in first out, sweeps taking
 * turns with runs and with each other), each on its own: no pool, no database.
 */
import { describe, expect, it } from 'vitest';
import { Admission, DEFAULT_LIMITS, limitsFromEnv, QueueFullError } from '../src/jobs/admission.js';
import { FairScheduler } from '../src/jobs/fair-scheduler.js';
import { RunInputError } from '../src/jobs/run-input.js';

const LIMITS = { ...DEFAULT_LIMITS, maxQueuedRuns: 5, maxQueuedRunsPerKey: 2 };

function refusal(fn: () => void): QueueFullError {
  try {
    fn();
  } catch (e) {
    if (e instanceof QueueFullError) return e;
    throw e;
  }
  throw new Error('expected a QueueFullError');
}

describe('admission', () => {
  it('bounds the queue per owner key, then per server; releasing makes room again', () => {
    const a = new Admission(LIMITS, 2);
    a.admit('7');
    a.admit('7');
    const perKey = refusal(() => a.admit('7'));
    expect(perKey).toMatchObject({ scope: 'key', limit: 2, code: 'QUEUE_FULL' });
    expect(perKey.message).toMatch(/this key's queue is full \(2 runs and sweeps waiting\)/);
    a.admit('8');
    a.admit(null); // no key: only the server's limit applies
    a.admit(null);
    expect(a.queued()).toBe(5);
    expect(a.queued('7')).toBe(2);
    expect(refusal(() => a.admit('9'))).toMatchObject({ scope: 'server', limit: 5 });
    expect(refusal(() => a.admit(null))).toMatchObject({ scope: 'server' });
    a.admit('7', true); // a sweep's re-run: counted, never refused
    expect(a.queued()).toBe(6);
    a.release('7');
    a.release('7');
    a.release(null);
    expect(a.queued('7')).toBe(1);
    a.admit('7');
    expect(a.queued()).toBe(4);
  });

  it('hints a retry after about the time a place needs to free: runs take turns on the threads', () => {
    const a = new Admission({ ...LIMITS, maxQueuedRuns: 1 }, 2);
    a.admit(null);
    // No run has finished yet: 2 s assumed per run, 2 threads -> a place in ~1 s.
    expect(refusal(() => a.admit(null)).retryAfterMs).toBe(1_000);
    for (let k = 0; k < 50; k++) a.recordRunTime(10_000);
    // The moving average approaches 10 s per run: ~5 s for a place.
    expect(refusal(() => a.admit(null)).retryAfterMs).toBeGreaterThan(4_900);
    expect(refusal(() => a.admit(null)).retryAfterMs).toBeLessThanOrEqual(5_000);
    for (let k = 0; k < 50; k++) a.recordRunTime(1);
    expect(refusal(() => a.admit(null)).retryAfterMs).toBe(250); // never below 250 ms
  });

  it('caps a sweep\'s maxCombinations and one run\'s bars, naming the field', () => {
    const a = new Admission({ ...DEFAULT_LIMITS, maxSweepCombinations: 500, maxBarsPerRun: 1_000 }, 2);
    expect(a.maxCombinations(100)).toBe(100);
    expect(a.maxCombinations(500)).toBe(500);
    expect(a.maxCombinations(null)).toBe(500);
    expect(a.maxCombinations(10_000)).toBe(500); // the schema's default, lowered to the ceiling
    let error: unknown;
    try {
      a.maxCombinations(501);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunInputError);
    expect((error as RunInputError).errors).toEqual([{ field: 'maxCombinations', message: 'must be at most 500 on this server (MAX_SWEEP_COMBINATIONS), got 501' }]);
    expect(new Admission(DEFAULT_LIMITS, 2).maxCombinations(10_000)).toBe(10_000);
    expect(() => a.checkBars(1_000)).not.toThrow();
    expect(() => a.checkBars(1_001)).toThrow(/about 1001 bars to simulate exceed the limit of 1000 per run \(MAX_BARS_PER_RUN\)/);
  });

  it('reads the limits from the environment; a bad value names its variable', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(DEFAULT_LIMITS).toEqual({ maxQueuedRuns: 100, maxQueuedRunsPerKey: 25, maxSweepCombinations: 10_000, maxBarsPerRun: 50_000_000, maxFillsPerRun: 5_000_000 });
    expect(limitsFromEnv({ MAX_QUEUED_RUNS: '7', MAX_FILLS_PER_RUN: '1000' })).toEqual({ ...DEFAULT_LIMITS, maxQueuedRuns: 7, maxFillsPerRun: 1_000 });
    expect(() => limitsFromEnv({ MAX_QUEUED_RUNS_PER_KEY: '0' })).toThrow('MAX_QUEUED_RUNS_PER_KEY must be a positive integer, got "0"');
    expect(() => limitsFromEnv({ MAX_BARS_PER_RUN: '1e3' })).not.toThrow();
    expect(() => limitsFromEnv({ MAX_SWEEP_COMBINATIONS: 'lots' })).toThrow(/MAX_SWEEP_COMBINATIONS/);
  });
});

/** A task the test finishes by hand; `log` records the order in which tasks started. */
function gatedTasks() {
  const log: string[] = [];
  const finishers = new Map<string, () => void>();
  const task = (name: string) => () => {
    log.push(name);
    return new Promise<void>((resolve) => finishers.set(name, resolve));
  };
  const finish = async (name: string) => {
    finishers.get(name)!();
    // Let the scheduler's bookkeeping (a promise chain) run.
    for (let k = 0; k < 5; k++) await Promise.resolve();
  };
  const settle = async () => {
    for (let k = 0; k < 5; k++) await Promise.resolve();
  };
  return { log, task, finish, settle };
}

describe('fair scheduler', () => {
  it('starts runs first in first out, never more than its capacity at once', async () => {
    const s = new FairScheduler(2);
    const { log, task, finish, settle } = gatedTasks();
    for (const name of ['r1', 'r2', 'r3', 'r4']) s.submit('run', 0, task(name));
    await settle();
    expect(log).toEqual(['r1', 'r2']);
    expect(s.running).toBe(2);
    expect(s.waitingRuns).toBe(2);
    await finish('r2');
    expect(log).toEqual(['r1', 'r2', 'r3']);
    await finish('r1');
    expect(log).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('a run queued behind a large sweep starts after at most one chunk; sweeps take turns', async () => {
    const s = new FairScheduler(1);
    const { log, task, finish, settle } = gatedTasks();
    for (let k = 1; k <= 3; k++) s.submit('sweep', 1, task(`a${k}`));
    for (let k = 1; k <= 2; k++) s.submit('sweep', 2, task(`b${k}`));
    await settle();
    expect(log).toEqual(['a1']);
    s.submit('run', 0, task('r1'));
    s.submit('run', 0, task('r2'));
    await finish('a1');
    expect(log).toEqual(['a1', 'r1']); // the run goes before the rest of the sweeps
    await finish('r1');
    expect(log).toEqual(['a1', 'r1', 'b1']); // then a chunk, of the other sweep (round-robin)
    await finish('b1');
    await finish('r2');
    await finish('a2');
    await finish('b2');
    expect(log).toEqual(['a1', 'r1', 'b1', 'r2', 'a2', 'b2', 'a3']);
  });

  it('a cancelled ticket never starts; a task that throws frees its slot', async () => {
    const s = new FairScheduler(1);
    const { log, task, finish, settle } = gatedTasks();
    s.submit('run', 0, task('r1'));
    const t2 = s.submit('run', 0, task('r2'));
    s.submit('run', 0, () => {
      log.push('boom');
      throw new Error('boom');
    });
    s.submit('run', 0, task('r4'));
    await settle();
    expect(t2.cancel()).toBe(true);
    expect(t2.cancel()).toBe(false); // taken out already
    await finish('r1');
    await settle();
    expect(log).toEqual(['r1', 'boom', 'r4']);
    expect(s.running).toBe(1);
  });
});
