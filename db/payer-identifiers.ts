/**
 * Which of our payers an inbound 835 is from. The file names its payer by REF*2U, N1*PR N104
 * and TRN03 (X221A1 requires only TRN03), in the clearinghouse's or the payer's own ids. Each, in
 * that order, is looked up in `payer_identifiers` (the paying practice's row first — the practice
 * whose billing NPI is the N1*PE NPI, or whose tax id is its FI number — then the
 * installation-wide row), then taken as it is when it already is one of our payer keys. The first
 * that maps wins; when none maps the file is refused (parse835 fails at N1*PR, nothing is posted).
 */
import type { Knex } from 'knex';
import type { PayerIdentifiers } from '../x12';

export type PayerResolver = (ids: PayerIdentifiers) => string | undefined;

/** Loads the mapping once (it is small) and answers synchronously while the 835 is parsed. */
export async function loadPayerResolver(db: Knex): Promise<PayerResolver> {
  const [rows, payers, practices] = await Promise.all([
    db('payer_identifiers').select('practice_id', 'identifier', 'payer_id'),
    db('payers').pluck('id'),
    db('practices').select('id', 'billing_npi', 'tax_id'),
  ]);
  return payerResolver(rows, payers, practices);
}

export function payerResolver(
  rows: Array<{ practice_id: string | null; identifier: string; payer_id: string }>,
  payerKeys: string[],
  practices: Array<{ id: string; billing_npi?: string | null; tax_id?: string | null }>,
): PayerResolver {
  const mapped = new Map<string, string>();
  for (const r of rows) mapped.set(`${r.practice_id ?? ''}\u0000${r.identifier}`, r.payer_id);
  const keys = new Set(payerKeys);
  const practiceByNpi = new Map(practices.filter((p) => p.billing_npi).map((p) => [p.billing_npi!, p.id]));
  const digits = (v: string) => v.replace(/\D/g, '');
  const practiceByTaxId = new Map(practices.filter((p) => p.tax_id).map((p) => [digits(p.tax_id!), p.id]));
  return (ids) => {
    // The paying practice: the payee NPI (N1*PE XX), else its tax id (N1*PE FI).
    const practice =
      (ids.payeeNpi ? practiceByNpi.get(ids.payeeNpi) : undefined) ?? (ids.payeeTaxId ? practiceByTaxId.get(digits(ids.payeeTaxId)) : undefined);
    for (const id of [ids.ref2U, ids.n1pr, ids.trn03]) {
      if (!id) continue;
      const key = (practice ? mapped.get(`${practice}\u0000${id}`) : undefined) ?? mapped.get(`\u0000${id}`) ?? (keys.has(id) ? id : undefined);
      if (key) return key;
    }
    return undefined;
  };
}
