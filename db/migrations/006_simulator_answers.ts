import type { Knex } from 'knex';

/**
 * The payer simulator's pending answers (277CA, 835), stored when the 837P is received so that a
 * worker crash or a database outage delays them, never loses them. Delivered at or after `due_at`,
 * retried until the inbound service takes them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('simulator_answers', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // 277CA | 835
    t.text('claim_id').notNullable();
    t.text('x12').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('claimed_until', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index simulator_answers_pending on simulator_answers (due_at, id) where delivered_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('simulator_answers');
}
