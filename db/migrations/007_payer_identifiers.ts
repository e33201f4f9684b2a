import type { Knex } from 'knex';

/**
 * Clearinghouse payer ids -> our payer keys. An 835 names its payer by REF*2U, N1*PR N104 or
 * TRN03 (required: "1" + the payer's EIN, or its own number), in the ids of whoever sends it; this
 * table maps them to `payers.id`, per practice (the 835's N1*PE NPI = practices.billing_npi, or its FI = practices.tax_id) or
 * for the whole installation (practice_id null). A practice's row wins over the installation's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payer_identifiers', (t) => {
    t.increments('id');
    t.text('practice_id').references('practices.id');
    /** The id exactly as the 835 carries it (REF*2U / N1*PR N104 / TRN03). */
    t.text('identifier').notNullable();
    t.text('payer_id').notNullable().references('payers.id');
    t.text('note');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create unique index payer_identifiers_scope_identifier on payer_identifiers ((coalesce(practice_id, '')), identifier)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('payer_identifiers');
}
