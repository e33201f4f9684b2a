/**
 * Per-file wiring for integration tests: real database, real Temporal client and worker (same
 * factories as production), and the Fastify app driven through `inject`.
 */
import { inject } from 'vitest';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { parseEncryptionKeys } from '../lib/config';
import { createTemporalClient } from '../lib/temporal-client';
import { AesGcmCodec } from '../workers/codec';
import { bundleWorkflows, createRcmWorker } from '../workers/worker';
import { buildApp } from '../api/app';

// Keep test output readable: the SDK logs worker state changes at INFO.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundle> | undefined;
/** Bundle workflow code once per test file. */
export const workflowBundle = () => (bundle ??= bundleWorkflows());

export type Harness = {
  db: Knex;
  client: Client;
  app: FastifyInstance;
  worker: Worker;
  tokens: ReturnType<typeof inject<'tokens'>>;
  auth: (role?: 'admin' | 'biller' | 'approver') => { authorization: string };
  close(): Promise<void>;
};

export async function startHarness(opts: { worker?: boolean } = {}): Promise<Harness> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const db = createDb(inject('databaseUrl'));
  const address = inject('temporalAddress');
  const client = await createTemporalClient(address, 'default', keys);
  const connection = await NativeConnection.connect({ address });
  const worker = await createRcmWorker({ connection, namespace: 'default', db, keys, workflowBundle: await workflowBundle() });
  const running = opts.worker === false ? Promise.resolve() : worker.run();
  const app = await buildApp({ db, temporal: client, codec: new AesGcmCodec(keys), config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' } });
  const tokens = inject('tokens');
  return {
    db,
    client,
    app,
    worker,
    tokens,
    auth: (role = 'admin') => ({ authorization: `Bearer ${tokens[role]}` }),
    async close() {
      await app.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
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
