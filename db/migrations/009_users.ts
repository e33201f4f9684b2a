import type { Knex } from 'knex';

/**
 * Users with a role and a practice scope (issue 13). A token belongs to a user and may expire; the
 * user's role and practices are read on every request, so a change takes effect on the next one.
 * Users that only existed as token rows before keep what they had: every practice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.text('name').primary();
    t.text('role').notNullable();
    /** Every practice, present and future (admins always; other roles when granted '*'). */
    t.boolean('all_practices').notNullable().defaultTo(false);
    t.text('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
  await knex.schema.createTable('user_practices', (t) => {
    t.text('user_name').notNullable().references('users.name').onDelete('CASCADE');
    t.text('practice_id').notNullable().references('practices.id');
    t.primary(['user_name', 'practice_id']);
  });
  await knex.schema.alterTable('api_tokens', (t) => {
    t.timestamp('expires_at', { useTz: true });
  });
  await knex.raw(`
    insert into users (name, role, all_practices, created_by, created_at)
    select distinct on (user_name) user_name, role, true, 'migration 007', created_at
    from api_tokens order by user_name, created_at desc
    on conflict (name) do nothing`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.dropColumn('expires_at');
  });
  await knex.schema.dropTableIfExists('user_practices');
  await knex.schema.dropTableIfExists('users');
}
