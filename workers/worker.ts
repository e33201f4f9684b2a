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

export const workflowsPath = path.resolve(__dirname, '../workflows/index.ts');

/** Bundle once and reuse (tests bundle once per file; start-up bundles once). */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietBundlerLogger });
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
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: createActivities({ db: opts.db, gateway: opts.gateway, eligibilityAuthGateway: opts.eligibilityAuthGateway }),
    dataConverter: encryptingDataConverter(opts.keys),
  });
}
