import type { Knex } from 'knex';

/**
 * POST-7: a day can have several bank deposits; they add up. One row per deposit (its own id);
 * a deposit with a bank reference is one row per (practice, day, reference), so sending it again
 * corrects it instead of counting it twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deposits', (t) => {
    t.dropPrimary();
  });
  await knex.schema.alterTable('deposits', (t) => {
    t.bigIncrements('id').primary();
    t.index(['practice_id', 'deposit_date']);
  });
  await knex.raw('create unique index deposits_practice_day_reference on deposits (practice_id, deposit_date, reference) where reference is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists deposits_practice_day_reference');
  // Fold the day's deposits back into one row per day.
  await knex.raw(`delete from deposits d using deposits e
                  where d.practice_id = e.practice_id and d.deposit_date = e.deposit_date and d.id > e.id`);
  await knex.schema.alterTable('deposits', (t) => {
    t.dropIndex(['practice_id', 'deposit_date']);
    t.dropColumn('id');
  });
  await knex.schema.alterTable('deposits', (t) => {
    t.primary(['practice_id', 'deposit_date']);
  });
}
