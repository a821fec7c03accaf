/** What the tests' own database and broker servers (postgres-server.ts, redis-server.ts) share. */
import { createServer } from 'node:net';
import { describe, it } from 'vitest';

/**
 * The policy for tests that need a system package's server, at a test file's top level:
 * `describe.runIf(requireServer('Redis', missingReason()))(...)`. True when they can run; false when
 * the server is missing (`reason`), which skips them locally but, under CI=true, also registers a
 * failing test saying what is missing: a missing server never passes as green in CI.
 */
export function requireServer(name: string, reason: string | null): boolean {
  if (reason === null) return true;
  if (process.env.CI === 'true') {
    describe(`${name} (CI)`, () => {
      it('is needed by these tests', () => {
        throw new Error(reason);
      });
    });
  }
  return false;
}

/** A port nothing listens on at the moment, on 127.0.0.1. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
