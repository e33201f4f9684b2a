/**
 * Activities are built by a factory from injected dependencies (database, payer gateway), so
 * tests and `npm start` wire real components the same way. Workflows type their proxies with
 * `ReturnType<typeof createActivities>`.
 */
import type { Knex } from 'knex';
import { claimActivities } from './claims';

export type ActivityDeps = { db: Knex };

export function createActivities(deps: ActivityDeps) {
  return {
    ...claimActivities(deps.db),
  };
}
