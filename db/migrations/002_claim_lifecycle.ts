import type { Knex } from 'knex';

/** Submissions, acknowledgements, remittances, posting, denials: the claim lifecycle read model. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('submissions', (t) => {
    t.bigIncrements('id');
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.integer('claim_version').notNullable();
    t.text('payer_id').notNullable();
    t.text('coverage_priority').notNullable().defaultTo('primary');
    t.text('frequency_code').notNullable().defaultTo('1');
    t.bigInteger('interchange_control_number').notNullable();
    t.text('gateway').notNullable();
    t.text('status').notNullable(); // sent | accepted | rejected
    t.jsonb('ack_detail');
    t.timestamp('submitted_at', { useTz: true }).notNullable();
    t.timestamp('acknowledged_at', { useTz: true });
    t.text('idempotency_key').notNullable().unique();
    t.index(['claim_id']);
  });
  await knex.schema.createTable('remittances', (t) => {
    t.text('remittance_key').primary(); // payerId:TRN02
    t.text('payer_id').notNullable();
    t.text('trace_number').notNullable();
    t.date('payment_date').notNullable();
    t.date('adjudication_date').notNullable();
    t.bigInteger('total_paid_cents').notNullable();
    t.integer('claim_count').notNullable();
    t.text('source').notNullable(); // api-json | api-835 | cli | simulator | file-drop
    t.jsonb('provider_adjustments').notNullable().defaultTo('[]');
    t.timestamp('received_at', { useTz: true }).notNullable();
  });
  // Every claim payment of a remittance, matched to a claim or parked as unmatched; delivered_at
  // is set once the claim workflow has the payment (re-delivery after a crash is safe).
  await knex.schema.createTable('remittance_claims', (t) => {
    t.bigIncrements('id');
    t.text('remittance_key').notNullable().references('remittances.remittance_key');
    t.integer('seq').notNullable();
    t.text('claim_id').notNullable();
    t.text('claim_status_code').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.jsonb('claim_payment').notNullable();
    t.text('match_status').notNullable(); // matched | unmatched | claim_closed
    t.timestamp('delivered_at', { useTz: true });
    t.unique(['remittance_key', 'seq']);
    t.index(['claim_id']);
  });
  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id');
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.text('remittance_key').notNullable().references('remittances.remittance_key');
    t.text('coverage_priority').notNullable().defaultTo('primary');
    t.text('claim_status_code').notNullable();
    t.bigInteger('charged_cents').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.bigInteger('patient_responsibility_cents').notNullable();
    t.bigInteger('expected_cents');
    t.bigInteger('variance_cents');
    t.jsonb('findings').notNullable().defaultTo('[]');
    t.date('payment_date').notNullable();
    t.timestamp('posted_at', { useTz: true }).notNullable();
    t.integer('posting_lag_business_days');
    t.unique(['claim_id', 'remittance_key', 'claim_status_code']);
  });
  await knex.schema.createTable('payment_lines', (t) => {
    t.bigInteger('payment_id').notNullable().references('payments.id');
    t.integer('line_number').notNullable();
    t.text('cpt').notNullable();
    t.bigInteger('charged_cents').notNullable();
    t.bigInteger('paid_cents').notNullable();
    t.bigInteger('allowed_cents');
    t.bigInteger('expected_cents');
    t.primary(['payment_id', 'line_number']);
  });
  await knex.schema.createTable('adjustments', (t) => {
    t.bigIncrements('id');
    t.bigInteger('payment_id').notNullable().references('payments.id');
    t.integer('line_number'); // null = claim level
    t.text('group_code').notNullable();
    t.text('carc').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.specificType('remarks', 'text[]').notNullable().defaultTo('{}');
  });
  await knex.schema.createTable('denials', (t) => {
    t.bigIncrements('id');
    t.text('claim_id').notNullable().references('claims.claim_id');
    t.text('practice_id').notNullable();
    t.text('payer_id').notNullable();
    t.text('remittance_key').notNullable();
    t.specificType('cpt_codes', 'text[]').notNullable();
    t.text('carc').notNullable();
    t.specificType('rarcs', 'text[]').notNullable().defaultTo('{}');
    t.text('category').notNullable(); // hard | soft
    t.text('kind').notNullable();
    t.date('denial_date').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.date('action_due');
    t.date('appeal_deadline');
    t.text('status').notNullable().defaultTo('open');
    t.unique(['claim_id', 'remittance_key']);
    t.index(['payer_id', 'carc', 'denial_date']);
  });
  // Written by the authorization workflows; read by the claim scrub (AUTH-3, AUTH-8, SUB-3).
  await knex.schema.createTable('authorizations', (t) => {
    t.text('auth_id').primary();
    t.text('practice_id').notNullable();
    t.text('payer_id').notNullable();
    t.text('patient_id').notNullable();
    t.text('auth_number');
    t.text('status').notNullable();
    t.text('family').notNullable();
    t.specificType('cpts', 'text[]').notNullable();
    t.text('region').notNullable();
    t.text('approach');
    t.specificType('levels', 'text[]').notNullable().defaultTo('{}');
    t.text('laterality').notNullable();
    t.date('valid_from');
    t.date('valid_to');
    t.integer('visits_authorized');
    t.integer('visits_used').notNullable().defaultTo(0);
    t.text('workflow_id').notNullable();
    t.text('linked_auth_id');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('next_deadline', { useTz: true });
    t.text('next_deadline_rule');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['auth_number']);
    t.index(['practice_id', 'patient_id']);
  });
  // Written by the credential workflows; read by the claim path (CHG-3, CRED-6, CRED-7).
  await knex.schema.createTable('credentials', (t) => {
    t.text('npi').notNullable();
    t.text('kind').notNullable(); // license | dea | malpractice | caqh | enrollment
    t.text('payer_id').notNullable().defaultTo(''); // enrollment only
    t.text('identifier');
    t.text('state');
    t.text('status').notNullable(); // active | pending | lapsed
    t.date('effective_date');
    t.date('expiry_date');
    t.text('document_ref');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['npi', 'kind', 'payer_id']);
  });
  await knex.schema.createTable('deposits', (t) => {
    t.text('practice_id').notNullable();
    t.date('deposit_date').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.text('reference');
    t.primary(['practice_id', 'deposit_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['credentials', 'authorizations', 'deposits', 'denials', 'adjustments', 'payment_lines', 'payments', 'remittance_claims', 'remittances', 'submissions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
