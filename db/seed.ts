/**
 * Demo data for `npm start` and tests: two practices in different time zones (the demo practice
 * and a second one that shows practice scope), the built-in payers with fee schedules, the second
 * practice's commercial contract, providers, a few synthetic patients. Idempotent: a second run changes nothing.
 */
import type { Knex } from 'knex';
import { saveContractVersion } from './contracts';
import type { ContractBody } from '../domain/practice-contract';

export const DEMO_PRACTICE_ID = 'demo-pain';
/** A second practice in another time zone: its users do not see demo-pain's claims, and the other way round. */
export const SECOND_PRACTICE_ID = 'demo-north';
export const SECOND_PRACTICE_PROVIDERS = [{ npi: '1556677882', name: 'Dr. Casey North (Pain Medicine)', specialty: 'pain_medicine' }];
export const DEMO_PROVIDERS = [
  { npi: '1234567893', name: 'Dr. Avery Demo (Pain Medicine)', specialty: 'pain_medicine' },
  { npi: '1987654328', name: 'Dr. Jordan Sample (Anesthesiology, Pain)', specialty: 'anesthesiology_pain' },
];

const BUILT_IN_PAYERS = [
  { id: 'MEDICARE', name: 'Medicare Part B (demo MAC)', type: 'MEDICARE' },
  { id: 'MEDICARE_ADVANTAGE', name: 'Medicare Advantage (demo plan)', type: 'MEDICARE_ADVANTAGE' },
  { id: 'MEDICAID', name: 'Medicaid (demo state)', type: 'MEDICAID' },
  { id: 'COMMERCIAL', name: 'Commercial PPO (demo)', type: 'COMMERCIAL' },
];

export type FeeScheduleSource = (payerId: string, year: number) => { year: number; allowableCents: Record<string, number> } | undefined;

export async function seedDemo(db: Knex, opts: { years: number[]; feeSchedule?: FeeScheduleSource }): Promise<void> {
  await db('practices')
    .insert({ id: DEMO_PRACTICE_ID, name: 'Demo Interventional Pain Associates', tax_id: '990000001', billing_npi: '1456789019', phone: '2175550100', time_zone: 'America/Chicago', address: { line1: '100 Demo Way', city: 'Springfield', state: 'IL', zip: '62701', phone: '2175550100', email: 'billing@demo-pain.example' } })
    .onConflict('id')
    .merge(['address']); // demo data: keep the practice's contact current (the 837P needs a phone or email)
  await db('practices')
    .insert({ id: SECOND_PRACTICE_ID, name: 'North Valley Spine & Pain (demo)', tax_id: '950000002', billing_npi: '1456789027', phone: '9165550100', time_zone: 'America/Los_Angeles', address: { line1: '200 North Valley Rd', city: 'Sacramento', state: 'CA', zip: '95814', phone: '9165550100', email: 'billing@demo-north.example' } })
    .onConflict('id')
    .ignore();
  for (const payer of BUILT_IN_PAYERS) {
    await db('payers').insert({ ...payer, policy: {} }).onConflict('id').ignore();
    for (const year of opts.years) {
      const fees = opts.feeSchedule?.(payer.id, year);
      if (!fees) continue;
      const rows = Object.entries(fees.allowableCents).map(([cpt, cents]) => ({ payer_id: payer.id, year, cpt, allowable_cents: cents }));
      if (rows.length) await db('fee_schedules').insert(rows).onConflict(['payer_id', 'year', 'cpt']).ignore();
    }
  }
  // The second practice's own contract with the commercial payer (issue 13): its negotiated fees
  // (8% over the payer's schedule, 64483 with modifier 50 priced apart), a 25% multiple-procedure
  // reduction, 120 days to file and 90 to appeal. demo-pain has no contract: payer defaults apply.
  if (opts.feeSchedule) {
    for (const year of opts.years) {
      const fees = opts.feeSchedule('COMMERCIAL', year);
      if (!fees) continue;
      await saveContractVersion(db, { practiceId: SECOND_PRACTICE_ID, payerId: 'COMMERCIAL', year }, northCommercialContract(fees.allowableCents), { source: 'seed', createdBy: 'seed' });
    }
  }
  for (const p of DEMO_PROVIDERS) {
    await db('providers').insert({ ...p, practice_id: DEMO_PRACTICE_ID }).onConflict('npi').ignore();
  }
  for (const p of SECOND_PRACTICE_PROVIDERS) {
    await db('providers').insert({ ...p, practice_id: SECOND_PRACTICE_ID }).onConflict('npi').ignore();
  }
  const patients = [
    { id: 'PT-1001', name: 'Synthetic Patient One', birth_date: '1958-03-14' },
    { id: 'PT-1002', name: 'Synthetic Patient Two', birth_date: '1971-11-02' },
    { id: 'PT-1003', name: 'Synthetic Patient Three', birth_date: '1949-07-29' },
  ];
  for (const p of patients) {
    await db('patients').insert({ ...p, practice_id: DEMO_PRACTICE_ID }).onConflict(['practice_id', 'id']).ignore();
  }
}

/** demo-north × COMMERCIAL: the demo contract (see seedDemo). */
export function northCommercialContract(payerFees: Record<string, number>): ContractBody {
  const fees = Object.entries(payerFees).map(([cpt, cents]) => ({ cpt, allowableCents: Math.round(cents * 1.08) }));
  const tfesi = payerFees['64483'];
  if (tfesi !== undefined) fees.push({ cpt: '64483', modifier: '50', allowableCents: Math.round(tfesi * 1.08 * 1.6) } as (typeof fees)[number]);
  return { fees, multipleProcedureReductionPercent: 25, timelyFilingDays: 120, appealWindowDays: 90, note: 'demo contract' };
}
