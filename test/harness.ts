/**
 * Per-file wiring for integration tests: real database, real Temporal client and worker (same
 * factories as production), and the Fastify app driven through `inject`.
 */
import { inject } from 'vitest';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { installWorkerRuntime } from '../workers/telemetry';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { parseEncryptionKeys } from '../lib/config';
import { createTemporalClient } from '../lib/temporal-client';
import { AesGcmCodec } from '../lib/codec';
import { bundleWorkflows, createRcmWorker } from '../workers/worker';
import { buildApp } from '../api/app';
import { PayerSimulator, type SimulatorConfig } from '../activities/gateway/simulator';
import { createInbound } from '../ingest/inbound';
import { claimStateQuery, type ClaimWorkflowState } from '../contracts/claim';

// Keep test output readable: the SDK logs worker state changes at INFO. A suite that sets
// RCM_WORKER_METRICS_ADDRESS before importing this (vi.hoisted) gets the worker's Prometheus exporter.
installWorkerRuntime(process.env.RCM_WORKER_METRICS_ADDRESS, 'WARN');

let bundle: Promise<WorkflowBundle> | undefined;
/** Bundle workflow code once per test file. */
export const workflowBundle = () => (bundle ??= bundleWorkflows());

export type Harness = {
  db: Knex;
  client: Client;
  app: FastifyInstance;
  worker: Worker;
  simulator: PayerSimulator;
  inbound: ReturnType<typeof createInbound>;
  tokens: ReturnType<typeof inject<'tokens'>>;
  auth: (who?: keyof ReturnType<typeof inject<'tokens'>>) => { authorization: string };
  close(): Promise<void>;
};

export async function startHarness(opts: { worker?: boolean; simulator?: SimulatorConfig; databaseUrl?: string; durableSimulator?: boolean; temporalAddress?: string } = {}): Promise<Harness> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const db = createDb(opts.databaseUrl ?? inject('databaseUrl'));
  const address = opts.temporalAddress ?? inject('temporalAddress');
  const client = await createTemporalClient(address, 'default', keys);
  const connection = await NativeConnection.connect({ address });
  const inbound = createInbound({ db, temporal: client });
  const simulator = new PayerSimulator({ ackDelayMs: 20, remitDelayMs: 50, ...(opts.durableSimulator ? { outbox: { db, pollMs: 100 } } : {}), ...opts.simulator });
  simulator.sink = inbound;
  simulator.resume();
  // worker: false → the test builds its own worker (a Worker that never runs would pin the connection).
  const worker = opts.worker === false ? (undefined as unknown as Worker) : await createRcmWorker({ connection, namespace: 'default', db, gateway: simulator, keys, workflowBundle: await workflowBundle() });
  const running = opts.worker === false ? Promise.resolve() : worker.run();
  const app = await buildApp({ db, temporal: client, inbound, codec: new AesGcmCodec(keys), config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' } });
  const tokens = inject('tokens');
  return {
    db,
    client,
    app,
    worker,
    simulator,
    inbound,
    tokens,
    auth: (role = 'admin') => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await simulator.stop();
      await app.close();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
      await db.destroy();
    },
  };
}

let seq = 0;
/** A unique business id per test run (claim ids must never repeat on one Temporal server). */
export const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** Poll until `fn` returns a value (not undefined), or fail naming what was awaited. */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until the claim workflow's state (its query) satisfies `pred`. */
export async function claimStateUntil(h: Pick<Harness, 'client' | 'db'>, claimId: string, pred: (s: ClaimWorkflowState) => boolean, what: string, timeoutMs = 40_000, practiceId?: string): Promise<ClaimWorkflowState> {
  return eventually(async () => {
    // The claim's workflow id as the read model records it (claim ids are unique per practice: test files use unique ids).
    const q = h.db('claims').where({ claim_id: claimId });
    if (practiceId) q.where({ practice_id: practiceId });
    const row = await q.first('workflow_id');
    if (!row) return undefined;
    const s = await h.client.workflow.getHandle(row.workflow_id as string).query(claimStateQuery);
    return pred(s) ? s : undefined;
  }, `${claimId} ${what}`, timeoutMs);
}
