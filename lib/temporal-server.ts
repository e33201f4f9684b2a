/**
 * The production Temporal server (`go.temporal.io/server/cmd/server`, built into
 * .tools/temporal-server by scripts/build-temporal-server.sh) on PostgreSQL persistence and SQL
 * visibility: the cluster `npm run start:cluster` and test/cluster.int.test.ts run instead of the
 * CLI's dev server. Its two databases (`temporal`, `temporal_visibility` by default) live in the
 * PostgreSQL given (the embedded one by default); their schema is applied with the server's own
 * `temporal-sql-tool` from the schema files built into it. The config file is generated here, as
 * is the Web UI's (`temporal-ui-server`, the UI the CLI's dev server embeds, pointed at this frontend).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { projectRoot } from './tools';
import { captureOutput, freePort, listeningOrKilled, stopChild } from './temporal-dev-server';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

export function temporalServerBinaries(): { server: string; sqlTool: string; uiServer: string } {
  const dir = process.env.RCM_TEMPORAL_SERVER_DIR || path.join(projectRoot, '.tools/temporal-server/bin');
  return { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool'), uiServer: path.join(dir, 'temporal-ui-server') };
}

/** Build the server when its binaries are missing (about 3–6 minutes once; a no-op afterwards). Its output goes to this process's terminal. */
export function ensureTemporalServerBuilt(): void {
  const { server, sqlTool } = temporalServerBinaries();
  if (process.env.RCM_TEMPORAL_SERVER_DIR) {
    if (!existsSync(server) || !existsSync(sqlTool)) throw new Error(`RCM_TEMPORAL_SERVER_DIR: no temporal-server and temporal-sql-tool in ${path.dirname(server)}`);
    return;
  }
  const res = spawnSync('bash', [path.join(projectRoot, 'scripts/build-temporal-server.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) throw new Error(`building the Temporal server failed (exit ${res.status}): see its output above`);
}

/** The server's ports: the frontend is what clients dial; the others are internal. */
export type TemporalServerPorts = {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  /** Prometheus scrape endpoint of the server's own metrics (`/metrics`). */
  metrics: number;
};

/** Ports derived from the frontend port the way the server's sample configs lay them out (7233 → 7234, 7235, 7239, 6933…, 7243, 9090 + offset). */
export function derivedPorts(frontend: number, metrics = 9090 + (frontend - 7233)): TemporalServerPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    frontendMembership: frontend - 300,
    history: frontend + 1,
    historyMembership: frontend - 299,
    matching: frontend + 2,
    matchingMembership: frontend - 298,
    worker: frontend + 6,
    workerMembership: frontend - 294,
    metrics,
  };
}

/** A free loopback port below 32768: the server stores membership ports as a PostgreSQL smallint. */
export async function freeMembershipPort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Ports for a server of a test's own: the frontend and services on free ports, membership below 32768. */
export async function freeServerPorts(): Promise<TemporalServerPorts> {
  return {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
    metrics: await freePort(),
    frontendMembership: await freeMembershipPort(),
    historyMembership: await freeMembershipPort(),
    matchingMembership: await freeMembershipPort(),
    workerMembership: await freeMembershipPort(),
  };
}

export type SqlTarget = { host: string; port: number; user: string; password: string; database: string; visibilityDatabase: string };

/** The Temporal databases next to the application database `appDatabaseUrl` (same server and user). */
export function sqlTargetFor(appDatabaseUrl: string, names = { database: 'temporal', visibilityDatabase: 'temporal_visibility' }): SqlTarget {
  const url = new URL(appDatabaseUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...names,
  };
}

/** The server's config (JSON is YAML): PostgreSQL persistence and SQL visibility, `numHistoryShards` shards. */
export function temporalServerConfig(opts: { sql: SqlTarget; ports: TemporalServerPorts; numHistoryShards: number; dynamicConfigFile: string; logLevel?: string }) {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${opts.sql.host}:${opts.sql.port}`,
      connectProtocol: 'tcp',
      user: opts.sql.user,
      password: opts.sql.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } });
  const p = opts.ports;
  return {
    log: { stdout: true, level: opts.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: opts.numHistoryShards,
      datastores: {
        'postgres-default': store(opts.sql.database, 20),
        'postgres-visibility': store(opts.sql.visibilityDatabase, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${p.metrics}` } },
    },
    services: {
      frontend: rpc(p.frontend, p.frontendMembership, { httpPort: p.frontendHttp }),
      history: rpc(p.history, p.historyMembership),
      matching: rpc(p.matching, p.matchingMembership),
      worker: rpc(p.worker, p.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${p.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: opts.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic config: the search-attribute cache is read through (a search attribute registered a
 * moment ago is usable at once, as on the dev server), and ids up to 255 characters.
 */
const DYNAMIC_CONFIG = {
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
  'limit.maxIDLength': [{ value: 255, constraints: {} }],
};

function sqlTool(sql: SqlTarget, database: string, args: string[]): void {
  const { sqlTool: bin } = temporalServerBinaries();
  const base = ['--plugin', 'postgres12', '--endpoint', sql.host, '--port', String(sql.port), '--user', sql.user, '--database', database];
  // The password goes through the environment, not the command line (ps shows arguments).
  const out = spawnSync(bin, [...base, ...args], { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: sql.password } });
  if (out.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed (exit ${out.status}): ${(out.stderr || out.stdout).slice(-2000)}`);
}

/**
 * Create the two databases when missing and bring their schema to the server's version with
 * `temporal-sql-tool` (setup-schema once, then update-schema from the embedded versioned schema:
 * a no-op when current). Safe to run on every start.
 */
export async function applyTemporalSchema(sql: SqlTarget): Promise<void> {
  const admin = new pg.Client({ host: sql.host, port: sql.port, user: sql.user, password: sql.password, database: 'postgres' });
  await admin.connect();
  try {
    for (const [database, schemaName] of [
      [sql.database, 'postgresql/v12/temporal'],
      [sql.visibilityDatabase, 'postgresql/v12/visibility'],
    ] as const) {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
      const db = new pg.Client({ host: sql.host, port: sql.port, user: sql.user, password: sql.password, database });
      await db.connect();
      const versioned = await db.query(`select to_regclass('schema_version') is not null as present`);
      await db.end();
      if (!versioned.rows[0].present) sqlTool(sql, database, ['setup-schema', '--version', '0.0']);
      sqlTool(sql, database, ['update-schema', '--schema-name', schemaName]);
    }
  } finally {
    await admin.end();
  }
}

export type TemporalServer = { address: string; ports: TemporalServerPorts; configFile: string; process: ChildProcess; stop(): Promise<void> };

/**
 * Write the config under `dir`, start the server and wait until its frontend answers. The
 * namespace and search attributes are set up separately (`ensureNamespace`), once per database.
 */
export async function startTemporalServer(opts: {
  dir: string;
  sql: SqlTarget;
  ports: TemporalServerPorts;
  numHistoryShards?: number;
  log?: (text: string) => void;
  logLevel?: string;
}): Promise<TemporalServer> {
  const { server } = temporalServerBinaries();
  if (!existsSync(server)) throw new Error(`Temporal server not built: run \`bash scripts/build-temporal-server.sh\` (${server} is missing)`);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const dynamicConfigFile = path.join(opts.dir, 'dynamicconfig.yaml');
  const configFile = path.join(opts.dir, 'temporal-server.yaml');
  writeFileSync(dynamicConfigFile, `# generated by lib/temporal-server.ts\n${JSON.stringify(DYNAMIC_CONFIG, null, 2)}\n`);
  const config = temporalServerConfig({ sql: opts.sql, ports: opts.ports, numHistoryShards: opts.numHistoryShards ?? 4, dynamicConfigFile, logLevel: opts.logLevel });
  // It holds the database password: owner-only.
  writeFileSync(configFile, `# generated by lib/temporal-server.ts (JSON is YAML)\n${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child, 6000, opts.log);
  const address = `127.0.0.1:${opts.ports.frontend}`;
  await listeningOrKilled(child, opts.ports.frontend, 120_000, 'Temporal server', output);
  // The server drains its shards on SIGTERM; 20 s before SIGKILL.
  const stop = () => stopChild(child, 20_000);
  return { address, ports: opts.ports, configFile, process: child, stop };
}

const SA_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
};

async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Register the namespace (7 days' retention) and our search attributes when missing, then wait
 * until the history service answers for it.
 */
export async function ensureNamespace(address: string, namespace: string, opts: { retentionDays?: number; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const connection = await Connection.connect({ address });
  try {
    await retry(
      `registering namespace ${namespace}`,
      async () => {
        try {
          await connection.workflowService.describeNamespace({ namespace });
        } catch {
          await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs((opts.retentionDays ?? 7) * 86_400_000) }).catch((err: { code?: number }) => {
            if (err.code !== 6 /* ALREADY_EXISTS */) throw err;
          });
          await connection.workflowService.describeNamespace({ namespace });
        }
      },
      timeoutMs,
    );
    await retry(
      'registering search attributes',
      async () => {
        const have = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (have.customAttributes ?? {})));
        if (missing.length === 0) return;
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, SA_TYPE[k.type]])) });
      },
      timeoutMs,
    );
    // The frontend opens its port before its history peers have joined: a workflow that does not
    // exist is NOT_FOUND once the history service answers (UNAVAILABLE before).
    await retry(
      `the history service answering in ${namespace}`,
      async () => {
        try {
          await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'rcm-readiness-probe-never-started' } });
        } catch (err) {
          if ((err as { code?: number }).code === 5 /* NOT_FOUND */) return;
          throw err;
        }
      },
      timeoutMs,
    );
  } finally {
    await connection.close();
  }
}

/**
 * The Temporal Web UI (`github.com/temporalio/ui-server`, the version the pinned CLI embeds in its
 * dev server) pointed at `frontendAddress`, on `port`, decoding payloads through `codecEndpoint`
 * (the API's /codec). Its config is generated under `dir`.
 */
export async function startTemporalUi(opts: { dir: string; frontendAddress: string; port: number; namespace: string; codecEndpoint?: string; log?: (text: string) => void }): Promise<{ url: string; stop(): Promise<void> }> {
  const { uiServer } = temporalServerBinaries();
  if (!existsSync(uiServer)) throw new Error(`Temporal UI server not built: run \`bash scripts/build-temporal-server.sh\` (${uiServer} is missing)`);
  const configDir = path.join(opts.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: opts.frontendAddress,
    host: '127.0.0.1',
    port: opts.port,
    enableUi: true,
    defaultNamespace: opts.namespace,
    disableNewsFetch: true,
    ...(opts.codecEndpoint ? { codec: { endpoint: opts.codecEndpoint } } : {}),
  };
  writeFileSync(path.join(configDir, 'base.yaml'), '{}\n');
  writeFileSync(path.join(configDir, 'rcm.yaml'), `# generated by lib/temporal-server.ts (JSON is YAML)\n${JSON.stringify(config, null, 2)}\n`);
  const child = spawn(uiServer, ['--root', opts.dir, '--config', 'config', '--env', 'rcm', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child, 4000, opts.log);
  await listeningOrKilled(child, opts.port, 30_000, 'Temporal UI server', output);
  return { url: `http://localhost:${opts.port}`, stop: () => stopChild(child, 5_000) };
}

/**
 * The whole start on an application database's PostgreSQL: the Temporal databases and schema, the
 * server under `dir`, the namespace and search attributes. `npm run start:cluster`, the cluster
 * suite and `RCM_TEST_TEMPORAL=server` test runs.
 */
export async function startCluster(opts: { databaseUrl: string; dir: string; ports: TemporalServerPorts; namespace: string; numHistoryShards?: number }): Promise<TemporalServer & { sql: SqlTarget }> {
  ensureTemporalServerBuilt();
  const sql = sqlTargetFor(opts.databaseUrl);
  await applyTemporalSchema(sql);
  const server = await startTemporalServer({ dir: opts.dir, sql, ports: opts.ports, numHistoryShards: opts.numHistoryShards ?? 4 });
  try {
    await ensureNamespace(server.address, opts.namespace);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, sql };
}
