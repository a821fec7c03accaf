/**
 * Cancels across processes: a cancel is written as a mark (for a node that picks the job up later)
 * and published (for the node running it now, and the API instance running a sweep).
 */
import { Redis } from 'ioredis';
import { cancelKey, CONTROL_CHANNEL, ENDED_LOG_TTL_S, redisOptions } from './cluster-keys.js';

export type ControlMessage = { readonly kind: 'cancel-run'; readonly runId: number } | { readonly kind: 'cancel-sweep'; readonly sweepId: number };

export class ControlChannel {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly listeners: ((m: ControlMessage) => void)[] = [];

  constructor(url: string, role: string, private readonly log: (line: string) => void) {
    this.commands = new Redis(redisOptions(url, `backtest-${role}-control`));
    this.subscriber = new Redis({ ...redisOptions(url, `backtest-${role}-control-sub`), autoResubscribe: true });
    this.subscriber.on('message', (_channel: string, text: string) => this.deliver(text));
    // Errors are reported by the connection's owner; ioredis reconnects on its own.
    for (const c of [this.commands, this.subscriber]) c.on('error', () => {});
  }

  /** Resolves once messages published from now on reach `listen`ers here. */
  async ready(): Promise<void> {
    await this.subscriber.subscribe(CONTROL_CHANNEL);
  }

  listen(listener: (m: ControlMessage) => void): void {
    this.listeners.push(listener);
  }

  async cancel(m: ControlMessage): Promise<void> {
    const key = m.kind === 'cancel-run' ? cancelKey('run', m.runId) : cancelKey('sweep', m.sweepId);
    await this.commands.set(key, '1', 'EX', ENDED_LOG_TTL_S);
    await this.commands.publish(CONTROL_CHANNEL, JSON.stringify(m));
  }

  async isCancelled(kind: 'run' | 'sweep', id: number): Promise<boolean> {
    return (await this.commands.exists(cancelKey(kind, id))) === 1;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }

  private deliver(text: string): void {
    const m = readControlMessage(text);
    if (!m) {
      this.log('control channel: unreadable message left out');
      return;
    }
    for (const l of this.listeners) {
      try {
        l(m);
      } catch (e) {
        this.log(`control channel: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

function readControlMessage(text: string): ControlMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const { kind, runId, sweepId } = m as Record<string, unknown>;
  if (kind === 'cancel-run' && Number.isSafeInteger(runId)) return { kind, runId: runId as number };
  if (kind === 'cancel-sweep' && Number.isSafeInteger(sweepId)) return { kind, sweepId: sweepId as number };
  return null;
}
