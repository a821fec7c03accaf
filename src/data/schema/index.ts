/** The storage schema: drizzle tables for both aggregates (drizzle.config.ts points here). */
export * from './api-keys.js';
export * from './market.js';
export * from './runs.js';
export * from './sweeps.js';
