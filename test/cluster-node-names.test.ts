/** A worker node's BullMQ name carries its thread count (cluster-keys.ts), read back to size sweep chunks. */
import { describe, expect, it } from 'vitest';
import { nodeNameOf, threadsOfNodeName } from '../src/cluster/cluster-keys.js';

describe('worker node names', () => {
  it('end with the thread count, which reads back', () => {
    expect(nodeNameOf('box:1234', 8)).toBe('box:1234/8');
    expect(threadsOfNodeName(nodeNameOf('box:1234', 8))).toBe(8);
    // As BullMQ lists a connected worker: its client name, prefix and queue before the node's name.
    expect(threadsOfNodeName('backtest:bull:c3dlZXAtY2h1bmtz:w:box:1234/16')).toBe(16);
  });

  it('count as one thread when they carry no count', () => {
    expect(threadsOfNodeName('box:1234')).toBe(1);
    expect(threadsOfNodeName('')).toBe(1);
    expect(threadsOfNodeName('box/12345')).toBe(1); // more digits than any WORKERS allows
  });
});
