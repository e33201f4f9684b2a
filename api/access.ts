/**
 * Who may do what: `request.access` is built once per request from the caller's token. Routes ask
 * it for a role (`requireRole`) and narrow their queries to the caller's practices (`scoped`).
 */
import type { Knex } from 'knex';
import { HttpError } from './errors';
import type { ApiUser, Role } from './tokens';

export class Access {
  constructor(readonly user: ApiUser) {}

  requireRole(roles: readonly Role[], message: string): void {
    if (!roles.includes(this.user.role)) throw new HttpError(403, 'forbidden', message);
  }

  /** The query narrowed to the caller's practices (`column` holds the practice id). */
  scoped<T extends Knex.QueryBuilder>(query: T, column = 'practice_id'): T {
    const ids = this.user.practiceIds;
    return ids === 'all' ? query : (query.whereIn(column, ids) as T);
  }
}
