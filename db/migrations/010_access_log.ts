import type { Knex } from 'knex';

/**
 * HIPAA audit controls (issue 13): who read or changed PHI (a claim, appointment or authorization),
 * when, through which route, from which address, with what answer. Ids only: never the PHI itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('user_name').notNullable();
    t.text('role').notNullable();
    t.text('action').notNullable(); // read | create | change
    t.text('method').notNullable();
    t.text('route').notNullable(); // the route pattern, e.g. /api/claims/:claimId
    t.text('entity_type').notNullable(); // claim | appointment | authorization
    t.text('entity_id'); // null for a list
    t.text('practice_id');
    t.integer('status_code').notNullable();
    t.text('ip');
    t.text('request_id');
    t.index(['user_name', 'at']);
    t.index(['entity_type', 'entity_id', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('access_log');
}
