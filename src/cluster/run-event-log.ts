/**
 * Each run's events in a Redis stream, so every API instance sees the same events in the same
 * order, however late it starts following. The worker node that runs the run appends: RUNNING,
 * each pool-thread message (fills, order changes, progress with equity samples), then the end
 * after the outcome is stored. An API instance replays the stream from its start into its own
 * ActiveRun (run-feed.ts), then follows it live: the same events give the same buffers and marks,
 * so a subscriber that moves to another instance resumes with `afterSeq` without gap or duplicate.
 *
 * Entries are structured clones (v8.serialize): typed arrays and the result blocks' bytes travel
 * as they are, exact. Nothing reads past the end event; the stream expires an hour after it.
 */
import { deserialize, serialize } from 'node:v8';
import { Redis } from 'ioredis';
import type { RunFeedEvent } from '../jobs/run-feed.js';
import { ENDED_LOG_TTL_S, redisOptions, runEventsKey, runIdOfEventsKey } from './cluster-keys.js';

const FIELD = 'e';
/** Entries read per command: a catch-up of a heavy run comes in pieces. */
const READ_COUNT = 1_000;
/** How long one blocking read waits; also how late a newly followed stream joins the live read. */
const BLOCK_MS = 200;

export class RunEventWriter {
  constructor(private readonly redis: Redis) {}

  /** Appends in call order (one connection); resolves when Redis has it. */
  async append(runId: number, e: RunFeedEvent): Promise<void> {
    const key = runEventsKey(runId);
    await this.redis.xadd(key, '*', FIELD, serialize(e));
    if (e.kind === 'end') await this.redis.expire(key, ENDED_LOG_TTL_S);
  }
}

interface Follow {
  lastId: string;
  /** Returns true when the run's stream is done (its end applied). */
  readonly onEvent: (e: RunFeedEvent) => boolean;
}

/** Reads the streams of every run this API instance follows, with one blocking connection. */
export class RunEventFollower {
  private readonly commands: Redis;
  private readonly blocking: Redis;
  private readonly follows = new Map<number, Follow>();
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(url: string, private readonly log: (line: string) => void) {
    this.commands = new Redis(redisOptions(url, 'backtest-api-events'));
    this.blocking = new Redis(redisOptions(url, 'backtest-api-events-live'));
    for (const c of [this.commands, this.blocking]) c.on('error', () => {});
    this.loop = this.readLive();
  }

  /**
   * Follows a run's events from the start of its stream. With `catchUp`, what the stream holds now
   * is applied before this resolves; either way later events are applied as they come, until
   * `onEvent` returns true.
   */
  async follow(runId: number, onEvent: Follow['onEvent'], catchUp: boolean): Promise<void> {
    const f: Follow = { lastId: '0', onEvent };
    if (catchUp && (await this.catchUp(runId, f))) return;
    this.follows.set(runId, f);
    this.wake?.();
  }

  /** Applies what the run's stream holds now; true when `onEvent` said it is done (the end). */
  async replay(runId: number, onEvent: Follow['onEvent']): Promise<boolean> {
    return this.catchUp(runId, { lastId: '0', onEvent });
  }

  private async catchUp(runId: number, f: Follow): Promise<boolean> {
    for (;;) {
      const entries = await this.commands.xrangeBuffer(runEventsKey(runId), f.lastId === '0' ? '-' : `(${f.lastId}`, '+', 'COUNT', READ_COUNT);
      if (this.apply(f, entries)) return true;
      if (entries.length < READ_COUNT) return false;
    }
  }

  stop(runId: number): void {
    this.follows.delete(runId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([this.commands.quit(), this.blocking.quit()]);
  }

  private async readLive(): Promise<void> {
    while (!this.closed) {
      if (this.follows.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const runIds = [...this.follows.keys()];
      let read: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        read = (await this.blocking.xreadBuffer('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', ...runIds.map(runEventsKey), ...runIds.map((id) => this.follows.get(id)!.lastId))) as typeof read;
      } catch (e) {
        this.log(`run events: reading from Redis failed (${e instanceof Error ? e.message : String(e)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      for (const [key, entries] of read ?? []) {
        const runId = runIdOfEventsKey(key.toString());
        const f = this.follows.get(runId);
        if (f && this.apply(f, entries)) this.follows.delete(runId);
      }
    }
  }

  /** Applies entries after the follow's last id, in order; true once the follow is done. */
  private apply(f: Follow, entries: [Buffer, Buffer[]][]): boolean {
    for (const [idBytes, fields] of entries) {
      const id = idBytes.toString();
      if (compareIds(id, f.lastId) <= 0) continue; // a read that raced a catch-up
      f.lastId = id;
      const value = fields[1]; // the one field, FIELD
      let e: RunFeedEvent;
      try {
        e = deserialize(value as Buffer) as RunFeedEvent;
      } catch (err) {
        this.log(`run events: entry ${id} could not be read (${err instanceof Error ? err.message : String(err)}); left out`);
        continue;
      }
      if (f.onEvent(e)) return true;
    }
    return false;
  }
}

/** Stream ids `ms-seq` in order. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  return Number(am) - Number(bm) || Number(as ?? 0) - Number(bs ?? 0);
}
