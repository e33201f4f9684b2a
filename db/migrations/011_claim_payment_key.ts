import type { Knex } from 'knex';
import { claimPaymentKey } from '../../domain/remittance';

/**
 * Idempotency per claim payment, keyed on what identifies it in the file: the payer as the file
 * names itself, TRN02, and the claim payment (CLP01, CLP07, occurrence in the transaction set).
 * The same 835 posted again under another `?payerId=` posts nothing; a second transaction set
 * reusing a TRN posts its new claim payments instead of being dropped whole.
 * Backfill: rows stored before keep a key computed from the stored remittance (its payer id as
 * the file's payer); a historical duplicate (the same payment stored twice) keeps a null key.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('remittances', (t) => {
    t.text('payer_in_file');
  });
  await knex.schema.alterTable('remittance_claims', (t) => {
    t.text('payment_key');
  });
  const seen = new Set<string>();
  let afterId = 0;
  for (;;) {
    const rows = await knex('remittance_claims as rc')
      .join('remittances as r', 'r.remittance_key', 'rc.remittance_key')
      .where('rc.id', '>', afterId)
      .orderBy('rc.id')
      .limit(1000)
      .select('rc.id', 'rc.remittance_key', 'rc.seq', 'rc.claim_id', 'rc.claim_payment', 'r.payer_id', 'r.trace_number');
    if (!rows.length) break;
    afterId = rows[rows.length - 1].id;
    for (const row of rows) {
      const ccn = (row.claim_payment as { payerClaimControlNumber?: string })?.payerClaimControlNumber ?? '';
      const before = await knex('remittance_claims')
        .where({ remittance_key: row.remittance_key, claim_id: row.claim_id })
        .where('seq', '<', row.seq)
        .whereRaw(`coalesce(claim_payment->>'payerClaimControlNumber', '') = ?`, [ccn])
        .count<{ n: string }[]>('* as n');
      const key = claimPaymentKey(row.payer_id, row.trace_number, row.claim_id, ccn, Number(before[0].n));
      if (seen.has(key)) continue;
      seen.add(key);
      await knex('remittance_claims').where({ id: row.id }).update({ payment_key: key });
    }
  }
  await knex.schema.alterTable('remittance_claims', (t) => {
    t.unique(['payment_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('remittance_claims', (t) => {
    t.dropUnique(['payment_key']);
    t.dropColumn('payment_key');
  });
  await knex.schema.alterTable('remittances', (t) => {
    t.dropColumn('payer_in_file');
  });
}
