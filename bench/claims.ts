/**
 * Claim workflow bench (end to end, real servers):
 *   npm run bench:claims [-- --claims 200 --batch 50] [-- --preload date-holidays]
 *
 * Starts a fresh embedded PostgreSQL and an in-memory Temporal dev server (SQLite in memory),
 * migrates + seeds, runs ONE worker with the payer simulator (ackDelayMs 0, remitDelayMs 0) and
 * the Fastify app (driven with `inject`, no socket), then prints:
 *   A. Temporal history events per claim: a clean Medicare claim to `closed`; an underpaid
 *      two-line claim (64483-LT + 64484-LT, simulator `mpr_wrong`) at `posted` (dispute open) and
 *      again at `closed` after the dispute work item is completed through the API.
 *   B. Throughput of the clean path: N claims POSTed in concurrent batches, wall time until all
 *      are `closed` in the read model, claims/s, p50/p95 POST→closed, CPU per claim.
 *   C. The yardstick: N bare workflows (20 no-op activities, 2 signals) on the same server, and
 *      the ratio of B's claims/s to C's workflows/s (issue 16).
 * Stops everything and removes the temp data dir. Asserts nothing beyond "the claims got there".
 *
 * Experiment (not the production configuration): `--preload m1,m2` bundles the workflow code with
 * the SDK's `preloadModules` so those modules are evaluated once per reusable V8 context instead of
 * once per workflow (the SDK keeps a module cache per workflow activator).
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { encryptingDataConverter } from '../workers/worker';
import { parseEncryptionKeys } from '../lib/config';
import { bareActivities } from './bare/activities';
import { workflowsPath } from '../workers/worker';
import { temporal } from '@temporalio/proto';
import { startServers, attach, eventually, percentile, intArg, cpuSample, cpuLine, loadLine, selfCpuSeconds, threadCpuLine, threadCpuSeconds, MB, type Env, type Servers } from './env';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, type ClaimWorkflowState } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';

const log = (m = '') => process.stdout.write(`${m}\n`);
const runTag = Date.now().toString(36);

/** Medicare lumbar TFESI L4-L5 and L5-S1 on the left: 64483-LT + 64484-LT. */
function twoLevelTfesi(claimId: string): ClaimDocument {
  return tfesiClaim(claimId, {
    lines: [
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
    ],
    documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
  });
}

async function post(env: Env, claim: ClaimDocument): Promise<void> {
  const res = await env.app.inject({ method: 'POST', url: '/api/claims', headers: env.auth, payload: claim });
  if (res.statusCode !== 201) throw new Error(`POST /api/claims ${claim.claimId}: ${res.statusCode} ${res.body}`);
}

async function untilState(env: Env, claimId: string, pred: (s: ClaimWorkflowState) => boolean, what: string, timeoutMs = 60_000): Promise<ClaimWorkflowState> {
  let last: ClaimWorkflowState | undefined;
  try {
    return await eventually(async () => {
      last = await env.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).query(claimStateQuery);
      return pred(last) ? last : undefined;
    }, `${claimId} ${what}`, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message} (last status ${last?.status}: ${last?.waitingFor})`);
  }
}

const EventType = temporal.api.enums.v1.EventType;

/**
 * Total events and a compact breakdown by type (EVENT_TYPE_ prefix dropped). `completed`: wait for
 * the workflow to finish first (the read model says `closed` a few activities before it does).
 */
async function historyCount(env: Env, claimId: string, completed = false): Promise<{ total: number; breakdown: string }> {
  const handle = env.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId));
  if (completed) await handle.result();
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const byType = new Map<string, number>();
  for (const e of events) {
    const name = (EventType[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '').toLowerCase();
    byType.set(name, (byType.get(name) ?? 0) + 1);
  }
  const breakdown = [...byType.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return { total: events.length, breakdown };
}

async function figureA(env: Env): Promise<void> {
  log('A. Temporal history events per claim (workflow claim:<id>, fetchHistory())');
  log('   (counts move by a few between runs: a signal or activity result that arrives while a workflow task is in');
  log('   flight shares the next workflow task instead of getting its own scheduled/started/completed triple)');
  const counts: number[] = [];
  let c = { total: 0, breakdown: '' };
  for (let i = 1; i <= 3; i++) {
    const clean = `BENCH-A-CLEAN-${runTag}-${i}`;
    await post(env, tfesiClaim(clean));
    await untilState(env, clean, (s) => s.status === 'closed', 'closed');
    c = await historyCount(env, clean, true);
    counts.push(c.total);
  }
  log(`   clean Medicare claim (64483-50), POST -> closed (workflow completed): ${counts.join(' / ')} events (3 claims, one after another)`);
  log(`     (last one: ${c.breakdown})`);

  const under = `BENCH-A-MPR-${runTag}`;
  env.simulator.behaveFor(under, { kind: 'mpr_wrong' });
  await post(env, twoLevelTfesi(under));
  const posted = await untilState(env, under, (s) => s.status === 'posted', 'posted');
  const p = await historyCount(env, under);
  log(`   underpaid claim (64483-LT + 64484-LT, mpr_wrong) at posted:    ${p.total} events  (underpaid ${(posted.payments[0]?.underpaidCents ?? 0) / 100} USD, dispute open; workflow still running)`);
  log(`     (${p.breakdown})`);
  const dispute = await eventually<{ id: number }>(
    () => env.db('work_items').where({ entity_type: 'claim', entity_id: under, kind: 'underpayment_dispute', status: 'open' }).first('id'),
    'dispute work item',
  );
  const done = await env.app.inject({ method: 'POST', url: `/api/work-items/${dispute.id}/complete`, headers: env.auth, payload: { outcome: { disputeReference: 'DSP-BENCH-1' } } });
  if (done.statusCode !== 200) throw new Error(`completing the dispute: ${done.statusCode} ${done.body}`);
  await untilState(env, under, (s) => s.status === 'closed', 'closed after the dispute');
  const pc = await historyCount(env, under, true);
  log(`   same claim after the dispute work item is completed -> closed (workflow completed): ${pc.total} events`);
  log(`     (${pc.breakdown})`);
}

async function figureB(env: Env, servers: Servers, n: number, batch: number): Promise<number> {
  log();
  log(`B. Clean-path throughput: ${n} claims POSTed in concurrent batches of ${batch}, waited until all are closed`);
  const ids = Array.from({ length: n }, (_, i) => `BENCH-B-${runTag}-${String(i + 1).padStart(5, '0')}`);
  const postedAt = new Map<string, number>();
  const closedAt = new Map<string, number>();
  const prefix = `BENCH-B-${runTag}-%`;

  // Poll the read model (claims.status) every 25 ms; a claim's close time is when a poll first sees it.
  let polling = true;
  let pollError: unknown;
  const poller = (async () => {
    while (polling) {
      try {
        const rows: Array<{ claim_id: string }> = await env.db('claims').where('claim_id', 'like', prefix).where({ status: 'closed' }).select('claim_id');
        const now = performance.now();
        for (const r of rows) if (!closedAt.has(r.claim_id)) closedAt.set(r.claim_id, now);
      } catch (err) {
        pollError = err;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  log(`   before: ${loadLine()}`);
  // RSS of this process (API + worker + simulator) while the claims are in flight, sampled every 100 ms.
  const rssAtStart = process.memoryUsage().rss;
  let rssPeak = rssAtStart;
  const rssSampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const cpu0 = cpuSample(servers);
  const threads0 = threadCpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      ids.slice(i, i + batch).map(async (id) => {
        postedAt.set(id, performance.now());
        await post(env, tfesiClaim(id));
      }),
    );
  }
  const tPosted = performance.now();
  const timeoutMs = Math.max(120_000, n * 1_000);
  try {
    await eventually(async () => (closedAt.size >= n ? true : undefined), `${n} claims closed`, timeoutMs, 25);
  } catch (err) {
    const statuses = await env.db('claims').where('claim_id', 'like', prefix).groupBy('status').select('status').count('* as n');
    throw new Error(`${(err as Error).message}; read-model statuses: ${JSON.stringify(statuses)}${pollError ? `; poll error ${(pollError as Error).message}` : ''}`);
  } finally {
    polling = false;
    clearInterval(rssSampler);
    await poller;
  }
  const tDone = Math.max(...closedAt.values());
  const wallMs = tDone - t0;
  const latencies = ids.map((id) => closedAt.get(id)! - postedAt.get(id)!).sort((a, b) => a - b);
  const events = await env.db('claim_events').where('claim_id', 'like', prefix).count<{ n: number }[]>('* as n');
  log(`   all ${n} POSTs answered 201 after ${(tPosted - t0).toFixed(0)} ms; all closed after ${(wallMs / 1000).toFixed(2)} s wall`);
  log(`   throughput: ${(n / (wallMs / 1000)).toFixed(1)} claims/s (first POST -> last claim closed)`);
  log(`   POST -> closed per claim: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms, min ${latencies[0].toFixed(0)} ms`);
  log(`   ${cpuLine(servers, cpu0, wallMs)}`);
  log(`   bench process (worker + API + payer simulator) CPU per clean claim: ${(((selfCpuSeconds() - cpu0.self) * 1000) / n).toFixed(1)} ms`);
  log(`   ${threadCpuLine(threads0, workerThreads, n, 'clean claim')}`);
  log(`   RSS of the bench process while the ${n} claims were in flight: peak ${MB(rssPeak)} (${MB(rssAtStart)} before the first POST)`);
  log(`   after: ${loadLine()}`);
  log(`   read model: ${Number(events[0].n)} claim_events rows for these claims (${(Number(events[0].n) / n).toFixed(1)} per claim)`);
  return n / (wallMs / 1000);
}

/**
 * C. The yardstick, on the same server in the same run: a bare workflow with the clean claim's
 * shape (20 no-op activities, 2 signals; bench/bare/workflow.ts) on a worker of its own.
 */
async function figureC(env: Env, servers: Servers, n: number, batch: number): Promise<number> {
  log();
  log(`C. Bare workflow (20 no-op activities, 2 signals; bench/bare/workflow.ts), same server: ${n} started in concurrent batches of ${batch}, waited until all completed`);
  const connection = await NativeConnection.connect({ address: servers.temporalAddress });
  const taskQueue = `bench-bare-${runTag}`;
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'bare/workflow.ts'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`bundler: ${m}\n`), log() {} } }),
    activities: bareActivities(env.client),
    dataConverter: encryptingDataConverter(parseEncryptionKeys(servers.encryptionKeys)),
  });
  const running = worker.run();
  try {
    const one = `bench-bare-one-${runTag}`;
    await env.client.workflow.execute('bareWorkflow', { taskQueue, workflowId: one, args: [] });
    const events = (await env.client.workflow.getHandle(one).fetchHistory()).events?.length ?? 0;
    log(`   one bare workflow: ${events} history events`);
    log(`   before: ${loadLine()}`);
    const cpu0 = cpuSample(servers);
    const t0 = performance.now();
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < n; i += batch) {
      const handles = await Promise.all(
        Array.from({ length: Math.min(batch, n - i) }, (_, j) => env.client.workflow.start('bareWorkflow', { taskQueue, workflowId: `bench-bare-${runTag}-${i + j}`, args: [] })),
      );
      results.push(...handles.map((h) => h.result()));
    }
    await Promise.all(results);
    const wallMs = performance.now() - t0;
    log(`   all ${n} completed after ${(wallMs / 1000).toFixed(2)} s wall: ${(n / (wallMs / 1000)).toFixed(1)} workflows/s`);
    log(`   ${cpuLine(servers, cpu0, wallMs, `bench process (bare worker + client) ${(selfCpuSeconds() - cpu0.self).toFixed(1)} s`)}`);
    log(`   after: ${loadLine()}`);
    return n / (wallMs / 1000);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}

/** Threads of this process started when the claim worker was attached (its workflow thread and the SDK core's): see threadCpuLine. */
let workerThreads: ReadonlySet<number> = new Set();

async function main(): Promise<void> {
  const n = intArg('claims', 200);
  const batch = intArg('batch', 50);
  const cpus = os.cpus();
  log(`bench:claims  node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`);
  log('How measured: one process runs the Fastify app (requests via app.inject, no socket), ONE Temporal worker (default');
  log('worker options, workflow bundle built once) and the payer simulator with ackDelayMs 0 / remitDelayMs 0; the');
  log('Temporal dev server (temporal server start-dev, in-memory SQLite) and an embedded PostgreSQL run as child');
  log('processes on the same machine. Claims are the clean Medicare TFESI fixture (test/fixtures.ts tfesiClaim).');
  log();
  const servers = await startServers('claims');
  let env: Env | undefined;
  try {
    const tb = Date.now();
    const preloadArg = process.argv.indexOf('--preload');
    const preloadModules = preloadArg >= 0 ? (process.argv[preloadArg + 1] ?? '').split(',').filter(Boolean) : [];
    if (preloadModules.length) log(`EXPERIMENT: workflow bundle built with preloadModules ${JSON.stringify(preloadModules)} (not what workers/worker.ts builds)`);
    const workflowBundle = preloadModules.length
      ? await bundleWorkflowCode({ workflowsPath, preloadModules, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`bundler: ${m}\n`), log() {} } })
      : undefined;
    const threadsBefore = new Set(threadCpuSeconds().keys());
    env = await attach(servers, { simulator: { ackDelayMs: 0, remitDelayMs: 0 }, workflowBundle });
    const started = [...threadCpuSeconds()].filter(([tid]) => !threadsBefore.has(tid));
    workerThreads = new Set(started.map(([tid]) => tid));
    log(`worker + app ready in ${Date.now() - tb} ms (includes bundling the workflow code); threads started with the worker: ${started.map(([, t]) => t.name).sort().join(', ') || 'none seen'}`);
    log();
    await figureA(env);
    const claimsPerSecond = await figureB(env, servers, n, batch);
    const barePerSecond = await figureC(env, servers, n, batch);
    log();
    log(`RATIO clean claims/s ÷ bare workflows/s, same server, same run: ${claimsPerSecond.toFixed(2)} / ${barePerSecond.toFixed(2)} = ${(claimsPerSecond / barePerSecond).toFixed(2)}× (issue 16 target ≥ 2.5×)`);
  } finally {
    await env?.close();
    await servers.stop();
  }
  log();
  log(`peak RSS of the bench process (app + worker + simulator): ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
  log('stopped: worker, app, Temporal dev server, PostgreSQL; temp data dir removed');
}

main().then(
  () => {
    // Everything is closed; if a stray handle kept the loop alive, do not hang the caller.
    setTimeout(() => process.exit(0), 5_000).unref();
  },
  (err) => {
    process.stderr.write(`bench:claims failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
