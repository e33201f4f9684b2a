/** knex + pg. int8 (bigint) columns hold cents and counts well inside 2^53: parse them as numbers. */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v: string) => Number(v));
// `date` columns stay 'YYYY-MM-DD' strings: dates of service are calendar dates, not instants.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

export type Db = Knex;

/**
 * Time limits so that a PostgreSQL that is down or frozen fails a call in seconds instead of
 * hanging it: the API answers 503 and an activity attempt fails and is retried (see
 * contracts/activity-policies.ts), rather than holding a worker slot until the server returns.
 */
export const DB_TIMEOUTS = {
  /** Opening a TCP connection and the startup handshake. */
  connectMs: 5_000,
  /** Waiting for a free pooled connection. */
  acquireMs: 10_000,
  /** One query, client side (below the 30 s activity timeout). */
  queryMs: 25_000,
};

export function createDb(connectionString: string, pool: { min?: number; max?: number } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, connectionTimeoutMillis: DB_TIMEOUTS.connectMs, query_timeout: DB_TIMEOUTS.queryMs, keepAlive: true },
    pool: { min: pool.min ?? 0, max: pool.max ?? 10 },
    acquireConnectionTimeout: DB_TIMEOUTS.acquireMs,
  });
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest({ migrationSource });
  return applied as string[];
}

/**
 * `fn` in a transaction: a new one, or, when `db` already is one (a claim step's `claimDbBatch`), that
 * one — a nested `transaction()` would add a SAVEPOINT and a RELEASE round trip for nothing, since a
 * failure rolls the whole batch back anyway. Only for callers that never catch a failed statement and
 * carry on (that needs the savepoint).
 */
export function atomically<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Knex.Transaction) : db.transaction(fn);
}
