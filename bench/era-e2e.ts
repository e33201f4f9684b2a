/**
 * ERA end-to-end bench: an X12 835 through POST /api/remittances (text/plain) into posting.
 *   npx tsx bench/era-e2e.ts [--claims 10000] [--posting 500] [--batch 50]
 *
 * Fresh embedded PostgreSQL + in-memory Temporal dev server (bench/env.ts), migrated and seeded.
 *
 * (a) Ingestion of one 835 with `--claims` claim payments (default 10,000). The claims exist in the
 *     `claims` table (rows inserted directly, as activities/claims.ts recordClaim writes them:
 *     claims, claim_versions, claim_lines, claim_events) but NO claim workflows run. The request
 *     runs in a forked child process holding only what the API process holds (knex pool, Temporal
 *     client, Fastify app; no worker), so its peak RSS (process.resourceUsage().maxRSS) is the
 *     ingestion's. Phases are timed by instrumenting the inbound service from outside (wrapping
 *     ingestRemittance and the Temporal client's getHandle):
 *       parse   = request in → ingestRemittance called (Fastify body + parse835All),
 *       store   = zod validation + BPR balance check + insert remittance & remittance_claims + match
 *                 against `claims` (until the first delivery attempt),
 *       deliver = one signal attempt per matched payment; with no workflow the signal fails
 *                 (WorkflowNotFoundError) and activities/inbound.ts parks the payment as
 *                 'claim_closed' and opens a `remittance_for_closed_claim` work item for it.
 *     So (a) measures the worst case of the delivery loop (every payment parked), not posting.
 * (b) Posting throughput through real claim workflows: `--posting` claims (default 500) POSTed
 *     through the API with the simulator set to `silence` for each (no ack, no remittance: they
 *     wait in `submitted`), then ONE 835 paying all of them at contract is POSTed to
 *     /api/remittances; measured until every claim is `closed` in the read model.
 * Stops everything and removes the temp dirs.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { startServers, attach, eventually, percentile, intArg, cpuSample, cpuLine, loadLine, MB, type Env, type ServerInfo, type Servers } from './env';
import { createInbound, type IngestReport } from '../ingest/inbound';
import { createDb } from '../db/knex';
import { generate835, type Generate835Options } from '../x12/generate-835';
import { tfesiClaim } from '../test/fixtures';
import { claimWorkflowId } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';
import type { ClaimPayment, Remittance } from '../domain/remittance';

const log = (m = '') => process.stdout.write(`${m}\n`);
const runTag = Date.now().toString(36);

const x12Options = (payerName: string): Generate835Options => ({
  sender: { id: 'SYNTHPAYER', name: payerName },
  receiver: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC' },
  payer: { name: payerName, companyId: '1999999999' },
  payee: { name: 'TEST PAIN CLINIC', npi: '1234567893' },
  controlNumbers: { isa: 1, gs: 1, st: 1 },
  createdAt: new Date().toISOString(),
});

// ------------------------------------------------------------------ (a) data

/** Claim i of part (a): commercial, lumbar TFESI two levels on the right (64483-RT + 64484-RT). */
function eraClaim(i: number): ClaimDocument {
  return {
    claimId: `ERA-${runTag}-${String(i + 1).padStart(6, '0')}`,
    practiceId: 'demo-pain',
    payerId: 'COMMERCIAL',
    coverage: { memberId: `CM${String(100000 + i)}`, priority: 'primary' },
    patient: { id: `PT-ERA-${i + 1}`, birthDate: '1966-05-01', sex: i % 2 ? 'F' : 'M' },
    renderingNpi: '1234567893',
    serviceDate: '2026-02-10',
    placeOfService: '24',
    diagnoses: ['M54.17'],
    lines: [
      { cpt: '64483', modifiers: ['RT'], units: 1, chargeCents: 90000 + (i % 97) * 100, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['RT'], units: 1, chargeCents: 40000, diagnosisPointers: [1] },
    ],
    documentation: {
      procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'right', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }],
    },
  };
}

/** The rows recordClaim (activities/claims.ts) writes for a new claim, for many claims at once. */
async function insertClaims(db: Knex, claims: ClaimDocument[], status: string): Promise<void> {
  const at = new Date().toISOString();
  for (let i = 0; i < claims.length; i += 500) {
    const chunk = claims.slice(i, i + 500);
    await db.transaction(async (trx) => {
      await trx('claims').insert(
        chunk.map((claim) => {
          const billedCents = claim.lines.reduce((s, l) => s + l.chargeCents, 0);
          return {
            claim_id: claim.claimId,
            practice_id: claim.practiceId,
            payer_id: claim.payerId,
            rendering_npi: claim.renderingNpi,
            service_date: claim.serviceDate,
            place_of_service: claim.placeOfService,
            status,
            version: 1,
            billed_cents: billedCents,
            cpt_codes: [...new Set(claim.lines.map((l) => l.cpt))],
            document: claim,
            workflow_id: claimWorkflowId(claim.practiceId, claim.claimId),
            dollars_at_risk_cents: billedCents,
            created_at: at,
            updated_at: at,
          };
        }),
      );
      await trx('claim_versions').insert(chunk.map((claim) => ({ practice_id: claim.practiceId, claim_id: claim.claimId, version: 1, document: claim, reason: 'original', actor: 'bench', created_at: at })));
      await trx('claim_lines').insert(
        chunk.flatMap((claim) => claim.lines.map((l, n) => ({ practice_id: claim.practiceId, claim_id: claim.claimId, line_number: n + 1, cpt: l.cpt, modifiers: l.modifiers ?? [], units: l.units, charge_cents: l.chargeCents }))),
      );
      await trx('claim_events').insert(
        chunk.map((claim) => ({ practice_id: claim.practiceId, claim_id: claim.claimId, at, actor: 'bench', from_status: null, to_status: 'charge_entered', idempotency_key: `${claimWorkflowId(claim.practiceId, claim.claimId)}:entered` })),
      );
    });
  }
}

/** Same payment shape as bench/era.ts: paid at 60 % / partly cut add-on, PR-3 copay on every fifth, one PLB. */
function eraRemittance(claims: ClaimDocument[]): Remittance {
  const payments: ClaimPayment[] = claims.map((claim, i) => {
    const charged1 = claim.lines[0].chargeCents;
    const paid1 = Math.floor(charged1 * 0.6);
    const charged2 = claim.lines[1].chargeCents;
    const paid2 = 25000 - (i % 3) * 2500;
    const pr = i % 5 === 0 ? 2500 : 0;
    return {
      claimId: claim.claimId,
      statusCode: '1',
      chargedCents: charged1 + charged2,
      paidCents: paid1 + paid2 - pr,
      patientResponsibilityCents: pr,
      payerClaimControlNumber: `PCN${i + 1}`,
      adjustments: pr ? [{ group: 'PR', carc: '3', amountCents: pr }] : [],
      remarks: [],
      lines: [
        { lineNumber: 1, cpt: '64483', modifiers: ['RT'], chargedCents: charged1, paidCents: paid1, allowedCents: paid1, units: 1, serviceDate: claim.serviceDate, adjustments: [{ group: 'CO', carc: '45', amountCents: charged1 - paid1 }], remarks: [] },
        {
          lineNumber: 2, cpt: '64484', modifiers: ['RT'], chargedCents: charged2, paidCents: paid2, allowedCents: 25000, units: 1, serviceDate: claim.serviceDate,
          adjustments: [{ group: 'CO', carc: '45', amountCents: 15000 }, ...(paid2 < 25000 ? [{ group: 'CO' as const, carc: '59', amountCents: 25000 - paid2 }] : [])],
          remarks: paid2 < 25000 ? ['N381'] : [],
        },
      ],
    };
  });
  const plb = [{ reasonCode: 'L6', amountCents: -1234 }];
  const total = payments.reduce((s, c) => s + c.paidCents, 0) + 1234;
  return { payerId: 'COMMERCIAL', traceNumber: `BENCH-EFT-${runTag}`, totalPaidCents: total, paymentDate: '2026-03-06', adjudicationDate: '2026-03-04', claims: payments, providerAdjustments: plb };
}

// ------------------------------------------------------------------ (a) child: the ingestion

type IngestResult = {
  status: number;
  bytes: number;
  rssBeforeMb: number;
  maxRssAfterParseMb: number;
  maxRssAfterStoreMb: number;
  maxRssMb: number;
  parseMs: number;
  storeMs: number;
  deliverMs: number;
  replyMs: number;
  totalMs: number;
  signalAttempts: number;
  /** CPU seconds (user + system) of the child during the request. */
  cpuMs: number;
  report?: Omit<IngestReport, 'matched' | 'unmatched'> & { matched: number; unmatched: number };
  error?: string;
};

async function ingestChild(info: ServerInfo, file: string): Promise<IngestResult> {
  const marks = { ingestStart: 0, firstSignal: 0, ingestEnd: 0, rssAfterParse: 0, rssAfterStore: 0, signals: 0 };
  const maxRss = () => process.resourceUsage().maxRSS / 1024; // KiB → MiB
  const env = await attach(info, {
    worker: false,
    makeInbound: ({ db, client }) => {
      // Same service, with the Temporal client wrapped only to time the first delivery attempt.
      const timedClient = {
        workflow: {
          getHandle: (workflowId: string) => {
            if (!marks.firstSignal) {
              marks.firstSignal = performance.now();
              marks.rssAfterStore = maxRss();
            }
            marks.signals++;
            return client.workflow.getHandle(workflowId);
          },
        },
      } as unknown as Client;
      const real = createInbound({ db, temporal: timedClient });
      return {
        ...real,
        async ingestRemittance(input: unknown, source: string) {
          marks.ingestStart = performance.now();
          marks.rssAfterParse = maxRss();
          try {
            return await real.ingestRemittance(input, source);
          } finally {
            marks.ingestEnd = performance.now();
          }
        },
      };
    },
  });
  try {
    const text = readFileSync(file, 'utf8');
    global.gc?.();
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await env.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...env.auth, 'content-type': 'text/plain' }, payload: text });
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const body = res.json() as { remittances?: IngestReport[]; message?: string };
    const r = body.remittances?.[0];
    const end = marks.ingestEnd || t1;
    const firstSignal = marks.firstSignal || end;
    return {
      status: res.statusCode,
      bytes: Buffer.byteLength(text),
      rssBeforeMb: rssBefore,
      maxRssAfterParseMb: marks.rssAfterParse,
      maxRssAfterStoreMb: marks.rssAfterStore || maxRss(),
      maxRssMb: maxRss(),
      parseMs: (marks.ingestStart || t1) - t0,
      storeMs: firstSignal - marks.ingestStart,
      deliverMs: end - firstSignal,
      replyMs: t1 - end,
      totalMs: t1 - t0,
      signalAttempts: marks.signals,
      cpuMs: (cpu.user + cpu.system) / 1000,
      report: r ? { ...r, matched: r.matched.length, unmatched: r.unmatched.length } : undefined,
      error: res.statusCode >= 300 ? `${res.statusCode} ${body.message ?? res.body.slice(0, 300)}` : undefined,
    };
  } finally {
    await env.close();
  }
}

async function partA(servers: Servers, n: number, workDir: string): Promise<void> {
  log(`(a) ingestion of one 835 with ${n.toLocaleString('en-US')} claim payments, claims in the read model, NO claim workflows`);
  const db = createDb(servers.databaseUrl);
  try {
    const claims = Array.from({ length: n }, (_, i) => eraClaim(i));
    let t = Date.now();
    await insertClaims(db, claims, 'acknowledged');
    log(`   setup: ${n.toLocaleString('en-US')} claims inserted directly (claims/claim_versions/claim_lines/claim_events rows as recordClaim writes them, status 'acknowledged') in ${Date.now() - t} ms`);
    t = Date.now();
    const text = generate835(eraRemittance(claims), x12Options('SYNTHETIC HEALTH PLAN'));
    const file = path.join(workDir, `era-${n}.835`);
    writeFileSync(file, text);
    log(`   setup: 835 generated (generate835): ${text.split('\n').length - 1} segments, ${MB(statSync(file).size)}, in ${Date.now() - t} ms`);

    log(`   before: ${loadLine()}`);
    const cpu0 = cpuSample(servers);
    const w0 = performance.now();
    const result = await new Promise<IngestResult>((resolve, reject) => {
      const child = fork(__filename, ['--ingest-child', file], { env: { ...process.env, RCM_BENCH_SERVERS: JSON.stringify(servers satisfies ServerInfo) } });
      let got: IngestResult | undefined;
      child.on('message', (m) => (got = m as IngestResult));
      child.on('error', reject);
      child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`ingest child exited ${code} without a result`))));
    });
    const wallMs = performance.now() - w0;
    if (result.error) throw new Error(`POST /api/remittances failed: ${result.error}`);
    const rep = result.report!;
    log(`   POST /api/remittances (text/plain, ${MB(result.bytes)}) -> ${result.status} in ${(result.totalMs / 1000).toFixed(2)} s:`);
    log(`     parse    (Fastify body + parse835All, ${rep.claims.toLocaleString('en-US')} claims):             ${result.parseMs.toFixed(0).padStart(6)} ms`);
    log(`     store    (zod validate + balance + insert remittance/remittance_claims + match): ${result.storeMs.toFixed(0).padStart(6)} ms  -> ${rep.matched} matched, ${rep.unmatched} unmatched`);
    log(`     deliver  (${result.signalAttempts.toLocaleString('en-US')} signal attempts; no workflow -> parked + work item each): ${result.deliverMs.toFixed(0).padStart(6)} ms  -> ${rep.delivered} delivered (${(result.deliverMs / Math.max(1, result.signalAttempts)).toFixed(2)} ms per payment)`);
    log(`     reply    (serialize the report):                                            ${result.replyMs.toFixed(0).padStart(6)} ms`);
    log(`     parse + validate + store + match (everything but the delivery loop): ${(result.parseMs + result.storeMs).toFixed(0)} ms`);
    log(`   peak RSS of the ingesting process (app + knex + Temporal client, no worker), process.resourceUsage().maxRSS:`);
    log(`     RSS before the request ${result.rssBeforeMb.toFixed(1)} MB (835 text already read); peak after parse ${result.maxRssAfterParseMb.toFixed(1)} MB; after store+match ${result.maxRssAfterStoreMb.toFixed(1)} MB; overall ${result.maxRssMb.toFixed(1)} MB`);
    log(`   ${cpuLine(servers, cpu0, wallMs, `ingesting process ${(result.cpuMs / 1000).toFixed(1)} s (during the request)`)}; servers' figures include the child's start-up`);
    log(`   after: ${loadLine()}`);
    const byStatus = await db('remittance_claims').where('claim_id', 'like', `ERA-${runTag}-%`).groupBy('match_status').select('match_status').count('* as n');
    const items = await db('work_items').where({ kind: 'remittance_for_closed_claim' }).count<{ n: number }[]>('* as n');
    log(`   database afterwards: remittance_claims by match_status ${byStatus.map((r) => `${r.match_status}=${r.n}`).join(', ')}; ${items[0].n} open 'remittance_for_closed_claim' work items`);
    log(`   (honest reading: with no workflow behind the claims, inbound.ts parks every payment as 'claim_closed' for manual posting; nothing is posted in (a))`);
  } finally {
    await db.destroy();
  }
}

// ------------------------------------------------------------------ (b) posting through workflows

async function partB(env: Env, servers: Servers, n: number, batch: number): Promise<void> {
  log();
  log(`(b) posting through real claim workflows: ${n} claims POSTed via the API, simulator 'silence' for each (they wait in 'submitted'), then one 835 paying all`);
  const claims = Array.from({ length: n }, (_, i) => tfesiClaim(`POST-${runTag}-${String(i + 1).padStart(5, '0')}`));
  const prefix = `POST-${runTag}-%`;
  for (const c of claims) env.simulator.behaveFor(c.claimId, { kind: 'silence' });
  let t = performance.now();
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      claims.slice(i, i + batch).map(async (claim) => {
        const res = await env.app.inject({ method: 'POST', url: '/api/claims', headers: env.auth, payload: claim });
        if (res.statusCode !== 201) throw new Error(`POST /api/claims ${claim.claimId}: ${res.statusCode} ${res.body}`);
      }),
    );
  }
  const countStatus = async (status: string) => Number((await env.db('claims').where('claim_id', 'like', prefix).where({ status }).count<{ n: number }[]>('* as n'))[0].n);
  await eventually(async () => ((await countStatus('submitted')) >= n ? true : undefined), `${n} claims submitted`, Math.max(120_000, n * 1_000), 100);
  log(`   setup: ${n} claims POSTed and all 'submitted' (837P sent, no answer) after ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // The 835 a payer paying each claim at contract would send (the simulator's own 'pay' payment).
  const payments = claims.map((c) => env.simulator.claimPayment(c, c.payerId, { kind: 'pay' }));
  const remittance: Remittance = {
    payerId: 'MEDICARE',
    traceNumber: `BENCH-POST-${runTag}`,
    totalPaidCents: payments.reduce((s, p) => s + p.paidCents, 0),
    paymentDate: new Date().toISOString().slice(0, 10),
    adjudicationDate: new Date().toISOString().slice(0, 10),
    claims: payments,
    providerAdjustments: [],
  };
  const text = generate835(remittance, x12Options('DEMO MEDICARE MAC'));
  log(`   835: ${n} claim payments, ${text.split('\n').length - 1} segments, ${MB(Buffer.byteLength(text))}, total paid ${(remittance.totalPaidCents / 100).toFixed(2)} USD`);

  const closedAt = new Map<string, number>();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows: Array<{ claim_id: string }> = await env.db('claims').where('claim_id', 'like', prefix).where({ status: 'closed' }).select('claim_id');
      const now = performance.now();
      for (const r of rows) if (!closedAt.has(r.claim_id)) closedAt.set(r.claim_id, now);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const cpu0 = cpuSample(servers);
  log(`   before: ${loadLine()}`);
  t = performance.now();
  const res = await env.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...env.auth, 'content-type': 'text/plain' }, payload: text });
  const tReply = performance.now();
  if (res.statusCode !== 201) {
    polling = false;
    await poller;
    throw new Error(`POST /api/remittances: ${res.statusCode} ${res.body.slice(0, 500)}`);
  }
  const report = (res.json() as { remittances: IngestReport[] }).remittances[0];
  try {
    await eventually(async () => (closedAt.size >= n ? true : undefined), `${n} claims closed`, Math.max(120_000, n * 1_000), 25);
  } catch (err) {
    const statuses = await env.db('claims').where('claim_id', 'like', prefix).groupBy('status').select('status').count('* as n');
    throw new Error(`${(err as Error).message}; read-model statuses: ${JSON.stringify(statuses)}`);
  } finally {
    polling = false;
    await poller;
  }
  const wallMs = Math.max(...closedAt.values()) - t;
  const lat = [...closedAt.values()].map((v) => v - t).sort((a, b) => a - b);
  const posted = await env.db('payments').where('claim_id', 'like', prefix).count<{ n: number }[]>('* as n');
  log(`   POST /api/remittances -> ${res.statusCode} in ${(tReply - t).toFixed(0)} ms (parse + store + match + ${report.delivered} signals delivered; ${report.matched.length} matched, ${report.unmatched.length} unmatched)`);
  log(`   all ${n} claims closed ${(wallMs / 1000).toFixed(2)} s after the POST: ${(n / (wallMs / 1000)).toFixed(1)} claims posted and closed per second`);
  log(`   835 POST -> claim closed: p50 ${percentile(lat, 50).toFixed(0)} ms, p95 ${percentile(lat, 95).toFixed(0)} ms, first ${lat[0].toFixed(0)} ms, last ${lat[lat.length - 1].toFixed(0)} ms`);
  log(`   ${cpuLine(servers, cpu0, wallMs)}`);
  log(`   after: ${loadLine()}`);
  log(`   database afterwards: ${posted[0].n} payments rows for these claims`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const nEra = intArg('claims', 10_000);
  const nPost = intArg('posting', 500);
  const batch = intArg('batch', 50);
  const cpus = os.cpus();
  log(`bench:era:e2e  node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${loadLine()}`);
  log('How measured: embedded PostgreSQL and the Temporal dev server (in-memory SQLite) as child processes on this machine;');
  log('the Fastify app driven with app.inject (no socket). (a) runs in a forked child without a worker; (b) runs one worker');
  log('with the payer simulator (zero delays) in this process.');
  log();
  const workDir = mkdtempSync(path.join(tmpdir(), 'rcm-bench-era-835-'));
  const servers = await startServers('era');
  let env: Env | undefined;
  try {
    await partA(servers, nEra, workDir);
    const tb = Date.now();
    env = await attach(servers, { simulator: { ackDelayMs: 0, remitDelayMs: 0 } });
    log();
    log(`worker + app ready in ${Date.now() - tb} ms`);
    await partB(env, servers, nPost, batch);
  } finally {
    await env?.close();
    await servers.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  log();
  log(`peak RSS of the main bench process (part b: app + worker + simulator): ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
  log('stopped: worker, app, Temporal dev server, PostgreSQL; temp dirs removed');
}

if (process.argv[2] === '--ingest-child') {
  const info = JSON.parse(process.env.RCM_BENCH_SERVERS ?? '{}') as ServerInfo;
  ingestChild(info, process.argv[3]).then(
    (r) => process.send!(r, () => process.exit(0)),
    (err) => {
      process.stderr.write(`ingest child failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
} else {
  main().then(
    () => setTimeout(() => process.exit(0), 5_000).unref(),
    (err) => {
      process.stderr.write(`bench:era:e2e failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
