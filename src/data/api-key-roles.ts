/** The roles an API key can have (what each allows: src/auth/principal.ts). No imports: the CLI's help reads it. */
export const API_KEY_ROLES = ['read', 'run', 'admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
