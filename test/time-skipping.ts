/**
 * Time-skipping Temporal test server for timer-heavy suites (`@temporalio/testing` pointed at the
 * pinned binary in .tools; nothing downloads). Time is global to the server: run such suites
 * serially. It does not skip time while an Update is awaited, and has no Schedules.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { parseEncryptionKeys } from '../lib/config';
import { temporalTestServerPath } from '../lib/tools';
import { createActivities } from '../activities';
import { dataConverter } from '../workers/codec-converter';
import { workflowBundle } from './harness';
import { PayerSimulator, type SimulatorConfig } from '../activities/gateway/simulator';
import { createInbound } from '../activities/inbound';
import { TASK_QUEUE } from '../contracts/claim';

export type TimeSkippingHarness = {
  env: TestWorkflowEnvironment;
  db: Knex;
  worker: Worker;
  simulator: PayerSimulator;
  inbound: ReturnType<typeof createInbound>;
  /** Run `fn` while the worker polls. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export async function startTimeSkipping(opts: { simulator?: SimulatorConfig } = {}): Promise<TimeSkippingHarness> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: dataConverter(keys) },
  });
  const db = createDb(inject('databaseUrl'));
  const inbound = createInbound({ db, temporal: env.client });
  const simulator = new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0, ...opts.simulator });
  simulator.sink = inbound;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db, gateway: simulator }),
    dataConverter: dataConverter(keys),
  });
  return {
    env,
    db,
    worker,
    simulator,
    inbound,
    run: (fn) => worker.runUntil(fn),
    async close() {
      simulator.stop();
      await env.teardown();
      await db.destroy();
    },
  };
}
