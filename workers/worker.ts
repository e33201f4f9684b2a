/**
 * The worker: polls task queue `rcm`, runs every workflow from workflows/index.ts and the
 * activities built from real dependencies, with the encrypting data converter.
 */
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import type { PayerGateway } from '../activities/gateway/types';
import type { EligibilityAuthGateway } from '../activities/gateway/eligibility-auth';
import { TASK_QUEUE } from '../contracts/claim';
import { encryptingDataConverter, failureConverterPath } from '../lib/codec-converter';
import type { EncryptionKey } from '../lib/config';
import path from 'node:path';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { SHARED_WORKFLOW_MODULES } from './shared-modules';

export const workflowsPath = path.resolve(__dirname, '../workflows/index.ts');

/** Evaluated once per worker and shared by every workflow (workers/shared-modules.ts). */
export const sharedWorkflowModules = SHARED_WORKFLOW_MODULES.map((m) => path.resolve(__dirname, '..', m));

/** Bundle once and reuse (tests bundle once per file; start-up bundles once). */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath, preloadModules: sharedWorkflowModules, logger: quietBundlerLogger });
}

/**
 * bundleWorkflows() in a short-lived child process (workers/bundle-child.ts), for long-running
 * workers (`npm run worker`, `npm start`): webpack's memory leaves with the child instead of staying
 * in the worker's heap for its lifetime (~115 MB measured with bench:asleep, README "Worker options").
 */
export async function bundleWorkflowsInChildProcess(): Promise<WorkflowBundle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rcm-workflow-bundle-'));
  const out = path.join(dir, 'workflow-bundle.js');
  try {
    await new Promise<void>((resolve, reject) => {
      // tsx runs the TypeScript child whether or not this process was started through it.
      const child = fork(path.join(__dirname, 'bundle-child.ts'), [out], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.once('error', reject);
      child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`bundling the workflow code failed (child exited with ${code ?? signal})`))));
    });
    return { code: readFileSync(out, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const quietBundlerLogger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => process.stderr.write(`bundler: ${m}\n`),
  error: (m: string) => process.stderr.write(`bundler: ${m}\n`),
  log: () => {},
};

export { dataConverter, encryptingDataConverter } from '../lib/codec-converter';

export async function createRcmWorker(opts: {
  connection: NativeConnection;
  namespace: string;
  db: Knex;
  gateway: PayerGateway;
  /** Eligibility / prior authorization (default: the simulator; see createEligibilityAuthGateway). */
  eligibilityAuthGateway?: EligibilityAuthGateway;
  keys: EncryptionKey[];
  workflowBundle?: WorkflowBundle;
  taskQueue?: string;
  /** Workflows kept in memory between tasks (default RCM_WORKER_MAX_CACHED_WORKFLOWS, else 1,000). */
  maxCachedWorkflows?: number;
  /** Stack frames kept in workflow code (default RCM_WORKFLOW_STACK_TRACE_LIMIT, else 2). */
  workflowStackTraceLimit?: number;
}): Promise<Worker> {
  const options = workerOptionsFromEnv();
  applyHeapGrowingPercent();
  // Issue 16: the SDK's promise hook builds a source-mapped stack trace for every promise created in
  // workflow code (for the __stack_trace query; sdk-typescript#1587), measured at 42% of the
  // workflow thread's CPU per claim. V8 gives each new context Error.stackTraceLimit from the flag at
  // its creation: set it while the workflow thread and its context are created, then restore it, so
  // the API and activities on this thread keep full stacks (README "Worker options").
  const stackTraceLimit = opts.workflowStackTraceLimit ?? workflowStackTraceLimitFromEnv();
  v8.setFlagsFromString(`--stack-trace-limit=${stackTraceLimit}`);
  try {
    return await createWorker(opts, options);
  } finally {
    v8.setFlagsFromString(`--stack-trace-limit=${NODE_STACK_TRACE_LIMIT}`);
  }
}

/** Node's default Error.stackTraceLimit (what the flag is restored to). */
const NODE_STACK_TRACE_LIMIT = 10;

function createWorker(opts: Parameters<typeof createRcmWorker>[0], options: ReturnType<typeof workerOptionsFromEnv>): Promise<Worker> {
  return Worker.create({
    // Issue 16, set deliberately (README "Worker options"): workflow tasks are short (claims batch
    // their PostgreSQL work into local activities), so 40 at once keep one workflow thread busy;
    // local activities hold a pooled PostgreSQL connection each (pool: 10 per process), so more than
    // 20 at once only queue for a connection and risk the 10 s acquire timeout; regular activities
    // are mostly payer calls that wait on the gateway. One workflow thread with a reusable V8 context
    // (the SDK's default): the machine has 2 cores shared with Temporal and PostgreSQL.
    maxConcurrentWorkflowTaskExecutions: options.workflowTasks,
    maxConcurrentLocalActivityExecutions: options.localActivities,
    maxConcurrentActivityTaskExecutions: options.activities,
    reuseV8Context: true,
    workflowThreadPoolSize: 1,
    // Open claims sleep for weeks on AR timers: most of them need no memory between their tasks. The
    // SDK's default sizes the cache from the machine's memory, which let 20,000 imported claims fill
    // the workflow thread's heap until it died (bench:import, 2026-12-02). A bounded cache evicts the
    // least recently used workflow; its next task replays it from history (bounded by continue-as-new).
    maxCachedWorkflows: opts.maxCachedWorkflows ?? maxCachedWorkflowsFromEnv(),
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: createActivities({ db: opts.db, gateway: opts.gateway, eligibilityAuthGateway: opts.eligibilityAuthGateway }),
    dataConverter: encryptingDataConverter(opts.keys),
  });
}

/** RCM_WORKFLOW_STACK_TRACE_LIMIT: stack frames in workflow code, an integer 0–100 (default 2). */
export function workflowStackTraceLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return intInRange(env, 'RCM_WORKFLOW_STACK_TRACE_LIMIT', 2, 0, 100);
}

/** An integer variable from `min` to `max` (default `fallback` when unset), else an error naming it. */
function intInRange(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/**
 * RCM_WORKER_HEAP_GROWING_PERCENT: after a full GC, V8 lets the heap grow to what survived × (1 +
 * this/100) before the next one; an integer 0–400, default 100 (× 2). 0 leaves V8's own factor,
 * which climbs to × 4 while the worker is busy: with 200 claims in flight the main thread's heap
 * reached 250 MB holding 70 MB of live objects (bench:claims, README "Worker options").
 */
export function heapGrowingPercentFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return intInRange(env, 'RCM_WORKER_HEAP_GROWING_PERCENT', 100, 0, 400);
}

/**
 * Issue 16: how far V8 lets this process's heaps grow past what the last full GC kept
 * (RCM_WORKER_HEAP_GROWING_PERCENT; README "Worker options"). A V8 flag, so process-wide: the
 * main thread (activities, codec, API under `npm start`) and the workflow thread alike.
 */
export function applyHeapGrowingPercent(env: NodeJS.ProcessEnv = process.env): void {
  const percent = heapGrowingPercentFromEnv(env);
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** RCM_WORKER_MAX_CACHED_WORKFLOWS: a positive integer (default 1,000). */
export function maxCachedWorkflowsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RCM_WORKER_MAX_CACHED_WORKFLOWS;
  if (raw === undefined || raw === '') return 1_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RCM_WORKER_MAX_CACHED_WORKFLOWS: expected a positive integer, got "${raw}"`);
  return n;
}

/** The worker's concurrency (README "Worker options"); each variable a positive integer. */
export function workerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): { workflowTasks: number; localActivities: number; activities: number } {
  return {
    workflowTasks: positiveInt(env, 'RCM_WORKER_MAX_WORKFLOW_TASKS', 40),
    localActivities: positiveInt(env, 'RCM_WORKER_MAX_LOCAL_ACTIVITIES', 20),
    activities: positiveInt(env, 'RCM_WORKER_MAX_ACTIVITIES', 100),
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${raw}"`);
  return n;
}
