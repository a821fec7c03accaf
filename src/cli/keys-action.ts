/** `backtest keys` create, list and revoke against the database. */
import { ApiKeyError, type ApiKeyRecord } from '../data/api-key-rules.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';
import { withStorage } from './with-storage.js';

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

const toJson = (k: ApiKeyRecord) => ({ id: k.id, name: k.name, role: k.role, createdAt: iso(k.createdAt), revokedAt: k.revokedAt === null ? null : iso(k.revokedAt) });

export function createKeyCommand(name: string, role: string, json: boolean): Promise<void> {
  return withStorage(async (storage) => {
    let created: { key: ApiKeyRecord; secret: string };
    try {
      created = await storage.createApiKey(name, role);
    } catch (e) {
      if (e instanceof ApiKeyError) throw new UsageError(`--${e.field}: ${e.message}`);
      throw e;
    }
    if (json) console.log(JSON.stringify({ ...toJson(created.key), secret: created.secret }));
    else console.log(`created key ${created.key.name} (role ${created.key.role}); its secret, shown only now:\n${created.secret}`);
  });
}

export function listKeysCommand(json: boolean): Promise<void> {
  return withStorage(async (storage) => {
    const all = await storage.listApiKeys();
    if (json) console.log(JSON.stringify(all.map(toJson)));
    else if (all.length === 0) console.log('no API keys: the service is open, on loopback addresses only');
    else console.log(formatTable(['id', 'name', 'role', 'created', 'revoked'], all.map((k) => [String(k.id), k.name, k.role, iso(k.createdAt), iso(k.revokedAt)])));
  });
}

export function revokeKeyCommand(key: string): Promise<void> {
  return withStorage(async (storage) => {
    const revoked = await storage.revokeApiKey(key);
    if (!revoked) throw new UsageError(`<key>: no API key named or numbered ${JSON.stringify(key.slice(0, 64))} (see \`backtest keys list\`)`);
    console.log(`revoked key ${revoked.name} (id ${revoked.id})`);
  });
}
