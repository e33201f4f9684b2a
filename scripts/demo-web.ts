/**
 * A throwaway instance of the whole product for `npm run screenshots` (and the first-paint figure):
 * embedded PostgreSQL (fresh data dir under .scratch/), an in-memory Temporal dev server, the
 * worker with the payer simulator, the API with the built web app on a free port, and a dozen
 * claims of demo-pain driven through their workflows (paid, paid short, denied, unanswered).
 */
import { mkdirSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../lib/embedded-postgres';
import { freePort, startTemporalDevServer } from '../lib/temporal-dev-server';
import { createDb, migrateLatest } from '../db/knex';
import { DEMO_PRACTICE_ID, seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { createApiToken } from '../api/tokens';
import { parseEncryptionKeys } from '../lib/config';
import { createTemporalClient } from '../lib/temporal-client';
import { AesGcmCodec } from '../lib/codec';
import { bundleWorkflows, createRcmWorker } from '../workers/worker';
import { PayerSimulator, type PayerBehaviour } from '../activities/gateway/simulator';
import { createInbound } from '../ingest/inbound';
import { buildApp } from '../api/app';
import { ensureWebBuilt } from './build-web';
import { tfesiClaim } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import type { ClaimDocument } from '../domain/claim-document';

Runtime.install({ logger: new DefaultLogger('WARN') });

export type DemoWeb = { base: string; tokens: { biller: string; provider: string }; claimIds: string[]; close(): Promise<void> };

const twoLevel = (id: string, dos: string): ClaimDocument =>
  tfesiClaim(id, {
    serviceDate: dos,
    lines: [
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
    ],
    documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
  });

export async function startDemoWeb(log = (s: string) => process.stdout.write(`${s}\n`)): Promise<DemoWeb> {
  ensureWebBuilt({ log });
  const root = path.resolve(__dirname, '..', '.scratch');
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'demo-web-'));
  chmodSync(dir, 0o755);
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    log('demo: starting PostgreSQL and Temporal…');
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: 'rcm_demo' });
    cleanups.push(() => pg.stop());
    const temporal = await startTemporalDevServer({ port: await freePort(), namespace: 'default' });
    cleanups.push(() => temporal.stop());
    const db = createDb(pg.url);
    cleanups.push(() => db.destroy());
    await migrateLatest(db);
    const year = new Date().getUTCFullYear();
    await seedDemo(db, { years: [year - 1, year], feeSchedule: demoFeeSchedule });
    const tokens = {
      biller: await createApiToken(db, { name: 'maria.biller', role: 'biller', practiceIds: [DEMO_PRACTICE_ID] }),
      provider: await createApiToken(db, { name: 'dr.provider', role: 'provider', practiceIds: [DEMO_PRACTICE_ID] }),
    };
    const keys = parseEncryptionKeys(`demo-1:${randomBytes(32).toString('base64')}`);
    const client = await createTemporalClient(temporal.address, 'default', keys);
    cleanups.push(() => client.connection.close());
    const connection = await NativeConnection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const inbound = createInbound({ db, temporal: client });
    const simulator = new PayerSimulator({ ackDelayMs: 20, remitDelayMs: 50 });
    simulator.sink = inbound;
    simulator.resume();
    cleanups.push(() => simulator.stop());
    log('demo: bundling workflows…');
    const worker = await createRcmWorker({ connection, namespace: 'default', db, gateway: simulator, keys, workflowBundle: await bundleWorkflows() });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });
    const app = await buildApp({ db, temporal: client, inbound, codec: new AesGcmCodec(keys), config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const today = new Date().toISOString().slice(0, 10);
    const plan: Array<[string, number, PayerBehaviour, boolean]> = [
      ['pay', -6, { kind: 'pay' }, true],
      ['pay', -20, { kind: 'pay' }, false],
      ['mpr', -12, { kind: 'mpr_wrong' }, true],
      ['mpr', -33, { kind: 'mpr_wrong' }, true],
      ['deny', -25, { kind: 'deny', carc: '50', rarc: 'N115' }, false],
      ['deny', -48, { kind: 'deny', carc: '16', rarc: 'M51' }, false],
      ['silent', -4, { kind: 'silence' }, false],
      ['silent', -38, { kind: 'silence' }, true],
      ['silent', -66, { kind: 'silence' }, false],
      ['silent', -95, { kind: 'silence' }, true],
      ['underpay', -15, { kind: 'underpay', percentOfExpected: 90 }, false],
      ['reject', -9, { kind: 'reject', reason: 'A7:562 entity identifier invalid' }, false],
    ];
    const claimIds: string[] = [];
    log(`demo: ${plan.length} claims through their workflows…`);
    for (const [i, [label, days, behaviour, two]] of plan.entries()) {
      const id = `DEMO-${label.toUpperCase()}-${Date.now().toString(36).slice(-4)}${i}`;
      simulator.behaveFor(id, behaviour);
      const dos = addCalendarDays(today, days);
      const doc = two ? twoLevel(id, dos) : tfesiClaim(id, { serviceDate: dos, patient: { id: `PT-${1001 + i}`, birthDate: '1958-03-14', sex: 'F' } });
      const res = await fetch(`${base}/api/claims`, { method: 'POST', headers: { authorization: `Bearer ${tokens.biller}`, 'content-type': 'application/json' }, body: JSON.stringify(doc) });
      if (res.status !== 201) throw new Error(`demo claim ${id}: ${res.status} ${await res.text()}`);
      claimIds.push(id);
    }
    // Let acknowledgements and remittances arrive and post.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const posted = await db('payments').whereIn('claim_id', claimIds).countDistinct({ n: 'claim_id' });
      if (Number(posted[0].n) >= 5) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1500));
    return { base, tokens, claimIds, close };
  } catch (err) {
    await close();
    throw err;
  }
}
