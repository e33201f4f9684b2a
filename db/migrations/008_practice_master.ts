import type { Knex } from 'knex';

/**
 * Practice master data (issue 13): phone, IANA time zone, the clearinghouse's identifiers for the
 * practice (ISA/GS submitter and receiver ids; null until onboarding fills them in), and when the
 * practice was last changed. Existing practices get America/New_York, the zone their daily
 * schedules already ran in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('practices', (t) => {
    t.text('phone');
    t.text('time_zone').notNullable().defaultTo('America/New_York');
    t.text('clearinghouse_submitter_id');
    t.text('clearinghouse_receiver_id');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`update practices set phone = address->>'phone' where phone is null and address->>'phone' is not null`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('practices', (t) => {
    for (const c of ['phone', 'time_zone', 'clearinghouse_submitter_id', 'clearinghouse_receiver_id', 'updated_at']) t.dropColumn(c);
  });
}
