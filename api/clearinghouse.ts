/**
 * The payer ids a practice's clearinghouse knows its payers by: `payer_identifiers` rows of the
 * practice with `outbound` (the identifier the 837P writes in 2010BB / 2330B NM109; migration 015).
 * Set through the practice's clearinghouse profile (PATCH /api/practices/:practiceId).
 */
import type { Knex } from 'knex';
import { badRequest } from './errors';

/** Our payer id -> the clearinghouse's, for the practice's own outbound rows. */
export async function practiceOutboundPayerIds(db: Knex, practiceId: string): Promise<Record<string, string>> {
  const rows = await db('payer_identifiers').where({ practice_id: practiceId, outbound: true }).orderBy('payer_id').select('payer_id', 'identifier');
  return Object.fromEntries(rows.map((r: { payer_id: string; identifier: string }) => [r.payer_id, r.identifier]));
}

/**
 * Replace the practice's outbound rows of the payers given (`null` removes one), inside the
 * caller's transaction. A payer we do not know, or an identifier the practice already maps to
 * another payer (the 835 reader resolves payers by it), is a 400 naming
 * `clearinghouse.payerIds.<payer>`; the caller's transaction then stores nothing.
 */
export async function replaceOutboundPayerIds(trx: Knex.Transaction, practiceId: string, payerIds: Record<string, string | null>): Promise<void> {
  const payers = Object.keys(payerIds);
  if (payers.length === 0) return;
  const field = (payer: string) => `clearinghouse.payerIds.${payer}`;
  const known = new Set((await trx('payers').whereIn('id', payers).select('id')).map((r: { id: string }) => r.id));
  for (const payer of payers) {
    if (!known.has(payer)) throw badRequest(`${field(payer)}: unknown payer ${payer}`, field(payer));
  }
  const given = Object.entries(payerIds).filter((e): e is [string, string] => e[1] !== null);
  const seen = new Map<string, string>();
  for (const [payer, identifier] of given) {
    const other = seen.get(identifier);
    if (other) throw badRequest(`${field(payer)}: the same clearinghouse payer id is given for ${other}`, field(payer));
    seen.set(identifier, payer);
  }
  await trx('payer_identifiers').where({ practice_id: practiceId, outbound: true }).whereIn('payer_id', payers).delete();
  for (const [payer, identifier] of given) {
    // One identifier names one payer per practice (unique index 007): an inbound-only row for the
    // same payer becomes the outbound one; one for another payer is refused.
    const existing = await trx('payer_identifiers').where({ practice_id: practiceId, identifier }).first('id', 'payer_id');
    if (existing && existing.payer_id !== payer) {
      throw badRequest(`${field(payer)}: this clearinghouse payer id already names payer ${existing.payer_id} for the practice`, field(payer));
    }
    if (existing) await trx('payer_identifiers').where({ id: existing.id }).update({ outbound: true });
    else await trx('payer_identifiers').insert({ practice_id: practiceId, identifier, payer_id: payer, outbound: true, note: 'clearinghouse profile (PATCH /api/practices)' });
  }
}
