/**
 * Shared wiring for the end-to-end benches (bench/claims.ts, bench/era-e2e.ts): a fresh embedded
 * PostgreSQL (temp data dir under os.tmpdir(), removed on stop) and an in-memory Temporal dev
 * server, migrated and seeded exactly as test/global-setup.ts does; then, per process, the same
 * wiring as test/harness.ts (Temporal client with the AES-GCM codec, one worker, the payer
 * simulator behind the gateway interface, the Fastify app driven with `inject`).
 *
 * Servers are started once by the parent (`startServers`); a forked child process can attach to
 * them with `attach(servers, ...)` so its peak RSS is its own.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { startEmbeddedPostgres } from '../lib/embedded-postgres';
import { freePort, startTemporalDevServer } from '../lib/temporal-dev-server';
import { freeServerPorts, startCluster } from '../lib/temporal-server';
import { parseEncryptionKeys } from '../lib/config';
import { createTemporalClient } from '../lib/temporal-client';
import { createDb, migrateLatest } from '../db/knex';
import { seedDemo } from '../db/seed';
import { demoFeeSchedule } from '../db/demo-fees';
import { createApiToken } from '../api/tokens';
import { buildApp } from '../api/app';
import { AesGcmCodec } from '../lib/codec';
import { bundleWorkflowsInChildProcess, createRcmWorker } from '../workers/worker';
import { PayerSimulator, type SimulatorConfig } from '../activities/gateway/simulator';
import { createInbound } from '../ingest/inbound';

/** What a child process needs to reach the servers the parent started. */
export type ServerInfo = { databaseUrl: string; temporalAddress: string; encryptionKeys: string; adminToken: string };

export type Servers = ServerInfo & {
  /** The embedded PostgreSQL cluster lives under `<dataDir>/pg` (bench:outage freezes it). */
  dataDir: string;
  stop(): Promise<void>;
  /** CPU seconds (user + system) used so far by the Temporal dev server and by PostgreSQL (postmaster + backends). Linux /proc only. */
  cpuSeconds(): { temporal: number; postgres: number } | undefined;
};

let clockTicks: number | undefined;
/** utime + stime (+ reaped children) of one process, in seconds, from /proc/<pid>/stat. */
export function procCpu(pid: number): { seconds: number; ppid: number } | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return { ppid: Number(f[1]), seconds: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks };
  } catch {
    return undefined;
  }
}

/** The postmaster whose command line names this data dir, plus its children. */
function postgresCpu(dataDir: string): number | undefined {
  try {
    const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
    const postmaster = pids.find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(path.join(dataDir, 'pg'));
      } catch {
        return false;
      }
    });
    if (postmaster === undefined) return undefined;
    let total = procCpu(postmaster)?.seconds ?? 0;
    for (const pid of pids) {
      const c = procCpu(pid);
      if (c && c.ppid === postmaster) total += c.seconds;
    }
    return total;
  } catch {
    return undefined;
  }
}

const log = (m: string) => process.stdout.write(`${m}\n`);

/** Fresh PostgreSQL + in-memory Temporal dev server, migrated, seeded, one admin token. */
export async function startServers(label: string): Promise<Servers> {
  const dir = mkdtempSync(path.join(tmpdir(), `rcm-bench-${label}-`));
  chmodSync(dir, 0o755); // as root the embedded server runs as `postgres`: it must reach its data dir
  const stops: Array<() => Promise<void>> = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const s of stops.reverse()) await s().catch((err) => log(`bench: stop failed: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C during a bench still stops the servers and removes the data dir.
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const t0 = Date.now();
    const [pgPort, temporalPort] = [await freePort(), await freePort()];
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: pgPort, database: 'rcm_bench' });
    stops.push(() => pg.stop());
    // RCM_BENCH_TEMPORAL=server: the production Temporal server on this PostgreSQL (4 shards) instead of the dev server.
    const onServer = process.env.RCM_BENCH_TEMPORAL === 'server';
    const temporal = onServer
      ? await startCluster({ databaseUrl: pg.url, dir: path.join(dir, 'temporal'), ports: await freeServerPorts(), namespace: 'default' })
      : await startTemporalDevServer({ port: temporalPort, namespace: 'default' });
    stops.push(() => temporal.stop());
    const db = createDb(pg.url);
    await migrateLatest(db);
    const year = new Date().getUTCFullYear();
    await seedDemo(db, { years: [year - 1, year, year + 1], feeSchedule: demoFeeSchedule });
    const adminToken = await createApiToken(db, { name: 'bench-admin', role: 'admin' });
    await db.destroy();
    log(`servers up in ${Date.now() - t0} ms (embedded PostgreSQL on :${pgPort}, data ${dir}; ${onServer ? `Temporal server v1.32.2 on that PostgreSQL at ${temporal.address}` : `Temporal dev server in memory on :${temporalPort}`})`);
    return {
      databaseUrl: pg.url,
      temporalAddress: temporal.address,
      encryptionKeys: `bench-1:${randomBytes(32).toString('base64')}`,
      adminToken,
      dataDir: dir,
      stop,
      cpuSeconds() {
        const t = temporal.process.pid ? procCpu(temporal.process.pid)?.seconds : undefined;
        const p = postgresCpu(dir);
        return t === undefined || p === undefined ? undefined : { temporal: t, postgres: p };
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type Env = {
  db: Knex;
  client: Client;
  app: FastifyInstance;
  worker?: Worker;
  simulator: PayerSimulator;
  inbound: ReturnType<typeof createInbound>;
  auth: { authorization: string };
  close(): Promise<void>;
};

/**
 * The test-harness wiring against running servers. `worker: false` builds no worker (the
 * ingestion-only child). `makeInbound` lets a bench instrument what the app and simulator call.
 */
export async function attach(
  info: ServerInfo,
  opts: {
    worker?: boolean;
    simulator?: SimulatorConfig;
    /** Keep the simulator's pending answers in PostgreSQL (as `npm start` does). */
    durableSimulator?: boolean;
    dbPool?: { min?: number; max?: number };
    /** Default: bundleWorkflowsInChildProcess() from workers/worker.ts (what npm start and npm run worker run). */
    workflowBundle?: WorkflowBundle;
    /** Build the inbound service (default: createInbound({ db, temporal: client })); benches instrument it. */
    makeInbound?: (deps: { db: Knex; client: Client }) => ReturnType<typeof createInbound>;
  } = {},
): Promise<Env> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const keys = parseEncryptionKeys(info.encryptionKeys);
  const db = createDb(info.databaseUrl, opts.dbPool);
  const client = await createTemporalClient(info.temporalAddress, 'default', keys);
  const inbound = opts.makeInbound ? opts.makeInbound({ db, client }) : createInbound({ db, temporal: client });
  const simulator = new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0, ...(opts.durableSimulator ? { outbox: { db } } : {}), ...opts.simulator });
  simulator.sink = inbound;
  simulator.resume();
  let worker: Worker | undefined;
  let connection: NativeConnection | undefined;
  let running: Promise<void> = Promise.resolve();
  if (opts.worker !== false) {
    connection = await NativeConnection.connect({ address: info.temporalAddress });
    worker = await createRcmWorker({ connection, namespace: 'default', db, gateway: simulator, keys, workflowBundle: opts.workflowBundle ?? (await bundleWorkflowsInChildProcess()) });
    running = worker.run();
  }
  const app = await buildApp({ db, temporal: client, inbound, codec: new AesGcmCodec(keys), config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' } });
  return {
    db,
    client,
    app,
    worker,
    simulator,
    inbound,
    auth: { authorization: `Bearer ${info.adminToken}` },
    async close() {
      await simulator.stop();
      await app.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection?.close();
      await client.connection.close();
      await db.destroy();
    },
  };
}

/** Poll until `fn` returns a value (not undefined), or fail naming what was awaited. */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** CPU seconds of this process (user + system). */
export const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A thread-CPU sample: seconds used so far by each thread, by thread id. */
export type ThreadSample = Map<number, { name: string; seconds: number }>;

/** CPU seconds of each thread of a process (default this one), by thread id (Linux `/proc/<pid>/task`, USER_HZ 100; empty elsewhere). */
export function threadCpuSeconds(pid: number | 'self' = 'self'): ThreadSample {
  const threads: ThreadSample = new Map();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
      threads.set(Number(tid), { name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), seconds: (Number(fields[11]) + Number(fields[12])) / 100 }); // utime + stime
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/** Resident set of a process in bytes (Linux /proc), undefined once it has exited. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a process's CPU went between two samples, per unit of work: the main thread (API,
 * activities, payer simulator, payload codec, the SDK's JavaScript side), the threads started with
 * the worker (`workerTids`: its workflow thread(s), named `node`, and the SDK core's Rust threads),
 * and the rest (V8's garbage collector and compiler threads, libuv's pool). Default: this process,
 * sampled now; a bench with its worker in a child passes the child's pid and its sample.
 */
export function threadCpuLine(before: ThreadSample, workerTids: ReadonlySet<number>, units: number, unit: string, after: ThreadSample = threadCpuSeconds(), mainTid: number = process.pid): string {
  const groups = { main: 0, workflow: 0, core: 0, other: 0 };
  const coreNames = new Set<string>();
  const otherByName = new Map<string, number>();
  for (const [tid, t] of after) {
    const used = t.seconds - (before.get(tid)?.seconds ?? 0);
    if (tid === mainTid) groups.main += used;
    else if (workerTids.has(tid) && t.name === 'node') groups.workflow += used;
    else if (workerTids.has(tid)) {
      groups.core += used;
      coreNames.add(t.name);
    } else {
      groups.other += used;
      otherByName.set(t.name, (otherByName.get(t.name) ?? 0) + used);
    }
  }
  const per = (seconds: number) => `${((seconds * 1000) / units).toFixed(1)} ms`;
  return `CPU per ${unit} by thread: main ${per(groups.main)} (${mainTid === process.pid ? "API, activities, simulator, codec, SDK's JS side" : "activities, simulator, codec, SDK's JS side"}), workflow thread(s) ${per(groups.workflow)}, SDK core ${per(groups.core)} (${[...coreNames].sort().join(', ') || 'none'}), GC/compiler/libuv ${per(groups.other)} (${[...otherByName].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${per(v)}`).join(', ') || 'none'})`;
}

/** What each process spent on CPU between two samples, as one printable line. */
export function cpuLine(
  servers: Servers,
  before: { self: number; servers?: { temporal: number; postgres: number } },
  wallMs: number,
  first: string = `bench process (app + worker) ${(selfCpuSeconds() - before.self).toFixed(1)} s`,
): string {
  const now = servers.cpuSeconds();
  const parts = [first];
  if (now && before.servers) parts.push(`${process.env.RCM_BENCH_TEMPORAL === 'server' ? 'Temporal server' : 'Temporal dev server'} ${(now.temporal - before.servers.temporal).toFixed(1)} s`, `PostgreSQL ${(now.postgres - before.servers.postgres).toFixed(1)} s`);
  return `CPU used over ${(wallMs / 1000).toFixed(1)} s wall: ${parts.join(', ')}`;
}

export const cpuSample = (servers: Servers) => ({ self: selfCpuSeconds(), servers: servers.cpuSeconds() });

/** 1/5/15-minute load averages: the machine may be shared with other runs. */
export const loadLine = () => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} on ${os.cpus().length} CPU(s)`;

export const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** `--name value` from argv, as a positive integer. */
export function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer, got "${process.argv[i + 1]}"`);
  return v;
}
