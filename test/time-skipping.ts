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
import { encryptingDataConverter } from '../workers/codec-converter';
import { workflowBundle } from './harness';
import { PayerSimulator, type SimulatorConfig } from '../activities/gateway/simulator';
import { createInbound } from '../activities/inbound';
import { TASK_QUEUE } from '../contracts/claim';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { temporal } from '@temporalio/proto';

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export type TimeSkippingHarness = {
  env: TestWorkflowEnvironment;
  db: Knex;
  worker: Worker;
  simulator: PayerSimulator;
  inbound: ReturnType<typeof createInbound>;
  /** Run a test body while the worker polls (fails fast if the worker died). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export async function startTimeSkipping(opts: { simulator?: SimulatorConfig } = {}): Promise<TimeSkippingHarness> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: encryptingDataConverter(keys) },
  });
  // The test server knows no custom search attributes until told (the dev server gets them as flags).
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type]])),
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
    dataConverter: encryptingDataConverter(keys),
  });
  // A worker runs once: it polls for the whole file; `run` just runs the test body meanwhile.
  const running = worker.run();
  let failure: unknown;
  running.catch((err) => {
    failure = err;
  });
  return {
    env,
    db,
    worker,
    simulator,
    inbound,
    async run(fn) {
      if (failure) throw failure;
      return fn();
    },
    async close() {
      simulator.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await db.destroy();
    },
  };
}
