/**
 * A database of its own for a test that migrates step by step (upgrade tests): created in the
 * suite's PostgreSQL, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb } from '../db/knex';

export function scratchDatabase(prefix: string) {
  const url = new URL(inject('databaseUrl'));
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const adminDb = createDb(url.toString());
  let db: ReturnType<typeof createDb> | undefined;
  return {
    async create(): Promise<ReturnType<typeof createDb>> {
      await adminDb.raw(`create database "${name}"`);
      const target = new URL(url);
      target.pathname = `/${name}`;
      db = createDb(target.toString());
      return db;
    },
    async drop(): Promise<void> {
      await db?.destroy();
      await adminDb.raw(`drop database if exists "${name}"`);
      await adminDb.destroy();
    },
  };
}
