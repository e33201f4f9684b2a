import type { Knex } from 'knex';

/**
 * Claim ids unique per practice (issue 13): two practices may both have claim "1001". The claim's
 * key becomes (practice_id, claim_id); every table that names a claim gains the practice (backfilled
 * from the claim, which was unique until now) and references the claim by both columns. Runs on a
 * database with data: one transaction (knex runs each migration in one), nothing dropped but keys.
 *
 * remittance_claims and simulator_answers name claims that may not exist (an unmatched ERA claim
 * payment, a simulator answer): their practice_id is nullable and has no foreign key.
 */
const CHILDREN = ['claim_versions', 'claim_lines', 'claim_events', 'submissions', 'payments', 'denials'] as const;

export async function up(knex: Knex): Promise<void> {
  // 1. Foreign keys to claims(claim_id) go first (they depend on its primary key).
  for (const t of CHILDREN) await knex.raw(`alter table ${t} drop constraint if exists ${t}_claim_id_foreign`);

  // 2. Every child names its claim's practice.
  for (const t of ['claim_versions', 'claim_lines', 'claim_events', 'submissions', 'payments', 'remittance_claims', 'simulator_answers']) {
    await knex.raw(`alter table ${t} add column practice_id text`);
    await knex.raw(`update ${t} x set practice_id = c.practice_id from claims c where c.claim_id = x.claim_id`);
  }
  for (const t of CHILDREN) await knex.raw(`alter table ${t} alter column practice_id set not null`);

  // 3. The claim's key, then the children's keys, uniques and indexes with the practice first.
  await knex.raw('alter table claims drop constraint claims_pkey');
  await knex.raw('alter table claims add constraint claims_pkey primary key (practice_id, claim_id)');
  await knex.raw('alter table claim_versions drop constraint claim_versions_pkey');
  await knex.raw('alter table claim_versions add constraint claim_versions_pkey primary key (practice_id, claim_id, version)');
  await knex.raw('alter table claim_lines drop constraint claim_lines_pkey');
  await knex.raw('alter table claim_lines add constraint claim_lines_pkey primary key (practice_id, claim_id, line_number)');
  await knex.raw('drop index if exists claim_events_claim_id_at_index');
  await knex.raw('create index claim_events_practice_claim_at_idx on claim_events (practice_id, claim_id, at)');
  await knex.raw('drop index if exists submissions_claim_id_index');
  await knex.raw('create index submissions_practice_claim_idx on submissions (practice_id, claim_id)');
  await knex.raw('drop index if exists payments_claim_id_idx');
  await knex.raw('create index payments_practice_claim_idx on payments (practice_id, claim_id)');
  await knex.raw('alter table denials drop constraint if exists denials_claim_id_remittance_key_unique');
  await knex.raw('alter table denials add constraint denials_practice_claim_remittance_unique unique (practice_id, claim_id, remittance_key)');
  await knex.raw('drop index if exists remittance_claims_claim_id_index');
  await knex.raw('create index remittance_claims_practice_claim_idx on remittance_claims (practice_id, claim_id)');
  await knex.raw('drop index if exists write_off_requests_one_pending');
  await knex.raw(`create unique index write_off_requests_one_pending on write_off_requests (practice_id, claim_id) where status = 'pending'`);
  await knex.raw('create index if not exists work_items_entity_practice_idx on work_items (entity_type, entity_id, practice_id)');
  // An activity scheduled before this release names its claim by id alone: found by its workflow id.
  await knex.raw('create index if not exists claims_workflow_id_idx on claims (workflow_id)');

  // 4. Composite foreign keys.
  for (const t of CHILDREN) {
    await knex.raw(`alter table ${t} add constraint ${t}_practice_claim_foreign foreign key (practice_id, claim_id) references claims (practice_id, claim_id)`);
  }
}

export async function down(knex: Knex): Promise<void> {
  // Only possible while no claim id is used by two practices (the old key cannot hold them).
  for (const t of CHILDREN) await knex.raw(`alter table ${t} drop constraint if exists ${t}_practice_claim_foreign`);
  await knex.raw('drop index if exists work_items_entity_practice_idx');
  await knex.raw('drop index if exists claims_workflow_id_idx');
  await knex.raw('drop index if exists write_off_requests_one_pending');
  await knex.raw(`create unique index write_off_requests_one_pending on write_off_requests (claim_id) where status = 'pending'`);
  await knex.raw('drop index if exists remittance_claims_practice_claim_idx');
  await knex.raw('create index remittance_claims_claim_id_index on remittance_claims (claim_id)');
  await knex.raw('alter table denials drop constraint if exists denials_practice_claim_remittance_unique');
  await knex.raw('alter table denials add constraint denials_claim_id_remittance_key_unique unique (claim_id, remittance_key)');
  await knex.raw('drop index if exists payments_practice_claim_idx');
  await knex.raw('create index payments_claim_id_idx on payments (claim_id)');
  await knex.raw('drop index if exists submissions_practice_claim_idx');
  await knex.raw('create index submissions_claim_id_index on submissions (claim_id)');
  await knex.raw('drop index if exists claim_events_practice_claim_at_idx');
  await knex.raw('create index claim_events_claim_id_at_index on claim_events (claim_id, at)');
  await knex.raw('alter table claim_lines drop constraint claim_lines_pkey');
  await knex.raw('alter table claim_lines add constraint claim_lines_pkey primary key (claim_id, line_number)');
  await knex.raw('alter table claim_versions drop constraint claim_versions_pkey');
  await knex.raw('alter table claim_versions add constraint claim_versions_pkey primary key (claim_id, version)');
  await knex.raw('alter table claims drop constraint claims_pkey');
  await knex.raw('alter table claims add constraint claims_pkey primary key (claim_id)');
  for (const t of ['claim_versions', 'claim_lines', 'claim_events', 'submissions', 'payments', 'remittance_claims', 'simulator_answers']) {
    await knex.raw(`alter table ${t} drop column practice_id`);
  }
  for (const t of CHILDREN) await knex.raw(`alter table ${t} add constraint ${t}_claim_id_foreign foreign key (claim_id) references claims (claim_id)`);
}
