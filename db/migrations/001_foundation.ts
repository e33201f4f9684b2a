import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('practices', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('tax_id');
    t.text('billing_npi');
    t.jsonb('address');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('payers', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('type').notNullable();
    t.jsonb('policy').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('fee_schedules', (t) => {
    t.text('payer_id').notNullable().references('payers.id');
    t.integer('year').notNullable();
    t.text('cpt').notNullable();
    t.bigInteger('allowable_cents').notNullable();
    t.primary(['payer_id', 'year', 'cpt']);
  });
  await knex.schema.createTable('providers', (t) => {
    t.text('npi').primary();
    t.text('practice_id').notNullable().references('practices.id');
    t.text('name').notNullable();
    t.text('specialty');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('patients', (t) => {
    t.text('practice_id').notNullable().references('practices.id');
    t.text('id').notNullable();
    t.text('name').notNullable();
    t.date('birth_date').notNullable();
    t.primary(['practice_id', 'id']);
  });
  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.text('name').notNullable();
    t.text('user_name').notNullable();
    t.text('role').notNullable();
    t.text('token_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
  await knex.schema.createTable('claims', (t) => {
    t.text('claim_id').primary();
    t.text('practice_id').notNullable().references('practices.id');
    t.text('payer_id').notNullable().references('payers.id');
    t.text('rendering_npi').notNullable();
    t.date('service_date').notNullable();
    t.text('place_of_service').notNullable();
    t.text('status').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.bigInteger('billed_cents').notNullable();
    t.specificType('cpt_codes', 'text[]').notNullable();
    t.jsonb('document').notNullable();
    t.text('scrub_status');
    t.jsonb('scrub_findings');
    t.text('workflow_id').notNullable();
    t.timestamp('next_deadline', { useTz: true });
    t.text('next_deadline_rule');
    t.integer('charge_lag_days');
    t.bigInteger('dollars_at_risk_cents').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['practice_id', 'status']);
    t.index(['payer_id', 'status']);
  });
  await knex.schema.createTable('claim_versions', (t) => {
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.integer('version').notNullable();
    t.jsonb('document').notNullable();
    t.text('reason');
    t.text('actor').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['claim_id', 'version']);
  });
  await knex.schema.createTable('claim_lines', (t) => {
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.integer('line_number').notNullable();
    t.text('cpt').notNullable();
    t.specificType('modifiers', 'text[]').notNullable().defaultTo('{}');
    t.integer('units').notNullable();
    t.bigInteger('charge_cents').notNullable();
    t.primary(['claim_id', 'line_number']);
  });
  await knex.schema.createTable('claim_events', (t) => {
    t.bigIncrements('id');
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor').notNullable();
    t.text('from_status');
    t.text('to_status').notNullable();
    t.jsonb('detail');
    t.text('idempotency_key').notNullable().unique();
    t.index(['claim_id', 'at']);
  });
  await knex.schema.createTable('work_items', (t) => {
    t.bigIncrements('id');
    t.text('practice_id').notNullable();
    t.text('kind').notNullable();
    t.text('rule_id');
    t.text('entity_type').notNullable();
    t.text('entity_id').notNullable();
    t.text('workflow_id');
    t.text('title').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('assignee');
    t.date('due_date');
    t.bigInteger('dollars_at_risk_cents').notNullable().defaultTo(0);
    t.text('status').notNullable().defaultTo('open');
    t.jsonb('outcome');
    t.text('completed_by');
    t.timestamp('completed_at', { useTz: true });
    t.text('closed_reason');
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['practice_id', 'status', 'kind']);
    t.index(['entity_type', 'entity_id']);
  });
  await knex.raw('create sequence x12_interchange_control_seq minvalue 1 maxvalue 999999999 no cycle');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop sequence if exists x12_interchange_control_seq');
  for (const table of ['work_items', 'claim_events', 'claim_lines', 'claim_versions', 'claims', 'api_tokens', 'patients', 'providers', 'fee_schedules', 'payers', 'practices']) {
    await knex.schema.dropTableIfExists(table);
  }
}
