/**
 * globalSetup of the `postgres` test project (vitest.config.ts): one PostgreSQL server for all its
 * files, and a database holding the demo data that each test server's database is copied from
 * (CREATE DATABASE ... TEMPLATE: a file copy, where seeding takes seconds).
 */
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/data/postgres-db.js';
import { seedDemoData } from '../../src/data/pg/demo.js';
import { createDatabase, missingReason, startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the shared server. */
    postgresServerUrl: string;
    /** The database with the demo data, to copy from. */
    postgresSeededTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = missingReason();
  if (missing !== null) throw new Error(`the postgres test project needs PostgreSQL: ${missing}`);
  const server = await startPostgres();
  try {
    const template = await createDatabase(server.url);
    const pg = await openPostgres(template.url);
    try {
      await seedDemoData(pg);
    } finally {
      await pg.close();
    }
    project.provide('postgresServerUrl', server.url);
    project.provide('postgresSeededTemplate', template.name);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return () => server.stop();
}
