/**
 * Open claims asleep on AR timers (issue 16: 10,000 claims asleep with worker RSS ≤ 600 MB; when
 * their day-15/30 touches fire together, work items p95 ≤ 2 s after the timer):
 *   npm run bench:asleep [-- --claims 10000 --cache 1000 --concurrency 32]
 * Run it once per worker cache size (`--cache`, the worker's RCM_WORKER_MAX_CACHED_WORKFLOWS).
 *
 * Server: the TIME-SKIPPING test server (pinned binary in .tools), not the dev server. An AR touch's
 * timer instant is the start of its due date in the practice's zone (a local midnight, 15 and 30
 * days after the submission), so on the dev server the bench would wait for the wall clock to reach
 * such a midnight; the test server keeps real time while we import (time skipping stays locked) and
 * jumps to the instant on demand (`env.sleep`), so all N timers come due at one wall-clock moment.
 * Its own throughput is not the dev server's (its history store is in memory); what is measured is
 * the worker's memory and how fast worker + PostgreSQL turn N simultaneous timers into work items.
 *
 * On a fresh embedded PostgreSQL (migrated, demo-seeded), with ONE worker in a child process for
 * the whole run (its RSS is its own, sampled from /proc every 250 ms; the workflow bundle is built
 * once by the parent and loaded from a file; one worker because the test server implements neither
 * sticky-queue timeouts nor ResetStickyTaskQueue, so a claim last run by a stopped worker would
 * never reach a new one):
 *  1. N high-value claims (CPT 64483, $1,850: an AR-2 day-15 touch) imported through the bulk path
 *     (`importClaims`, as `rcm import claims`: workflows/claim/imported.ts), all submitted on the
 *     same date S (yesterday), practice demo-pain (America/Chicago); wait until every claim is
 *     asleep (read-model row submitted, next deadline = the day-15 touch instant).
 *  2. Jump to the day-15 instant (+1 s): every claim opens an `active_payer_contact` work item.
 *  3. Jump to the day-30 instant (+1 s): every claim sends a 276 status inquiry to the simulator,
 *     which never saw these claims and answers "not found" → a `status_inquiry` work item.
 *  Latency = the work item row's created_at − the wall-clock moment of the jump: p50/p95/max; RSS
 *  asleep before, peak while firing, after (all asleep again, cache full).
 * No assertion: figures, with the machine's load.
 *
 * `--bare`: the floor instead of the claims. N bench/bare/sleeper.ts workflows (one local activity
 * writes a row, a timer, one more row) on a worker with the same options, server and PostgreSQL;
 * their timers are made due at one instant the same way. What they cost asleep and how fast their
 * timers become rows is the best this machine and SDK allow, whatever a claim does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { intArg, loadLine, percentile, rssOf } from './env';
import { startEmbeddedPostgres } from '../lib/embedded-postgres';
import { freePort } from '../lib/temporal-dev-server';
import { temporalTestServerPath } from '../lib/tools';
import { parseEncryptionKeys } from '../lib/config';
import { encryptingDataConverter } from '../lib/codec-converter';
import { startOfDateIn } from '../lib/time-zone';
import { createTemporalClient } from '../lib/temporal-client';
import { createDb, migrateLatest } from '../db/knex';
import { seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { importClaims } from '../ingest/claim-import';
import { createInbound } from '../ingest/inbound';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import { arTouchPlan } from '../domain/ar';
import { bundleWorkflows, createRcmWorker } from '../workers/worker';
import { PayerSimulator } from '../activities/gateway/simulator';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { applyHeapGrowingPercent, maxCachedWorkflowsFromEnv, workerOptionsFromEnv } from '../workers/worker';
import { SLEEPER_TABLE, createSleeperTable, sleeperActivities } from './bare/sleeper-activities';

const log = (m = '') => process.stdout.write(`${m}\n`);
type ChildInfo = { databaseUrl: string; temporalAddress: string; encryptionKeys: string };

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** The child: one worker as `npm run worker` builds it (simulator as the payer gateway), nothing else. */
async function workerChild(): Promise<void> {
  const info = JSON.parse(process.env.RCM_BENCH_SERVERS!) as ChildInfo;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const keys = parseEncryptionKeys(info.encryptionKeys);
  const db = createDb(info.databaseUrl, { max: 10 });
  const client = await createTemporalClient(info.temporalAddress, 'default', keys);
  const simulator = new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0 });
  simulator.sink = createInbound({ db, temporal: client });
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  if (process.env.RCM_BENCH_BARE === '1') return sleeperChild(info, db, connection, simulator, client);
  // RCM_BENCH_BUNDLE: the workflow bundle the parent built (else bundled here, as `npm run worker` does).
  const bundlePath = process.env.RCM_BENCH_BUNDLE;
  const workflowBundle = bundlePath ? { code: readFileSync(bundlePath, 'utf8') } : await bundleWorkflows();
  const worker = await createRcmWorker({ connection, namespace: 'default', db, gateway: simulator, keys, workflowBundle });
  const running = worker.run();
  process.send!({ ready: true });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) worker.shutdown();
  });
  await running;
  simulator.stop();
  await connection.close();
  await client.connection.close();
  await db.destroy();
  process.exit(0);
}

/** `--bare`: a worker with the claim worker's options running only the sleeper workflow. */
async function sleeperChild(info: ChildInfo, db: ReturnType<typeof createDb>, connection: NativeConnection, simulator: PayerSimulator, client: Awaited<ReturnType<typeof createTemporalClient>>): Promise<void> {
  simulator.stop();
  const options = workerOptionsFromEnv();
  applyHeapGrowingPercent();
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: SLEEPER_QUEUE,
    workflowBundle: { code: readFileSync(process.env.RCM_BENCH_BUNDLE!, 'utf8') },
    activities: sleeperActivities(db),
    maxConcurrentWorkflowTaskExecutions: options.workflowTasks,
    maxConcurrentLocalActivityExecutions: options.localActivities,
    maxConcurrentActivityTaskExecutions: options.activities,
    reuseV8Context: true,
    workflowThreadPoolSize: 1,
    maxCachedWorkflows: maxCachedWorkflowsFromEnv(),
    dataConverter: encryptingDataConverter(parseEncryptionKeys(info.encryptionKeys)),
  });
  const running = worker.run();
  process.send!({ ready: true });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) worker.shutdown();
  });
  await running;
  await connection.close();
  await client.connection.close();
  await db.destroy();
  process.exit(0);
}

const SLEEPER_QUEUE = 'bench-sleeper';

type RunningWorker = { child: ChildProcess; peak: number; last: number; resetPeak(): void; stop(): Promise<void> };

async function startWorker(info: ChildInfo, cache: number | undefined, bundlePath?: string, bare = false): Promise<RunningWorker> {
  const env: NodeJS.ProcessEnv = { ...process.env, RCM_BENCH_SERVERS: JSON.stringify(info) };
  if (bare) env.RCM_BENCH_BARE = '1';
  if (bundlePath) env.RCM_BENCH_BUNDLE = bundlePath;
  if (cache !== undefined) env.RCM_WORKER_MAX_CACHED_WORKFLOWS = String(cache);
  else delete env.RCM_WORKER_MAX_CACHED_WORKFLOWS;
  const child = fork(__filename, ['--worker-child'], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker child exited with ${code} before it was ready`)));
  });
  const w: RunningWorker = {
    child,
    peak: 0,
    last: 0,
    resetPeak() {
      w.peak = w.last;
    },
    async stop() {
      clearInterval(timer);
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ stop: true });
      await exited;
    },
  };
  const timer = setInterval(() => {
    const rss = rssOf(child.pid!);
    if (rss !== undefined) {
      w.last = rss;
      w.peak = Math.max(w.peak, rss);
    }
  }, 250);
  return w;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const claims = intArg('claims', 10_000);
  const concurrency = intArg('concurrency', 32);
  const cache = intArg('cache', 1000);

  const dir = mkdtempSync(path.join(tmpdir(), 'rcm-bench-asleep-'));
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const t0 = Date.now();
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: 'rcm_bench' });
    stops.push(() => pg.stop());
    const db = createDb(pg.url, { max: 10 });
    stops.push(() => db.destroy());
    await migrateLatest(db);
    const year = new Date().getUTCFullYear();
    await seedDemo(db, { years: [year - 1, year, year + 1], feeSchedule: demoFeeSchedule });
    const encryptionKeys = `bench-1:${randomBytes(32).toString('base64')}`;
    const keys = parseEncryptionKeys(encryptionKeys);
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
      client: { dataConverter: encryptingDataConverter(keys) },
    });
    stops.push(() => env.teardown());
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type]])),
    });
    const info: ChildInfo = { databaseUrl: pg.url, temporalAddress: env.address, encryptionKeys };
    log(`servers up in ${Date.now() - t0} ms: embedded PostgreSQL, Temporal time-skipping test server at ${env.address} (time skipping locked: real time until we jump)`);
    if (process.argv.includes('--bare')) {
      await bareFloor({ info, env, db, dir, claims, cache, concurrency, stops });
      return;
    }

    // 1. Import N claims submitted yesterday; their touches are due on the same dates.
    const tag = Date.now().toString(36);
    const submittedOn = addCalendarDays(utcToday(), -1);
    const sample = tfesiClaim('X', { serviceDate: addCalendarDays(submittedOn, -3) });
    const plan = arTouchPlan(submittedOn, sample);
    const touches = ['active_payer_contact', 'status_inquiry'].map((kind) => plan.touches.find((t) => t.kind === kind)!);
    const zone = ((await db('practices').where({ id: sample.practiceId }).first('time_zone')) as { time_zone: string }).time_zone;
    const instants = touches.map((t) => Date.parse(startOfDateIn(t.dueDate, zone)));
    log(`${claims} claims of ${sample.practiceId} (${zone}) submitted on ${submittedOn}: ${touches.map((t, i) => `${t.rule} day-${t.day} ${t.kind} due ${t.dueDate} → timer at ${new Date(instants[i]).toISOString()}`).join('; ')}`);
    const lines = function* () {
      for (let i = 0; i < claims; i++) {
        const c = tfesiClaim(`ASL-${tag}-${i}`, { serviceDate: addCalendarDays(submittedOn, -3) });
        yield JSON.stringify({ claim: { ...c, patient: { ...c.patient, id: `PT-${tag}-${i % 2000}` } }, submittedAt: `${submittedOn}T14:00:00Z` });
      }
    };
    // The workflow bundle is built once, here, and loaded by the worker child (bundling in the
    // worker's own process, as `npm run worker` does today, leaves the bundler's memory in its RSS).
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    // One worker for the whole run: the test server implements neither sticky-queue timeouts nor
    // ResetStickyTaskQueue, so a claim last run by a stopped worker would never reach a new one.
    const w = await startWorker(info, cache, bundlePath);
    stops.push(() => w.stop());
    await sleep(2000);
    const idle = w.last;
    log(`worker up (RCM_WORKER_MAX_CACHED_WORKFLOWS=${cache}, prebuilt bundle): RSS ${mb(idle)}; ${loadLine()} before the import`);
    const tImport = Date.now();
    const report = await importClaims({ db, temporal: env.client, actor: 'bench-asleep', concurrency }, lines());
    if (report.refused) throw new Error(`import refused ${report.refused} rows: ${JSON.stringify(report.refusedRows.slice(0, 3))}`);
    log(`import: ${report.started} workflows started in ${((Date.now() - tImport) / 1000).toFixed(1)} s`);
    const asleepCount = async () => {
      const [{ n }] = await db('claims').where('claim_id', 'like', `ASL-${tag}-%`).andWhere({ status: 'submitted', next_deadline: new Date(instants[0]) }).count({ n: '*' });
      return Number(n);
    };
    let lastPrint = Date.now();
    for (let n = await asleepCount(); n < claims; n = await asleepCount()) {
      if (Date.now() - lastPrint > 30_000) {
        log(`  … ${n}/${claims} asleep after ${((Date.now() - tImport) / 1000).toFixed(0)} s (worker RSS ${mb(w.last)}; ${loadLine()})`);
        lastPrint = Date.now();
      }
      await sleep(1000);
    }
    const settleS = (Date.now() - tImport) / 1000;
    await sleep(3000);
    log(`all ${claims} claims asleep on their AR timers ${settleS.toFixed(1)} s after the import began (${(claims / settleS).toFixed(1)} claims/s); worker RSS now ${mb(w.last)}, peak while importing ${mb(w.peak)}`);
    const results: string[] = [];
    let asleepRss = w.last;
    for (let p = 0; p < touches.length; p++) {
      const touch = touches[p];
      w.resetPeak();
      const jumpMs = instants[p] + 1000 - (await env.currentTimeMs());
      if (jumpMs <= 0) throw new Error(`the ${touch.kind} instant is already past on the server`);
      log(`${loadLine()} before the jump`);
      const tFire = Date.now();
      await env.sleep(jumpMs);
      log(`jumped ${(jumpMs / 86_400_000).toFixed(2)} days to ${touch.rule} day-${touch.day} ${touch.kind}: ${claims} timers due at once (the jump returned after ${Date.now() - tFire} ms)`);
      const made = async () => {
        const [{ n }] = await db('work_items').where({ kind: touch.kind }).andWhere('entity_id', 'like', `ASL-${tag}-%`).count({ n: '*' });
        return Number(n);
      };
      lastPrint = Date.now();
      for (let n = await made(); n < claims; n = await made()) {
        if (Date.now() - lastPrint > 30_000) {
          log(`  … ${n}/${claims} work items after ${((Date.now() - tFire) / 1000).toFixed(0)} s (worker RSS ${mb(w.last)})`);
          lastPrint = Date.now();
        }
        if (Date.now() - tFire > 30 * 60_000) throw new Error(`only ${n}/${claims} ${touch.kind} work items 30 minutes after the timers fired`);
        await sleep(200);
      }
      const allMadeMs = Date.now() - tFire;
      const rows = (await db('work_items').where({ kind: touch.kind }).andWhere('entity_id', 'like', `ASL-${tag}-%`).select('created_at')) as Array<{ created_at: Date }>;
      const lat = rows.map((r) => new Date(r.created_at).getTime() - tFire).sort((a, b) => a - b);
      await sleep(3000); // the workflows go back to sleep (their summaries written)
      const row = `| ${cache} | ${touch.rule} day-${touch.day} ${touch.kind} | ${claims} | ${mb(asleepRss)} | ${mb(w.peak)} | ${mb(w.last)} | ${(percentile(lat, 50) / 1000).toFixed(2)} | ${(percentile(lat, 95) / 1000).toFixed(2)} | ${(lat[lat.length - 1] / 1000).toFixed(2)} | ${(allMadeMs / 1000).toFixed(1)} |`;
      results.push(row);
      log(`result: ${row}`);
      asleepRss = w.last;
      log(`${loadLine()} after the ${touch.kind} work items`);
    }
    log('');
    log(`worker RSS idle before the import ${mb(idle)}`);
    log('| worker cache | touch | claims asleep | worker RSS asleep before | peak RSS while firing | RSS after (all asleep again) | p50 s | p95 s | max s | all rows after s |');
    log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results) log(r);
  } finally {
    await stopAll();
  }
}

/** `--bare`: N sleeper workflows asleep on timers due at one instant; RSS asleep, rows after the jump. */
async function bareFloor(o: {
  info: ChildInfo;
  env: TestWorkflowEnvironment;
  db: ReturnType<typeof createDb>;
  dir: string;
  claims: number;
  cache: number;
  concurrency: number;
  stops: Array<() => Promise<unknown>>;
}): Promise<void> {
  const { env, db, claims } = o;
  await createSleeperTable(db);
  const bundlePath = path.join(o.dir, 'sleeper-bundle.js');
  const bundle = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'bare/sleeper.ts'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`bundler: ${m}\n`), log() {} } });
  writeFileSync(bundlePath, bundle.code);
  const w = await startWorker(o.info, o.cache, bundlePath, true);
  o.stops.push(() => w.stop());
  await sleep(2000);
  const idle = w.last;
  log(`FLOOR (--bare): ${claims} bench/bare/sleeper.ts workflows (a row, a timer, a row), no claim code; worker options as the claim worker's`);
  log(`worker up (RCM_WORKER_MAX_CACHED_WORKFLOWS=${o.cache}): RSS ${mb(idle)}; ${loadLine()}`);
  const wakeAt = (await env.currentTimeMs()) + 15 * 86_400_000;
  const tag = Date.now().toString(36);
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (let i = next++; i < claims; i = next++) {
        await env.client.workflow.start('sleeperWorkflow', { taskQueue: SLEEPER_QUEUE, workflowId: `sleeper-${tag}-${i}`, args: [wakeAt] });
      }
    }),
  );
  log(`started ${claims} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const count = async (kind: string) => Number(((await db(SLEEPER_TABLE).where({ kind }).count({ n: '*' })) as Array<{ n: string }>)[0].n);
  for (let n = await count('asleep'); n < claims; n = await count('asleep')) await sleep(500);
  const settleS = (Date.now() - t0) / 1000;
  await sleep(3000);
  const asleepRss = w.last;
  log(`all ${claims} asleep ${settleS.toFixed(1)} s after the first start (${(claims / settleS).toFixed(1)}/s); worker RSS ${mb(asleepRss)} (peak ${mb(w.peak)}); ${loadLine()}`);
  w.resetPeak();
  const jumpMs = wakeAt + 1000 - (await env.currentTimeMs());
  const tFire = Date.now();
  await env.sleep(jumpMs);
  log(`jumped ${(jumpMs / 86_400_000).toFixed(2)} days: ${claims} timers due at once`);
  for (let n = await count('woke'); n < claims; n = await count('woke')) {
    if (Date.now() - tFire > 30 * 60_000) throw new Error(`only ${n}/${claims} woke 30 minutes after the jump`);
    await sleep(200);
  }
  const allMs = Date.now() - tFire;
  const rows = (await db(SLEEPER_TABLE).where({ kind: 'woke' }).select('created_at')) as Array<{ created_at: Date }>;
  const lat = rows.map((r) => new Date(r.created_at).getTime() - tFire).sort((a, b) => a - b);
  await sleep(3000);
  log('| floor | workflows asleep | worker RSS asleep | peak RSS while firing | p50 s | p95 s | max s | all rows after s |');
  log('|---|---|---|---|---|---|---|---|');
  log(`| bare sleeper, cache ${o.cache} | ${claims} | ${mb(asleepRss)} | ${mb(w.peak)} | ${(percentile(lat, 50) / 1000).toFixed(2)} | ${(percentile(lat, 95) / 1000).toFixed(2)} | ${(lat[lat.length - 1] / 1000).toFixed(2)} | ${(allMs / 1000).toFixed(1)} |`);
  log(`worker RSS idle ${mb(idle)}; ${loadLine()}`);
}

if (process.argv.includes('--worker-child')) {
  workerChild().catch((err) => {
    process.stderr.write(`bench:asleep worker: ${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`bench:asleep: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
