import type { Knex } from 'knex';

/**
 * Issue 16 (bench:api): the claim list and the worklist are ordered by dollars at risk, highest
 * first, 100 at a time. Without an index in that order PostgreSQL read every claim of the practice
 * (10,000 in the bench) and sorted them for each page: 33 ms of SQL per claim-list request on this
 * machine. With these, a page is the first 100 entries of an index range.
 */
export async function up(knex: Knex): Promise<void> {
  // GET /api/claims: practice scope, then dollars_at_risk_cents desc, claim_id.
  await knex.raw('create index if not exists claims_practice_risk_idx on claims (practice_id, dollars_at_risk_cents desc, claim_id)');
  // GET /api/work-items: practice scope and status, then dollars_at_risk_cents desc, due_date (nulls last), id.
  await knex.raw('create index if not exists work_items_practice_status_risk_idx on work_items (practice_id, status, dollars_at_risk_cents desc, due_date asc nulls last, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists work_items_practice_status_risk_idx');
  await knex.raw('drop index if exists claims_practice_risk_idx');
}
