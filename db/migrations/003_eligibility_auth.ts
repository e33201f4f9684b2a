import type { Knex } from 'knex';

/**
 * Appointments and their eligibility checks (ELIG-1…7), authorization requests and events
 * (AUTH-1…8), and payer answers that matched nothing (parked, never applied). The
 * `authorizations` table itself is in 002 (the claim scrub reads it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('appointments', (t) => {
    t.text('appointment_id').primary();
    t.text('practice_id').notNullable().references('practices.id');
    t.text('patient_id').notNullable();
    t.text('payer_id').notNullable().references('payers.id');
    t.text('provider_npi').notNullable();
    t.date('service_date').notNullable();
    t.specificType('cpts', 'text[]').notNullable();
    t.text('place_of_service').notNullable();
    t.text('status').notNullable(); // scheduled | verified | flagged | cancelled | completed
    t.jsonb('flags').notNullable().defaultTo('[]'); // [{ ruleId, message }] from the last check
    t.jsonb('details').notNullable().defaultTo('{}'); // region, approach, levels, laterality, prerequisites
    t.text('auth_id');
    t.text('workflow_id').notNullable();
    t.date('next_check_on');
    t.text('next_check_rule');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['practice_id', 'service_date']);
    t.index(['practice_id', 'patient_id']);
  });
  await knex.schema.createTable('eligibility_checks', (t) => {
    t.bigIncrements('id');
    t.text('appointment_id').notNullable().references('appointments.appointment_id');
    t.text('check_kind').notNullable(); // 3_day | 1_day | rescheduled | intake
    t.date('checked_on').notNullable(); // workflow date of the inquiry
    t.date('service_date').notNullable();
    t.text('payer_id').notNullable();
    t.text('result').notNullable(); // verified | flagged
    t.text('coverage_status').notNullable();
    t.jsonb('findings').notNullable().defaultTo('[]');
    t.jsonb('request').notNullable(); // the 270-shaped request
    t.jsonb('response').notNullable(); // the 271-shaped answer
    t.text('raw_response').notNullable(); // as received
    t.text('gateway').notNullable();
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['appointment_id']);
  });
  await knex.schema.createTable('authorization_requests', (t) => {
    t.bigIncrements('id');
    t.text('auth_id').notNullable();
    t.text('request_id').notNullable(); // 278 trace number
    t.text('kind').notNullable(); // submit | status
    t.date('sent_on').notNullable();
    t.jsonb('request').notNullable();
    t.text('decision');
    t.jsonb('response');
    t.text('raw_response');
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['request_id']);
    t.index(['auth_id']);
  });
  await knex.schema.createTable('authorization_events', (t) => {
    t.bigIncrements('id');
    t.text('auth_id').notNullable();
    t.date('on_date').notNullable(); // workflow date
    t.text('actor').notNullable();
    t.text('from_status');
    t.text('to_status').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('idempotency_key').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['auth_id']);
  });
  // A payer answer that matches no request we sent: logged and kept here for a person to look at.
  await knex.schema.createTable('parked_payer_responses', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // 278 | 271
    t.text('payer_id');
    t.text('request_id');
    t.text('reason').notNullable();
    t.jsonb('body').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['parked_payer_responses', 'authorization_events', 'authorization_requests', 'eligibility_checks', 'appointments']) {
    await knex.schema.dropTableIfExists(table);
  }
}
