import type { Knex } from 'knex';

/**
 * Patients and coverage master data (issue 13) and the payer id the 837P carries (issue 14).
 *
 * - `patients` (from 001: practice_id, id, name, birth_date) gets the legal name in parts, sex,
 *   address, phone. A row with `last_name` set is *registered*: claims of that patient take their
 *   coverage from `patient_coverages`. `name` stays (filled "Last, First Middle Suffix") for the
 *   claim search and older rows.
 * - `patient_coverages`: a patient's coverages by priority with their effective/termination dates,
 *   and the subscriber when the patient is not the subscriber (relationship code ≠ 18). Overlaps of
 *   one priority are refused by the API inside a transaction that locks the patient row.
 * - `access_log.patient_id`: the patient whose PHI an entry read or changed (patient routes and
 *   claims), so `GET /api/access-log?patientId=` answers "who saw this patient".
 * - `payer_identifiers.outbound`: the row whose identifier the 837P writes in 2010BB NM109 (the payer
 *   id as the clearinghouse knows it), per practice or installation-wide; at most one per scope and payer.
 * - `submissions.x12_gaps`: what master data lacked when the 837P was built (activities/claim-parties.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('patients', (t) => {
    t.text('last_name');
    t.text('first_name');
    t.text('middle_name');
    t.text('suffix');
    t.text('sex');
    t.jsonb('address');
    t.text('phone');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`create index patients_practice_last_first on patients (practice_id, lower(last_name), lower(first_name))`);
  await knex.schema.createTable('patient_coverages', (t) => {
    t.bigIncrements('id');
    t.text('practice_id').notNullable();
    t.text('patient_id').notNullable();
    t.text('priority').notNullable(); // primary | secondary | tertiary
    t.text('payer_id').notNullable().references('payers.id');
    t.text('member_id').notNullable();
    t.text('group_number');
    t.date('effective_date').notNullable();
    t.date('termination_date');
    /** X12 individual relationship code of the patient to the subscriber (18 self, 01 spouse, 19 child, G8 other). */
    t.text('relationship').notNullable().defaultTo('18');
    /** When relationship ≠ 18: { lastName, firstName?, middleName?, suffix?, birthDate, sex, address }. */
    t.jsonb('subscriber');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.foreign(['practice_id', 'patient_id']).references(['practice_id', 'id']).inTable('patients');
    t.index(['practice_id', 'patient_id', 'priority']);
  });
  await knex.raw(`alter table patient_coverages add constraint patient_coverages_dates check (termination_date is null or termination_date >= effective_date)`);
  await knex.schema.alterTable('access_log', (t) => {
    t.text('patient_id');
    t.index(['patient_id', 'at']);
  });
  await knex.schema.alterTable('payer_identifiers', (t) => {
    t.boolean('outbound').notNullable().defaultTo(false);
  });
  // What an 837P was sent without (master data missing): field names, never values.
  await knex.schema.alterTable('submissions', (t) => {
    t.jsonb('x12_gaps');
  });
  await knex.raw(`create unique index payer_identifiers_outbound on payer_identifiers ((coalesce(practice_id, '')), payer_id) where outbound`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('submissions', (t) => t.dropColumn('x12_gaps'));
  await knex.raw('drop index if exists payer_identifiers_outbound');
  await knex.schema.alterTable('payer_identifiers', (t) => t.dropColumn('outbound'));
  await knex.schema.alterTable('access_log', (t) => {
    t.dropIndex(['patient_id', 'at']);
    t.dropColumn('patient_id');
  });
  await knex.schema.dropTableIfExists('patient_coverages');
  await knex.raw('drop index if exists patients_practice_last_first');
  await knex.schema.alterTable('patients', (t) => {
    for (const c of ['last_name', 'first_name', 'middle_name', 'suffix', 'sex', 'address', 'phone', 'created_at', 'updated_at']) t.dropColumn(c);
  });
}
