import type { Knex } from 'knex';

/**
 * The billers' workspace (issue 15): work items snoozed to a date and their notes; write-off
 * requests waiting for an approver (the claim workflow holds the request; this row is the
 * approver's queue and the decision record); the 837P text of each submission; an index for "my
 * items".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('work_items', (t) => {
    t.date('snoozed_until');
  });
  // The 837P as handed to the gateway (the claim page shows it to PHI roles); null for submissions made before.
  await knex.schema.alterTable('submissions', (t) => {
    t.text('x12');
  });
  await knex.raw('create index if not exists work_items_practice_status_assignee_idx on work_items (practice_id, status, assignee)');
  await knex.schema.createTable('work_item_notes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('work_item_id').notNullable().references('work_items.id').onDelete('cascade');
    t.text('author').notNullable();
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['work_item_id']);
  });
  await knex.schema.createTable('write_off_requests', (t) => {
    t.bigIncrements('id');
    t.text('claim_id').notNullable();
    t.text('practice_id').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.text('rationale').notNullable();
    t.text('requested_by').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    /** pending | approved | rejected */
    t.text('status').notNullable().defaultTo('pending');
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.text('decision_note');
    t.index(['practice_id', 'status']);
  });
  // One pending request per claim (the workflow refuses a second while one waits).
  await knex.raw(`create unique index if not exists write_off_requests_one_pending on write_off_requests (claim_id) where status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('write_off_requests');
  await knex.schema.dropTableIfExists('work_item_notes');
  await knex.raw('drop index if exists work_items_practice_status_assignee_idx');
  await knex.schema.alterTable('submissions', (t) => {
    t.dropColumn('x12');
  });
  await knex.schema.alterTable('work_items', (t) => {
    t.dropColumn('snoozed_until');
  });
}
