/**
 * A PostgreSQL of a suite's own (embedded, under .test-data/), migrated and seeded like the shared
 * one, with one API token: for suites that stop, freeze or share it with a server of their own
 * (test/cluster.int.test.ts).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDb } from '../lib/embedded-postgres';
import { freePort } from '../lib/temporal-dev-server';
import { createDb, migrateLatest } from '../db/knex';
import { seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { createApiToken } from '../api/tokens';
import type { Role } from '../api/tokens';

export type OwnPostgres = { dir: string; pg: EmbeddedDb; token: string; remove(): Promise<void> };

export async function startOwnPostgres(opts: { prefix: string; database: string; user: { name: string; role: Role } }): Promise<OwnPostgres> {
  const root = path.resolve(__dirname, '..', '.test-data');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, `${opts.prefix}-`));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` when we are root
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: opts.database });
  const db = createDb(pg.url);
  await migrateLatest(db);
  const year = new Date().getUTCFullYear();
  await seedDemo(db, { years: [year - 1, year, year + 1], feeSchedule: demoFeeSchedule });
  const token = await createApiToken(db, opts.user);
  await db.destroy();
  return {
    dir,
    pg,
    token,
    async remove() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
