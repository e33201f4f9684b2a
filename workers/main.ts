/**
 * Standalone worker process (docker-compose, or a second worker beside `npm start`):
 * DATABASE_URL and TEMPORAL_ADDRESS must be set; runs migrations if needed.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../lib/config';
import { installWorkerRuntime } from './telemetry';
import { createDb, migrateLatest } from '../db/knex';
import { resolveEncryptionKeys } from '../lib/codec';
import { bundleWorkflowsInChildProcess, createRcmWorker } from './worker';
import { createEligibilityAuthGateway, createGateway } from '../lib/gateway';
import { createInbound } from '../ingest/inbound';
import { createTemporalClient } from '../lib/temporal-client';
import { ensureDailySchedules } from '../lib/schedules';

async function main() {
  const config = loadConfigOrExit();
  installWorkerRuntime(config.workerMetricsAddress);
  if (!config.databaseUrl) throw new Error('DATABASE_URL: required for the standalone worker (npm start runs an embedded one)');
  if (!config.temporalAddress) throw new Error('TEMPORAL_ADDRESS: required for the standalone worker');
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const keys = resolveEncryptionKeys(config.encryptionKeys, config.dataDir);
  const client = await createTemporalClient(config.temporalAddress, config.temporalNamespace, keys);
  const gateway = createGateway(config, createInbound({ db, temporal: client }), process.env, { db });
  await ensureDailySchedules(client, db);
  const worker = await createRcmWorker({
    connection,
    namespace: config.temporalNamespace,
    db,
    gateway,
    eligibilityAuthGateway: createEligibilityAuthGateway(gateway),
    keys,
    workflowBundle: await bundleWorkflowsInChildProcess(),
  });
  await worker.run(); // SIGINT/SIGTERM drain the worker
  gateway.stop();
  await client.connection.close();
  await connection.close();
  await db.destroy();
}

main().catch((err) => {
  process.stderr.write(`worker: ${(err as Error).message}\n`);
  process.exit(1);
});
