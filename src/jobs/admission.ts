/**
 * Admission control: how much work the service accepts. A bounded queue per server and per owner
 * (API key), refused with QueueFullError and a retry hint; ceilings on one run's bars, one run's
 * stored fills and one sweep's combinations. Limits come from the environment (README's table).
 */
import { RunInputError } from './run-input.js';

export interface AdmissionLimits {
  /** Runs and sweeps waiting to start, in the whole server (MAX_QUEUED_RUNS). */
  readonly maxQueuedRuns: number;
  /** Runs and sweeps waiting to start for one owner key (MAX_QUEUED_RUNS_PER_KEY). */
  readonly maxQueuedRunsPerKey: number;
  /** Upper bound of a sweep's maxCombinations (MAX_SWEEP_COMBINATIONS). */
  readonly maxSweepCombinations: number;
  /** Bars one run (or one sweep combination) may simulate, from the stored coverage (MAX_BARS_PER_RUN). */
  readonly maxBarsPerRun: number;
  /** Fills one run may produce; past it the run ends FAILED and keeps no fills (MAX_FILLS_PER_RUN). */
  readonly maxFillsPerRun: number;
}

export const DEFAULT_LIMITS: AdmissionLimits = {
  maxQueuedRuns: 100,
  maxQueuedRunsPerKey: 25,
  maxSweepCombinations: 10_000,
  maxBarsPerRun: 50_000_000,
  maxFillsPerRun: 5_000_000,
};

const ENV_NAMES: { readonly [K in keyof AdmissionLimits]: string } = {
  maxQueuedRuns: 'MAX_QUEUED_RUNS',
  maxQueuedRunsPerKey: 'MAX_QUEUED_RUNS_PER_KEY',
  maxSweepCombinations: 'MAX_SWEEP_COMBINATIONS',
  maxBarsPerRun: 'MAX_BARS_PER_RUN',
  maxFillsPerRun: 'MAX_FILLS_PER_RUN',
};

/** Each limit from its variable, else the default; a value that is not a positive integer stops the start-up. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): AdmissionLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw.slice(0, 40))}`);
    out[key] = n;
  }
  return out as unknown as AdmissionLimits;
}

/** The queue (of the server, or of one key) is full: try again in `retryAfterMs`. GraphQL: extensions.code QUEUE_FULL. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  readonly code = 'QUEUE_FULL';
  constructor(
    readonly scope: 'server' | 'key',
    readonly limit: number,
    readonly retryAfterMs: number,
  ) {
    super(
      scope === 'server'
        ? `the server's queue is full (${limit} runs and sweeps waiting); retry in ${retryAfterMs} ms`
        : `this key's queue is full (${limit} runs and sweeps waiting); retry in ${retryAfterMs} ms`,
    );
  }
}

/** Who queued an entry: an API key's id as a string, or null when the service runs without keys. */
export type Owner = string | null;

/** Typical run duration assumed before any run has finished, for the retry hint. */
const INITIAL_RUN_MS = 2_000;
const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 60_000;

/**
 * Counts what waits to start, in total and per owner. Entries admitted with `force` (the best
 * combinations a sweep re-runs) are counted but never refused: their sweep was admitted already.
 */
export class Admission {
  private waiting = 0;
  private readonly byOwner = new Map<string, number>();
  /** Exponential moving average of how long a run occupies a pool thread. */
  private runMs = INITIAL_RUN_MS;

  constructor(
    readonly limits: AdmissionLimits,
    private readonly threads: number,
  ) {}

  /** Throws QueueFullError when the server's or the owner's queue is full; counts nothing (a refusal before costlier checks). */
  check(owner: Owner): void {
    if (this.waiting >= this.limits.maxQueuedRuns) throw new QueueFullError('server', this.limits.maxQueuedRuns, this.retryAfterMs(this.waiting - this.limits.maxQueuedRuns + 1));
    const mine = owner === null ? 0 : (this.byOwner.get(owner) ?? 0);
    if (owner !== null && mine >= this.limits.maxQueuedRunsPerKey) {
      throw new QueueFullError('key', this.limits.maxQueuedRunsPerKey, this.retryAfterMs(mine - this.limits.maxQueuedRunsPerKey + 1));
    }
  }

  /**
   * check() for an API key id (null or undefined: no keys): a full queue is refused before the
   * costlier validation of a run or sweep.
   */
  checkKey(ownerKeyId: number | null | undefined): void {
    this.check(ownerKeyId == null ? null : String(ownerKeyId));
  }

  /** Throws QueueFullError when the server's or the owner's queue is full; otherwise counts the entry. */
  admit(owner: Owner, force = false): void {
    if (!force) this.check(owner);
    this.waiting++;
    if (owner !== null) this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + 1);
  }

  /** The entry started (or ended before it could): it no longer waits. */
  release(owner: Owner): void {
    this.waiting = Math.max(0, this.waiting - 1);
    if (owner === null) return;
    const left = (this.byOwner.get(owner) ?? 1) - 1;
    if (left > 0) this.byOwner.set(owner, left);
    else this.byOwner.delete(owner);
  }

  /** Entries waiting to start, in total or for one owner. */
  queued(owner?: Owner): number {
    return owner === undefined ? this.waiting : owner === null ? 0 : (this.byOwner.get(owner) ?? 0);
  }

  /** A finished run's time on a pool thread, for the retry hint. */
  recordRunTime(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.runMs = 0.8 * this.runMs + 0.2 * ms;
  }

  /** When `slots` places should have freed: runs start `threads` at a time. */
  private retryAfterMs(slots: number): number {
    const ms = (Math.max(1, slots) * this.runMs) / Math.max(1, this.threads);
    return Math.round(Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, ms)) / 50) * 50;
  }

  /**
   * A sweep's maxCombinations under the server's ceiling. The schema's default (10,000) is lowered
   * to a smaller ceiling silently; any other request above it is refused, naming the field.
   */
  maxCombinations(requested: number | null | undefined, schemaDefault = 10_000): number {
    const cap = this.limits.maxSweepCombinations;
    if (requested == null) return Math.min(schemaDefault, cap);
    if (requested === schemaDefault && cap < schemaDefault) return cap;
    if (requested > cap) {
      throw new RunInputError([{ field: 'maxCombinations', message: `must be at most ${cap} on this server (MAX_SWEEP_COMBINATIONS), got ${requested}` }]);
    }
    return requested;
  }

  /** Refuses a run (or a sweep's combination) that would simulate more bars than allowed. */
  checkBars(bars: number): void {
    if (bars > this.limits.maxBarsPerRun) {
      throw new RunInputError([
        { field: 'symbols', message: `about ${bars} bars to simulate exceed the limit of ${this.limits.maxBarsPerRun} per run (MAX_BARS_PER_RUN): choose fewer symbols or a shorter start..end` },
      ]);
    }
  }
}
