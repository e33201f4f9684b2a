/**
 * Process configuration from the environment (CONTRACTS.md "Configuration"). Every variable is
 * validated once at start-up; an invalid value stops the process with a message naming the
 * variable. Unset DATABASE_URL / TEMPORAL_ADDRESS select the embedded defaults.
 */
import path from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type EncryptionKey = { id: string; key: Buffer };

export type Config = {
  databaseUrl?: string;
  temporalAddress?: string;
  temporalNamespace: string;
  apiPort: number;
  apiHost: string;
  /** Ordered: the first key encrypts, every key decrypts (rotation). Unset → generated dev key. */
  encryptionKeys?: EncryptionKey[];
  dataDir: string;
  embeddedPgPort: number;
  temporalPort: number;
  temporalUiPort: number;
  /** Origin of the Temporal Web UI allowed to call the codec endpoint (CORS). */
  temporalUiOrigin: string;
  /** Payer gateway: 'simulator' (default) or 'file-drop'. */
  gateway: 'simulator' | 'file-drop';
  clearinghouseDir: string;
  /**
   * Which Temporal `npm start` runs when TEMPORAL_ADDRESS is unset: `dev` (the CLI's dev server,
   * SQLite) or `server` (the production server on PostgreSQL, `npm run start:cluster`).
   */
  temporalMode: 'dev' | 'server';
  /** History shards of a new `server` cluster (fixed once its database exists). */
  temporalHistoryShards: number;
  /** host:port of the worker's Prometheus exporter (Temporal SDK metrics); unset → none. */
  workerMetricsAddress?: string;
};

const port = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    throw new ConfigError(name, `expected a TCP port 1-65535, got "${raw}"`);
  }
  return Number(raw);
};

/** `keyId:base64Key[,keyId:base64Key…]`, each key 32 bytes (AES-256-GCM). */
export function parseEncryptionKeys(raw: string, variable = 'RCM_ENCRYPTION_KEYS'): EncryptionKey[] {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError(variable, 'no keys given (format keyId:base64Key,...)');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new ConfigError(variable, `entry ${i + 1} is not keyId:base64Key`);
    const id = entry.slice(0, sep);
    const b64 = entry.slice(sep + 1);
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new ConfigError(variable, `entry ${i + 1}: key id "${id}" must be letters, digits, . _ -`);
    if (seen.has(id)) throw new ConfigError(variable, `entry ${i + 1}: key id "${id}" appears twice`);
    seen.add(id);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new ConfigError(variable, `entry ${i + 1} (${id}): key is not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new ConfigError(variable, `entry ${i + 1} (${id}): key must be 32 bytes, got ${key.length}`);
    return { id, key };
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', 'not a URL (expected postgres://user:password@host:5432/db)');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', `expected a postgres:// URL, got protocol "${url.protocol}"`);
    }
  }
  const temporalAddress = env.TEMPORAL_ADDRESS || undefined;
  if (temporalAddress !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(temporalAddress)) {
    throw new ConfigError('TEMPORAL_ADDRESS', `expected host:port, got "${temporalAddress}"`);
  }
  const temporalNamespace = env.TEMPORAL_NAMESPACE || 'default';
  if (!/^[A-Za-z0-9._-]{2,255}$/.test(temporalNamespace)) {
    throw new ConfigError('TEMPORAL_NAMESPACE', `not a valid namespace name: "${temporalNamespace}"`);
  }
  const gateway = (env.RCM_GATEWAY || 'simulator') as Config['gateway'];
  if (!['simulator', 'file-drop'].includes(gateway)) {
    throw new ConfigError('RCM_GATEWAY', `expected "simulator" or "file-drop", got "${env.RCM_GATEWAY}"`);
  }
  const temporalMode = (env.RCM_TEMPORAL || 'dev') as Config['temporalMode'];
  if (!['dev', 'server'].includes(temporalMode)) {
    throw new ConfigError('RCM_TEMPORAL', `expected "dev" or "server", got "${env.RCM_TEMPORAL}"`);
  }
  const shardsRaw = env.RCM_TEMPORAL_SHARDS || '4';
  if (!/^\d+$/.test(shardsRaw) || Number(shardsRaw) < 1 || Number(shardsRaw) > 16384) {
    throw new ConfigError('RCM_TEMPORAL_SHARDS', `expected a number of history shards 1-16384, got "${shardsRaw}"`);
  }
  const workerMetricsAddress = env.RCM_WORKER_METRICS_ADDRESS || undefined;
  if (workerMetricsAddress !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(workerMetricsAddress)) {
    throw new ConfigError('RCM_WORKER_METRICS_ADDRESS', `expected host:port (e.g. 127.0.0.1:9464), got "${workerMetricsAddress}"`);
  }
  const dataDir = path.resolve(cwd, env.RCM_DATA_DIR || '.data');
  const temporalUiPort = port('RCM_TEMPORAL_UI_PORT', env.RCM_TEMPORAL_UI_PORT, 8233);
  return {
    databaseUrl,
    temporalAddress,
    temporalNamespace,
    apiPort: port('API_PORT', env.API_PORT, 3000),
    apiHost: env.API_HOST || '127.0.0.1',
    encryptionKeys: env.RCM_ENCRYPTION_KEYS ? parseEncryptionKeys(env.RCM_ENCRYPTION_KEYS) : undefined,
    dataDir,
    embeddedPgPort: port('RCM_EMBEDDED_PG_PORT', env.RCM_EMBEDDED_PG_PORT, 5433),
    temporalPort: port('RCM_TEMPORAL_PORT', env.RCM_TEMPORAL_PORT, 7233),
    temporalUiPort,
    temporalUiOrigin: env.RCM_TEMPORAL_UI_ORIGIN || `http://localhost:${temporalUiPort}`,
    gateway,
    clearinghouseDir: path.resolve(dataDir, env.RCM_CLEARINGHOUSE_DIR || 'clearinghouse'),
    temporalMode,
    temporalHistoryShards: Number(shardsRaw),
    workerMetricsAddress,
  };
}

/** Parse the config or print the problem and exit non-zero: used by every entry point. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rcm: invalid configuration: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

export const zPort = z.coerce.number().int().min(1).max(65535);
