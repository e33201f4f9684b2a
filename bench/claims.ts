/**
 * Claim workflow bench (end to end, real servers):
 *   npm run bench:claims [-- --claims 200 --batch 50] [-- --preload date-holidays]
 *
 * Starts a fresh embedded PostgreSQL and an in-memory Temporal dev server (SQLite in memory),
 * migrates + seeds, runs ONE worker with the payer simulator (ackDelayMs 0, remitDelayMs 0) in a
 * child process of its own (as `npm run worker` runs beside `npm run api`; the workflow bundle is
 * built by this process and loaded from a file) and the Fastify app here (driven with `inject`, no
 * socket), so the worker's CPU and RSS are its own; then prints:
 *   A. Temporal history events per claim: a clean Medicare claim to `closed`; an underpaid
 *      two-line claim (64483-LT + 64484-LT, simulator `mpr_wrong`) at `posted` (dispute open) and
 *      again at `closed` after the dispute work item is completed through the API.
 *   B. Throughput of the clean path: N claims POSTed in concurrent batches, wall time until all
 *      are `closed` in the read model, claims/s, p50/p95 POST→closed, CPU per claim.
 *   C. The yardstick: N bare workflows (20 no-op activities, 2 signals) on the same server, and
 *      the ratio of B's claims/s to C's workflows/s (issue 16).
 * Stops everything and removes the temp data dir. Asserts nothing beyond "the claims got there".
 *
 * `--one-process`: the layout of the figures before 2026-12-03 — worker, simulator, app and (for C)
 * the bare worker all in this process; CPU and RSS are then the sum of them.
 *
 * Experiment (not the production configuration): `--preload m1,m2` bundles the workflow code with
 * the SDK's `preloadModules` so those modules are evaluated once per reusable V8 context instead of
 * once per workflow (the SDK keeps a module cache per workflow activator).
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflowsInChildProcess, createRcmWorker, encryptingDataConverter } from '../workers/worker';
import { parseEncryptionKeys } from '../lib/config';
import { bareActivities } from './bare/activities';
import { workflowsPath } from '../workers/worker';
import { temporal } from '@temporalio/proto';
import { createDb } from '../db/knex';
import { createTemporalClient } from '../lib/temporal-client';
import { createInbound } from '../ingest/inbound';
import { PayerSimulator, type PayerBehaviour } from '../activities/gateway/simulator';
import { startServers, attach, eventually, percentile, intArg, cpuSample, cpuLine, loadLine, procCpu, rssOf, selfCpuSeconds, threadCpuLine, threadCpuSeconds, MB, type Env, type ServerInfo, type Servers, type ThreadSample } from './env';
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

/** `--one-process`: worker, simulator, app and bare worker in this process (the layout of the figures before 2026-12-03). */
const ONE_PROCESS = process.argv.includes('--one-process');
const WORKER_FLAGS = process.argv.includes('--worker-flags') ? (process.argv[process.argv.indexOf('--worker-flags') + 1] ?? '').split(/\s+/).filter(Boolean) : [];
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`bundler: ${m}\n`), log() {} };

type ChildRole = 'claims' | 'bare';
type ChildRequest = { id: number; op: 'behave'; claimId: string; behaviour: PayerBehaviour } | { id: number; op: 'threads' } | { id: number; op: 'gc' } | { id: number; op: 'stop' };
type ChildThreads = { threads: Array<[number, { name: string; seconds: number }]>; workerTids: number[]; memory: NodeJS.MemoryUsage };

/**
 * The worker child (default layout): `claims` runs ONE worker as `npm run worker` builds it, with
 * the payer simulator as its gateway and the inbound service the simulator answers through;
 * `bare` runs the yardstick's worker. Both load the workflow bundle the parent wrote. The parent
 * asks, over IPC, for a simulator behaviour per claim, for this process's per-thread CPU, or to stop.
 */
async function workerChild(): Promise<void> {
  // Threads alive now: the main thread and V8's platform threads; the SDK's (core runtime, workflow thread) start below.
  const threadsBefore = new Set(threadCpuSeconds().keys());
  const info = JSON.parse(process.env.RCM_BENCH_SERVERS!) as ServerInfo;
  const role = process.env.RCM_BENCH_ROLE as ChildRole;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const keys = parseEncryptionKeys(info.encryptionKeys);
  const client = await createTemporalClient(info.temporalAddress, 'default', keys);
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const workflowBundle: WorkflowBundle = { code: readFileSync(process.env.RCM_BENCH_BUNDLE!, 'utf8') };
  const db = role === 'claims' ? createDb(info.databaseUrl) : undefined;
  const simulator = db ? new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0 }) : undefined;
  if (db && simulator) {
    simulator.sink = createInbound({ db, temporal: client });
    simulator.resume();
  }
  const worker =
    db && simulator
      ? await createRcmWorker({ connection, namespace: 'default', db, gateway: simulator, keys, workflowBundle })
      : await Worker.create({ connection, namespace: 'default', taskQueue: process.env.RCM_BENCH_QUEUE!, workflowBundle, activities: bareActivities(client), dataConverter: encryptingDataConverter(keys) });
  const workerTids = [...threadCpuSeconds().keys()].filter((tid) => !threadsBefore.has(tid));
  const running = worker.run();
  process.on('message', (m: ChildRequest) => {
    if (m.op === 'behave') simulator?.behaveFor(m.claimId, m.behaviour);
    if (m.op === 'stop' && worker.getState() === 'RUNNING') worker.shutdown();
    if (m.op === 'gc') (globalThis as { gc?: () => void }).gc?.();
    const threads: ChildThreads | undefined = m.op === 'threads' ? { threads: [...threadCpuSeconds()], workerTids, memory: process.memoryUsage() } : undefined;
    process.send!({ id: m.id, ...threads });
  });
  process.send!({ id: 0 });
  await running;
  await simulator?.stop();
  await connection.close();
  await client.connection.close();
  await db?.destroy();
  process.exit(0);
}

/** A worker child seen from the parent: its pid, its RSS sampled every 100 ms, IPC calls. */
type WorkerChild = {
  pid: number;
  call(req: { op: 'behave'; claimId: string; behaviour: PayerBehaviour } | { op: 'threads' } | { op: 'gc' }): Promise<Partial<ChildThreads>>;
  /** Highest RSS seen since the last reset, and the latest sample. */
  rss(): { peak: number; last: number };
  resetPeak(): void;
  stop(): Promise<void>;
};

async function forkWorker(info: ServerInfo, role: ChildRole, bundle: WorkflowBundle, bundlePath: string, queue = ''): Promise<WorkerChild> {
  writeFileSync(bundlePath, bundle.code);
  const child: ChildProcess = fork(__filename, ['--worker-child'], {
    env: { ...process.env, RCM_BENCH_SERVERS: JSON.stringify(info), RCM_BENCH_ROLE: role, RCM_BENCH_BUNDLE: bundlePath, RCM_BENCH_QUEUE: queue },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // --expose-gc: after B the parent has the worker collect its main thread's garbage and reports what stays (see figureB).
    // --worker-flags "--flag …": Node/V8 flags for the worker child only (an experiment, e.g. --optimize-for-size).
    execArgv: [...process.execArgv, '--expose-gc', ...WORKER_FLAGS],
  });
  const pending = new Map<number, { resolve: (v: Partial<ChildThreads>) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => {
      // A worker that dies mid-run fails the bench instead of leaving it waiting on an answer.
      exited = new Error(`${role} worker child exited with ${code}`);
      reject(exited);
      for (const p of pending.values()) p.reject(exited);
      pending.clear();
    });
    child.on('message', (m: Partial<ChildThreads> & { id: number }) => {
      if (m.id === 0) return resolve();
      pending.get(m.id)?.resolve(m);
      pending.delete(m.id);
    });
  });
  await ready;
  let peak = 0;
  let last = 0;
  const sample = () => {
    const r = rssOf(child.pid!);
    if (r !== undefined) [last, peak] = [r, Math.max(peak, r)];
  };
  sample();
  const timer = setInterval(sample, 100);
  const call: WorkerChild['call'] = (req) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...req });
    });
  return {
    pid: child.pid!,
    call,
    rss: () => ({ peak, last }),
    resetPeak: () => void (peak = last),
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ id: nextId++, op: 'stop' });
      await exited;
    },
  };
}

/** The claim worker's per-thread CPU sample: from the child (default layout) or this process. */
async function workerThreadSample(claimWorker: WorkerChild | undefined): Promise<{ threads: ThreadSample; workerTids: ReadonlySet<number>; memory: NodeJS.MemoryUsage }> {
  if (!claimWorker) return { threads: threadCpuSeconds(), workerTids: workerThreads, memory: process.memoryUsage() };
  const r = await claimWorker.call({ op: 'threads' });
  return { threads: new Map(r.threads), workerTids: new Set(r.workerTids), memory: r.memory! };
}

/** The main thread's V8 heap and buffers (what the rest of RSS is not: the workflow thread's isolate, the SDK core, code). */
const heapLine = (m: NodeJS.MemoryUsage) => `main-thread V8 heap ${MB(m.heapTotal)} (${MB(m.heapUsed)} used), external ${MB(m.external)} (array buffers ${MB(m.arrayBuffers)}), RSS ${MB(m.rss)}`;

/** The claim worker: a child process (default) or, with --one-process, this one. Set by main(). */
let claimWorker: WorkerChild | undefined;
let behave: (claimId: string, behaviour: PayerBehaviour) => Promise<void> = async () => undefined;

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
  await behave(under, { kind: 'mpr_wrong' });
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
  // RSS of this process (API; with --one-process also worker + simulator) while the claims are in flight,
  // sampled every 100 ms; the worker child's is sampled by forkWorker the same way.
  const rssAtStart = process.memoryUsage().rss;
  let rssPeak = rssAtStart;
  const rssSampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  claimWorker?.resetPeak();
  const workerRssAtStart = claimWorker?.rss().last ?? 0;
  const workerCpu0 = claimWorker ? (procCpu(claimWorker.pid)?.seconds ?? NaN) : 0;
  const threads0 = await workerThreadSample(claimWorker);
  const cpu0 = cpuSample(servers);
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
  const perClaim = (seconds: number) => `${((seconds * 1000) / n).toFixed(1)} ms`;
  if (claimWorker) {
    const workerCpu = (procCpu(claimWorker.pid)?.seconds ?? NaN) - workerCpu0;
    const threads1 = await workerThreadSample(claimWorker);
    const apiCpu = selfCpuSeconds() - cpu0.self;
    log(`   ${cpuLine(servers, cpu0, wallMs, `worker process ${workerCpu.toFixed(1)} s, API process ${apiCpu.toFixed(1)} s`)}`);
    log(`   WORKER process (worker + payer simulator + the inbound service it answers through) CPU per clean claim: ${perClaim(workerCpu)} (issue 16 target ≤ 50 ms)`);
    log(`   API process (Fastify app via inject + this bench's 25 ms read-model poll) CPU per clean claim: ${perClaim(apiCpu)}`);
    log(`   worker process ${threadCpuLine(threads0.threads, threads1.workerTids, n, 'clean claim', threads1.threads, claimWorker.pid)}`);
    log(`   WORKER RSS while the ${n} claims were in flight: peak ${MB(claimWorker.rss().peak)} (${MB(workerRssAtStart)} before the first POST; issue 16 target ≤ 450 MB); API process peak ${MB(rssPeak)} (${MB(rssAtStart)} before)`);
    await claimWorker.call({ op: 'gc' });
    const collected = await workerThreadSample(claimWorker);
    log(`   worker process before the first POST: ${heapLine(threads0.memory)}; after the last claim closed: ${heapLine(threads1.memory)}; after a full GC of the main thread then: ${heapLine(collected.memory)}`);
  } else {
    log(`   ${cpuLine(servers, cpu0, wallMs)}`);
    log(`   bench process (worker + API + payer simulator) CPU per clean claim: ${perClaim(selfCpuSeconds() - cpu0.self)}`);
    log(`   ${threadCpuLine(threads0.threads, workerThreads, n, 'clean claim')}`);
    log(`   RSS of the bench process while the ${n} claims were in flight: peak ${MB(rssPeak)} (${MB(rssAtStart)} before the first POST)`);
  }
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
  const taskQueue = `bench-bare-${runTag}`;
  const bundle = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'bare/workflow.ts'), logger: quiet });
  // Default layout: the bare worker in a child of its own, as the claim worker; --one-process: here.
  const child = ONE_PROCESS ? undefined : await forkWorker(servers, 'bare', bundle, path.join(servers.dataDir, 'bare-bundle.js'), taskQueue);
  const connection = child ? undefined : await NativeConnection.connect({ address: servers.temporalAddress });
  const worker = connection
    ? await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle: bundle, activities: bareActivities(env.client), dataConverter: encryptingDataConverter(parseEncryptionKeys(servers.encryptionKeys)) })
    : undefined;
  const running = worker?.run();
  try {
    const one = `bench-bare-one-${runTag}`;
    await env.client.workflow.execute('bareWorkflow', { taskQueue, workflowId: one, args: [] });
    const events = (await env.client.workflow.getHandle(one).fetchHistory()).events?.length ?? 0;
    log(`   one bare workflow: ${events} history events`);
    log(`   before: ${loadLine()}`);
    child?.resetPeak();
    const childCpu0 = child ? (procCpu(child.pid)?.seconds ?? NaN) : 0;
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
    const self = (selfCpuSeconds() - cpu0.self).toFixed(1);
    const first = child ? `bare worker process ${((procCpu(child.pid)?.seconds ?? NaN) - childCpu0).toFixed(1)} s, bench process (client) ${self} s` : `bench process (bare worker + client) ${self} s`;
    log(`   ${cpuLine(servers, cpu0, wallMs, first)}`);
    if (child) log(`   bare worker per workflow: ${((((procCpu(child.pid)?.seconds ?? NaN) - childCpu0) * 1000) / n).toFixed(1)} ms CPU; RSS peak ${MB(child.rss().peak)}`);
    log(`   after: ${loadLine()}`);
    return n / (wallMs / 1000);
  } finally {
    worker?.shutdown();
    await running;
    await connection?.close();
    await child?.stop();
  }
}

/** Threads of this process started when the claim worker was attached (its workflow thread and the SDK core's): see threadCpuLine. */
let workerThreads: ReadonlySet<number> = new Set();

async function main(): Promise<void> {
  const n = intArg('claims', 200);
  const batch = intArg('batch', 50);
  const cpus = os.cpus();
  log(`bench:claims  node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`);
  log(
    ONE_PROCESS
      ? 'How measured (--one-process): this process runs the Fastify app (requests via app.inject, no socket), ONE Temporal\nworker (default options, workflow bundle built once) and the payer simulator with ackDelayMs 0 / remitDelayMs 0'
      : 'How measured: this process runs the Fastify app (requests via app.inject, no socket); ONE Temporal worker (default\noptions, as `npm run worker`) with the payer simulator (ackDelayMs 0 / remitDelayMs 0) as its gateway runs in a child\nprocess of its own, loading the workflow bundle this process built; the bare worker of C likewise',
  );
  log('The Temporal dev server (temporal server start-dev, in-memory SQLite) and an embedded PostgreSQL run as child');
  log('processes on the same machine. Claims are the clean Medicare TFESI fixture (test/fixtures.ts tfesiClaim).');
  log();
  const servers = await startServers('claims');
  let env: Env | undefined;
  try {
    const tb = Date.now();
    const preloadArg = process.argv.indexOf('--preload');
    const preloadModules = preloadArg >= 0 ? (process.argv[preloadArg + 1] ?? '').split(',').filter(Boolean) : [];
    if (preloadModules.length) log(`EXPERIMENT: workflow bundle built with preloadModules ${JSON.stringify(preloadModules)} (not what workers/worker.ts builds)`);
    const workflowBundle = preloadModules.length ? await bundleWorkflowCode({ workflowsPath, preloadModules, logger: quiet }) : undefined;
    if (ONE_PROCESS) {
      const threadsBefore = new Set(threadCpuSeconds().keys());
      env = await attach(servers, { simulator: { ackDelayMs: 0, remitDelayMs: 0 }, workflowBundle });
      const started = [...threadCpuSeconds()].filter(([tid]) => !threadsBefore.has(tid));
      workerThreads = new Set(started.map(([tid]) => tid));
      const simulator = env.simulator;
      behave = async (claimId, behaviour) => simulator.behaveFor(claimId, behaviour);
      log(`ONE PROCESS: worker + app ready in ${Date.now() - tb} ms (includes bundling the workflow code); threads started with the worker: ${started.map(([, t]) => t.name).sort().join(', ') || 'none seen'}`);
    } else {
      env = await attach(servers, { worker: false, simulator: { ackDelayMs: 0, remitDelayMs: 0 } });
      const bundle = workflowBundle ?? (await bundleWorkflowsInChildProcess());
      const child = await forkWorker(servers, 'claims', bundle, path.join(servers.dataDir, 'claims-bundle.js'));
      claimWorker = child;
      behave = async (claimId, behaviour) => void (await child.call({ op: 'behave', claimId, behaviour }));
      log(`worker process (pid ${child.pid}) + app ready in ${Date.now() - tb} ms (includes bundling the workflow code); worker RSS ${MB(child.rss().last)}`);
    }
    log();
    await figureA(env);
    const claimsPerSecond = await figureB(env, servers, n, batch);
    const barePerSecond = await figureC(env, servers, n, batch);
    log();
    log(`RATIO clean claims/s ÷ bare workflows/s, same server, same run: ${claimsPerSecond.toFixed(2)} / ${barePerSecond.toFixed(2)} = ${(claimsPerSecond / barePerSecond).toFixed(2)}× (issue 16 target ≥ 2.5×)`);
  } finally {
    await claimWorker?.stop();
    await env?.close();
    await servers.stop();
  }
  log();
  log(`peak RSS of the bench process (${ONE_PROCESS ? 'app + worker + simulator' : 'app; the worker ran in its own process'}): ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
  log('stopped: worker, app, Temporal dev server, PostgreSQL; temp data dir removed');
}

if (process.argv.includes('--worker-child')) {
  workerChild().catch((err) => {
    process.stderr.write(`bench:claims worker: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
} else main().then(
  () => {
    // Everything is closed; if a stray handle kept the loop alive, do not hang the caller.
    setTimeout(() => process.exit(0), 5_000).unref();
  },
  (err) => {
    process.stderr.write(`bench:claims failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
