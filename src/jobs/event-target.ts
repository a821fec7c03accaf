import { setMaxListeners } from 'node:events';

/** An EventTarget for a pubsub: many subscribers per topic are normal; Node would warn past 10. */
export function pubsubEventTarget(): EventTarget {
  const target = new EventTarget();
  setMaxListeners(100_000, target);
  return target;
}
