/**
 * Payer contracts per practice × payer × year (migration 014): store a version, read the latest
 * (or a given) version, and resolve the effective terms a rule uses (contract field, else the
 * payer's default). Shared by the API routes, `rcm contracts import`, posting, the scrub (CHG-5)
 * and the audit.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { effectiveContract, normalizeContract, type ContractBody, type ContractTermsStored, type EffectiveContract, type StoredContractVersion } from '../domain/practice-contract';
import { loadFeeSchedule, loadPayerPolicy } from './payers';
import type { ProcedureFamily } from '../domain/reference';

/** An input problem the caller can fix: the API answers 400/404 with it, the CLI prints it. */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly kind: 'invalid' | 'not_found' = 'invalid',
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Same terms → same hash: sending a contract again does not make a new version. */
export function contractHash(terms: ContractTermsStored): string {
  return createHash('sha256').update(JSON.stringify(terms)).digest('hex');
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function headView(row: Record<string, any>) {
  return {
    contractId: Number(row.id),
    practiceId: row.practice_id as string,
    payerId: row.payer_id as string,
    year: row.year as number,
    version: row.version as number,
    multipleProcedureReductionPercent: num(row.multiple_procedure_reduction_percent),
    bilateralPaymentPercent: num(row.bilateral_payment_percent),
    timelyFilingDays: num(row.timely_filing_days),
    appealWindowDays: num(row.appeal_window_days),
    priorAuthFamilies: (row.prior_auth_families ?? null) as ProcedureFamily[] | null,
    feeCount: row.fee_count as number,
    source: row.source as string,
    note: (row.note ?? undefined) as string | undefined,
    createdBy: row.created_by as string,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
export type ContractHead = ReturnType<typeof headView>;

export async function checkPracticeAndPayer(db: Knex, practiceId: string, payerId: string): Promise<void> {
  if (!(await db('practices').where({ id: practiceId }).first('id'))) throw new ContractError(`practice ${practiceId} not found`, 'practiceId', 'not_found');
  if (!(await db('payers').where({ id: payerId }).first('id'))) throw new ContractError(`payer ${payerId} not found`, 'payerId', 'not_found');
}

/**
 * Store the terms as a new version of the practice × payer × year contract, in one transaction
 * (the fees in batches). Terms equal to the latest version's store nothing (`created: false`).
 * Serialized per contract by a row lock on the practice, so two imports never take one number.
 */
export async function saveContractVersion(
  db: Knex,
  key: { practiceId: string; payerId: string; year: number },
  body: ContractBody,
  meta: { source: 'api-json' | 'api-csv' | 'cli' | 'seed'; createdBy: string; note?: string },
): Promise<{ created: boolean; contract: ContractHead }> {
  const terms = normalizeContract(body);
  const hash = contractHash(terms);
  return db.transaction(async (trx) => {
    await checkPracticeAndPayer(trx, key.practiceId, key.payerId);
    await trx('practices').where({ id: key.practiceId }).forUpdate().first('id');
    const latest = await trx('payer_contracts').where({ practice_id: key.practiceId, payer_id: key.payerId, year: key.year }).orderBy('version', 'desc').first();
    if (latest && latest.content_hash === hash) return { created: false, contract: headView(latest) };
    const [row] = await trx('payer_contracts')
      .insert({
        practice_id: key.practiceId,
        payer_id: key.payerId,
        year: key.year,
        version: (latest?.version ?? 0) + 1,
        multiple_procedure_reduction_percent: terms.multipleProcedureReductionPercent,
        bilateral_payment_percent: terms.bilateralPaymentPercent,
        timely_filing_days: terms.timelyFilingDays,
        appeal_window_days: terms.appealWindowDays,
        prior_auth_families: terms.priorAuthFamilies,
        fee_count: terms.fees.length,
        content_hash: hash,
        source: meta.source,
        note: meta.note ?? body.note ?? null,
        created_by: meta.createdBy,
      })
      .returning('*');
    const rows = terms.fees.map((f) => ({ contract_id: row.id, cpt: f.cpt, modifier: f.modifier, allowable_cents: f.allowableCents, imaging_guidance: f.imagingGuidance }));
    for (let i = 0; i < rows.length; i += 2000) await trx('payer_contract_fees').insert(rows.slice(i, i + 2000));
    return { created: true, contract: headView(row) };
  });
}

/** The terms of the latest version (or `version`), or undefined when there is none. */
export async function loadContractVersion(db: Knex, key: { practiceId: string; payerId: string; year: number }, version?: number): Promise<(ContractHead & StoredContractVersion) | undefined> {
  const q = db('payer_contracts').where({ practice_id: key.practiceId, payer_id: key.payerId, year: key.year });
  const row = version === undefined ? await q.orderBy('version', 'desc').first() : await q.where({ version }).first();
  if (!row) return undefined;
  const fees = await db('payer_contract_fees').where({ contract_id: row.id }).orderBy(['cpt', 'modifier']).select('cpt', 'modifier', 'allowable_cents', 'imaging_guidance');
  const head = headView(row);
  return {
    ...head,
    fees: fees.map((f) => ({ cpt: f.cpt, modifier: f.modifier, allowableCents: Number(f.allowable_cents), imagingGuidance: f.imaging_guidance })),
  };
}

/** The latest version of each contract of a practice (optionally one year). */
export async function listContracts(db: Knex, practiceId: string, year?: number): Promise<ContractHead[]> {
  const q = db('payer_contracts as c')
    .where('c.practice_id', practiceId)
    .whereRaw('c.version = (select max(version) from payer_contracts m where m.practice_id = c.practice_id and m.payer_id = c.payer_id and m.year = c.year)');
  if (year !== undefined) q.where('c.year', year);
  const rows = await q.orderBy([{ column: 'c.year', order: 'desc' }, 'c.payer_id']).select('c.*');
  return rows.map(headView);
}

/** The terms in force for a practice × payer × year: the contract's fields, else the payer's defaults; says which. */
export async function loadEffectiveContract(db: Knex, practiceId: string, payerId: string, year: number): Promise<EffectiveContract> {
  // One after another: `db` may be a transaction (a claim's batched step, activities/index.ts), one connection.
  const contract = await loadContractVersion(db, { practiceId, payerId, year });
  const policy = await loadPayerPolicy(db, payerId);
  const defaultFees = await loadFeeSchedule(db, payerId, year);
  return effectiveContract({ practiceId, payerId, year, contract, policy, defaultFees });
}

/**
 * A new version whose fee schedule is `fees` (a CSV import); the contract's other terms are carried
 * over from its latest version (payer defaults when there is none).
 */
export async function saveFeeScheduleVersion(
  db: Knex,
  key: { practiceId: string; payerId: string; year: number },
  schedule: Pick<ContractBody, 'fees' | 'imagingGuidance'>,
  meta: { source: 'api-csv' | 'cli' | 'seed'; createdBy: string },
): Promise<{ created: boolean; contract: ContractHead }> {
  const latest = await loadContractVersion(db, key);
  const carried: ContractBody = {
    multipleProcedureReductionPercent: latest?.multipleProcedureReductionPercent ?? null,
    bilateralPaymentPercent: latest?.bilateralPaymentPercent ?? null,
    timelyFilingDays: latest?.timelyFilingDays ?? null,
    appealWindowDays: latest?.appealWindowDays ?? null,
    priorAuthFamilies: latest?.priorAuthFamilies ?? null,
  };
  return saveContractVersion(db, key, { ...carried, fees: schedule.fees, imagingGuidance: schedule.imagingGuidance }, meta);
}
