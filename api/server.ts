/**
 * Standalone API process (docker-compose): DATABASE_URL and TEMPORAL_ADDRESS must be set.
 * `npm start` runs the same app in-process with the embedded defaults.
 */
import { loadConfigOrExit } from '../lib/config';
import { createDb, migrateLatest } from '../db/knex';
import { AesGcmCodec, resolveEncryptionKeys } from '../lib/codec';
import { createTemporalClient } from '../lib/temporal-client';
import { ensureAdminToken } from '../lib/admin-token';
import { buildApp } from './app';
import { createInbound } from '../ingest/inbound';

async function main() {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) throw new Error('DATABASE_URL: required for the standalone API');
  if (!config.temporalAddress) throw new Error('TEMPORAL_ADDRESS: required for the standalone API');
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const token = await ensureAdminToken(db, config.dataDir);
  const keys = resolveEncryptionKeys(config.encryptionKeys, config.dataDir);
  const client = await createTemporalClient(config.temporalAddress, config.temporalNamespace, keys);
  const app = await buildApp({ db, temporal: client, inbound: createInbound({ db, temporal: client }), codec: new AesGcmCodec(keys), config, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  const close = async () => {
    await app.close();
    await client.connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void close());
  process.on('SIGTERM', () => void close());
  await app.listen({ port: config.apiPort, host: config.apiHost });
  process.stdout.write(`admin token in ${token.file}\n`);
}

main().catch((err) => {
  process.stderr.write(`api: ${(err as Error).message}\n`);
  process.exit(1);
});
