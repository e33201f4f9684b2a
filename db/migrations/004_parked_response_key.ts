import type { Knex } from 'knex';

/** A parked payer answer is written once even when the activity that parks it is retried. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('parked_payer_responses', (t) => {
    t.text('idempotency_key').unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('parked_payer_responses', (t) => {
    t.dropColumn('idempotency_key');
  });
}
