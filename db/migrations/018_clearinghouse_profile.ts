import type { Knex } from 'knex';

/**
 * The practice's clearinghouse profile (issues 13/14): besides the ISA/GS submitter and receiver
 * ids (008), the receiver's name (837P 1000B NM103) and the submitter contact (1000A PER: name,
 * phone, email) the clearinghouse registered for the practice. Null until onboarding fills them
 * in; the 837P then falls back to the practice's name/phone and records a gap. The payer ids as the
 * clearinghouse knows them stay in payer_identifiers (outbound rows, 015).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('practices', (t) => {
    t.text('clearinghouse_receiver_name');
    t.text('clearinghouse_contact_name');
    t.text('clearinghouse_contact_phone');
    t.text('clearinghouse_contact_email');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('practices', (t) => {
    for (const c of ['clearinghouse_receiver_name', 'clearinghouse_contact_name', 'clearinghouse_contact_phone', 'clearinghouse_contact_email']) t.dropColumn(c);
  });
}
