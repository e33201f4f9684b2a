import type { Knex } from 'knex';
import { builtInFeeSchedule, resolvePayerPolicy, isKnownPayer, defaultPolicyForType, type PayerPolicy, type FeeSchedule, PayerType } from '../domain/payer-policy';

/** The effective policy of a payer: built-in defaults (by id, else by type) with the payer row's overrides. */
export async function loadPayerPolicy(db: Knex, payerId: string): Promise<PayerPolicy> {
  const row = await db('payers').where({ id: payerId }).first('type', 'policy');
  const overrides = row?.policy && Object.keys(row.policy).length ? row.policy : undefined;
  if (isKnownPayer(payerId)) return resolvePayerPolicy(payerId, overrides);
  const type = PayerType.safeParse(String(row?.type ?? 'commercial').toLowerCase());
  const base = defaultPolicyForType(type.success ? type.data : 'commercial');
  return { ...base, ...(overrides ?? {}), payerId, name: row?.name ?? payerId };
}

/** The payer's fee schedule for a year from the database, else the built-in one. */
export async function loadFeeSchedule(db: Knex, payerId: string, year: number): Promise<FeeSchedule | undefined> {
  const rows = await db('fee_schedules').where({ payer_id: payerId, year }).select('cpt', 'allowable_cents');
  if (rows.length) return { year, allowableCents: Object.fromEntries(rows.map((r) => [r.cpt, r.allowable_cents])) };
  return isKnownPayer(payerId) ? builtInFeeSchedule(payerId, year) : undefined;
}
