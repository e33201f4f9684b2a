import type { Knex } from 'knex';

/**
 * Payer contracts per practice × payer × year (issue 13), versioned: a change stores a new version
 * and never touches an older one; a payment records the contract version it was checked against.
 * Every term is nullable: null means "not in the contract", and the payer's default (DOMAIN.md §4,
 * `payers.policy`, `fee_schedules` / the built-in schedule) applies.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payer_contracts', (t) => {
    t.bigIncrements('id');
    t.text('practice_id').notNullable().references('practices.id');
    t.text('payer_id').notNullable().references('payers.id');
    t.integer('year').notNullable();
    t.integer('version').notNullable();
    t.decimal('multiple_procedure_reduction_percent', 5, 2);
    t.decimal('bilateral_payment_percent', 6, 2);
    t.integer('timely_filing_days');
    t.integer('appeal_window_days');
    t.specificType('prior_auth_families', 'text[]');
    t.integer('fee_count').notNullable().defaultTo(0);
    t.text('content_hash').notNullable();
    t.text('source').notNullable();
    t.text('note');
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['practice_id', 'payer_id', 'year', 'version']);
  });
  await knex.schema.createTable('payer_contract_fees', (t) => {
    t.bigInteger('contract_id').notNullable().references('payer_contracts.id');
    t.text('cpt').notNullable();
    /** '' when the allowable is for the code whatever its modifiers. */
    t.text('modifier').notNullable().defaultTo('');
    t.bigInteger('allowable_cents').notNullable();
    t.boolean('imaging_guidance').notNullable().defaultTo(false);
    t.primary(['contract_id', 'cpt', 'modifier']);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.bigInteger('contract_id').references('payer_contracts.id');
    t.integer('contract_version');
    t.text('contract_source');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('contract_id');
    t.dropColumn('contract_version');
    t.dropColumn('contract_source');
  });
  await knex.schema.dropTableIfExists('payer_contract_fees');
  await knex.schema.dropTableIfExists('payer_contracts');
}
