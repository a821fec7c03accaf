/**
 * The delivery pacer on its own: streams that always have work yield to the event loop between
 * slices (a timer set while they run fires before they finish), take turns (none is starved, also
 * with more streams than are resumed per turn), and pay nothing while the slice has time left.
 * Assertions are about order and shares, not durations.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryPacer, PacedSlot } from '../src/jobs/delivery-pacer.js';

/** Burns about `ms` of CPU (the work of sending one event, exaggerated). */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A stream that delivers `items` events through `pacer`, noting which slice each went out in. */
async function stream(pacer: DeliveryPacer, items: number, msPerItem: number, log: { slice: () => number; out: number[] }): Promise<void> {
  const slot = new PacedSlot(pacer);
  for (let k = 0; k < items; k++) {
    await slot.pace();
    work(msPerItem);
    log.out.push(log.slice());
  }
}

/** Counts event-loop turns (setImmediate chain) so slices can be told apart. */
function turnCounter() {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    turns++;
    if (!stopped) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turns, stop: () => (stopped = true) };
}

describe('DeliveryPacer', () => {
  it('hands the event loop back between slices: a timer set while streams run fires before they end', async () => {
    const pacer = new DeliveryPacer(2);
    let finishedStreams = 0;
    let timerFiredAfter = -1;
    const log = { slice: () => 0, out: [] as number[] };
    const streams = [0, 1, 2].map(() => stream(pacer, 200, 0.2, log).then(() => finishedStreams++));
    setTimeout(() => (timerFiredAfter = log.out.length), 0);
    await Promise.all(streams);
    expect(finishedStreams).toBe(3);
    // 600 items of 0.2 ms are 120 ms of work; the timer ran after a slice or two, not at the end.
    expect(timerFiredAfter).toBeGreaterThan(0);
    expect(timerFiredAfter).toBeLessThan(300);
  });

  it('lets streams take turns: each of three busy streams gets about a third of the slices', async () => {
    const pacer = new DeliveryPacer(2);
    const turns = turnCounter();
    const logs = [0, 1, 2].map(() => ({ slice: turns.now, out: [] as number[] }));
    // All three want far more than one slice; stop looking once the first is done.
    const first = await Promise.race(logs.map((log, i) => stream(pacer, 150, 0.2, log).then(() => i)));
    turns.stop();
    const slicesWorked = logs.map((l) => new Set(l.out).size);
    const total = slicesWorked.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(10);
    for (const n of slicesWorked) expect(n / total).toBeGreaterThan(0.2);
    // The others are close behind the first (round robin), not starved.
    for (const [i, l] of logs.entries()) if (i !== first) expect(l.out.length).toBeGreaterThan(100);
  });

  it('gives every stream turns when more wait than it resumes per turn: none is starved', async () => {
    const pacer = new DeliveryPacer(1);
    const delivered = new Array<number>(40).fill(0);
    let atFirstDone: number[] | null = null;
    await Promise.all(
      delivered.map(async (_, i) => {
        const slot = new PacedSlot(pacer);
        for (let k = 0; k < 20; k++) {
          await slot.pace();
          work(0.1);
          delivered[i]!++;
        }
        atFirstDone ??= [...delivered];
      }),
    );
    expect(delivered.every((n) => n === 20)).toBe(true);
    // Before any stream had all its 20 events out, every one of the 40 had been given turns.
    expect(Math.min(...atFirstDone!)).toBeGreaterThanOrEqual(5);
  });

  it('costs no turn while the slice has time left', async () => {
    const pacer = new DeliveryPacer(60_000); // a slice starts when the pacer is made
    const slot = new PacedSlot(pacer);
    let waits = 0;
    for (let k = 0; k < 1_000; k++) if (slot.pace()) waits++;
    expect(waits).toBe(0);
    // Once the slice is used up, the next pace is a wait for a later turn.
    const short = new PacedSlot(new DeliveryPacer(0));
    work(0.1);
    const wait = short.pace();
    expect(wait).toBeInstanceOf(Promise);
    await wait;
  });
});
