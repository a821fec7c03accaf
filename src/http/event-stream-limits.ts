/**
 * The send-buffer bound for subscriptions over SSE. Yoga's SSE body is pulled only when the Node
 * response has drained (whatwg-node waits for 'drain' when write() returns false), so a stream
 * never runs ahead of its reader and at most about one event sits above the response's high-water
 * mark. What is left to bound is a reader that stops: a response that has waited for 'drain' for
 * `stallMs`, or holds more than `maxSendBufferBytes` unsent, is destroyed. SSE has no close code;
 * the client sees the stream end without a `complete` event and may subscribe again. Destroying
 * the response aborts the request's signal, which ends the subscription (subscription-admission.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionWatch } from './slow-consumers.js';
import type { TransportLimits } from './transport-limits.js';

type Limits = Pick<TransportLimits, 'maxSendBufferBytes' | 'stallMs'>;

export interface EventStreamGuard {
  /** Watches `res` while it is open when the request asks for an event stream; does nothing otherwise. */
  guard(req: IncomingMessage, res: ServerResponse): void;
  /** Event streams closed so far for not keeping up. */
  slowClosed(): number;
}

export function eventStreamGuard(limits: Limits): EventStreamGuard {
  const watch = new ConnectionWatch(limits.stallMs); // its timer runs only while some stream is open
  let slowClosed = 0;
  const closeSlow = (res: ServerResponse) => {
    slowClosed++;
    res.destroy();
  };
  return {
    slowClosed: () => slowClosed,
    guard(req, res) {
      if (!String(req.headers.accept ?? '').includes('text/event-stream')) return;
      let waitingSince: number | null = null;
      const unwatch = watch.add({
        check(now) {
          if (res.destroyed) return;
          if (res.writableLength > limits.maxSendBufferBytes) closeSlow(res);
          else if (!res.writableNeedDrain) waitingSince = null;
          else if (waitingSince === null) waitingSince = now;
          else if (now - waitingSince > limits.stallMs) closeSlow(res);
        },
      });
      res.on('drain', () => (waitingSince = null));
      res.once('close', unwatch);
    },
  };
}
