import type { Knex } from 'knex';

/** Indexes for the dashboard's KPI, aging and deadline queries and for "Find a claim" (db/kpis.ts). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists claims_practice_service_date_idx on claims (practice_id, service_date)');
  await knex.raw('create index if not exists claims_practice_created_at_idx on claims (practice_id, created_at)');
  await knex.raw('create index if not exists claims_cpt_codes_gin_idx on claims using gin (cpt_codes)');
  await knex.raw(`create index if not exists claims_patient_id_idx on claims ((document->'patient'->>'id'))`);
  await knex.raw('create index if not exists claims_claim_id_pattern_idx on claims (claim_id text_pattern_ops)');
  await knex.raw('create index if not exists payments_claim_id_idx on payments (claim_id)');
  await knex.raw('create index if not exists adjustments_payment_id_idx on adjustments (payment_id)');
  await knex.raw('create index if not exists denials_practice_denial_date_idx on denials (practice_id, denial_date)');
  await knex.raw('create index if not exists authorizations_practice_valid_to_idx on authorizations (practice_id, valid_to)');
  await knex.raw('create index if not exists providers_practice_idx on providers (practice_id)');
  await knex.raw('create index if not exists work_items_practice_status_due_idx on work_items (practice_id, status, due_date)');
}

export async function down(knex: Knex): Promise<void> {
  for (const name of ['claims_practice_service_date_idx', 'claims_practice_created_at_idx', 'claims_cpt_codes_gin_idx', 'claims_patient_id_idx', 'claims_claim_id_pattern_idx', 'payments_claim_id_idx', 'adjustments_payment_id_idx', 'denials_practice_denial_date_idx', 'authorizations_practice_valid_to_idx', 'providers_practice_idx', 'work_items_practice_status_due_idx']) {
    await knex.raw(`drop index if exists ${name}`);
  }
}
