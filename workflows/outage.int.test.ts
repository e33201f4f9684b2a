/**
 * An outage delays claims, it never fails them (issue 11): a real PostgreSQL of its own, frozen
 * with SIGSTOP while claims are in flight and their payer answers are pending. Meanwhile /health
 * and the API answer 503 naming PostgreSQL; after the thaw every claim closes, paid once, and no
 * workflow execution failed. (The seven-minute version with 30 claims is `npm run bench:outage`.)
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDb } from '../lib/embedded-postgres';
import { freePort } from '../lib/temporal-dev-server';
import { createDb, migrateLatest } from '../db/knex';
import { seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { createApiToken } from '../api/tokens';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { freezePostgres } from '../test/outage';
import { tfesiClaim } from '../test/fixtures';
import { claimWorkflowId } from '../contracts/claim';

const FREEZE_MS = 45_000;
let dir: string;
let pg: EmbeddedDb | undefined;
let h: Harness | undefined;
let token: string;
let thaw: (() => void) | undefined;

beforeAll(async () => {
  const root = path.resolve(__dirname, '..', '.test-data');
  mkdirSync(root, { recursive: true });
  dir = mkdtempSync(path.join(root, 'outage-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` when we are root
  pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: 'rcm_outage' });
  const db = createDb(pg.url);
  await migrateLatest(db);
  const year = new Date().getUTCFullYear();
  await seedDemo(db, { years: [year - 1, year, year + 1], feeSchedule: demoFeeSchedule });
  token = await createApiToken(db, { name: 'outage-biller', role: 'biller' });
  await db.destroy();
  // Answers come 3 s and 9 s after each 837P: they fall due while the database is frozen.
  h = await startHarness({ databaseUrl: pg.url, durableSimulator: true, simulator: { ackDelayMs: 3000, remitDelayMs: 6000 } });
}, 180_000);

afterAll(async () => {
  thaw?.();
  await h?.close();
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an outage delays claims, never fails them', () => {
  it('PostgreSQL frozen 45 s with 6 claims in flight: 503 naming PostgreSQL meanwhile; then every claim closes, paid once, no failed workflow', async () => {
    const harness = h!;
    const auth = { authorization: `Bearer ${token}` };
    const ids = Array.from({ length: 6 }, (_, i) => uniqueId(`OUTAGE${i}`));
    for (const id of ids) {
      const claim = tfesiClaim(id);
      const res = await harness.app.inject({ method: 'POST', url: '/api/claims', headers: auth, payload: { ...claim, patient: { ...claim.patient, id: uniqueId('PT') } } });
      expect(res.statusCode, res.body).toBe(201);
    }
    // Every 837P is out and its two answers are stored, none delivered yet.
    await eventually(async () => {
      const [{ n }] = await harness.db('simulator_answers').whereIn('claim_id', ids).count({ n: '*' });
      return Number(n) === ids.length * 2 ? true : undefined;
    }, 'every claim submitted with its answers pending');

    const frozenAt = Date.now();
    thaw = freezePostgres(dir);
    try {
      const health = await harness.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().dependencies.postgres.status).toBe('down');
      expect(health.json().dependencies.temporal.status).toBe('ok');
      const list = await harness.app.inject({ method: 'GET', url: '/api/claims', headers: auth });
      expect(list.statusCode, list.body).toBe(503);
      expect(list.json()).toMatchObject({ error: 'service_unavailable', dependency: 'postgres' });
      expect(list.headers['retry-after']).toBe('30');
      const left = FREEZE_MS - (Date.now() - frozenAt);
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    } finally {
      thaw();
    }

    for (const id of ids) {
      await eventually(
        async () => {
          const d = await harness.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, id)).describe();
          if (d.status.name !== 'RUNNING' && d.status.name !== 'COMPLETED') throw new Error(`claim ${id} ended ${d.status.name}`);
          return d.status.name === 'COMPLETED' ? d : undefined;
        },
        `claim ${id} closed after the outage`,
        240_000,
      );
    }
    const closed = await harness.db('claims').whereIn('claim_id', ids).orderBy('claim_id').select('claim_id', 'status');
    expect(closed.map((c) => c.status)).toEqual(ids.map(() => 'closed'));
    const payments = await harness.db('payments').whereIn('claim_id', ids).select('claim_id');
    expect(payments.map((p) => p.claim_id).sort()).toEqual([...ids].sort());
    const undelivered = await harness.db('simulator_answers').whereIn('claim_id', ids).whereNull('delivered_at');
    expect(undelivered).toHaveLength(0);
  }, 420_000);
});
