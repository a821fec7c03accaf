/** The API key the dashboard sends, kept in this browser's localStorage; listeners hear changes. */
const STORAGE_KEY = 'backtest-gql.apiKey';
const listeners = new Set<() => void>();

export function apiKey(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  const trimmed = key.trim();
  try {
    if (trimmed === '') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, trimmed);
  } catch {
    // Storage disabled: the key lasts for this page only.
  }
  for (const l of listeners) l();
}

export function onApiKeyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** `Bearer <key>`, or undefined without a key. */
export function authorization(): string | undefined {
  const key = apiKey();
  return key === '' ? undefined : `Bearer ${key}`;
}
