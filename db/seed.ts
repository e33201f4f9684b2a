/**
 * Demo data for `npm start` and tests: two practices in different time zones (the demo practice
 * and a second one that shows practice scope), the built-in payers with fee schedules, providers,
 * synthetic patients (registered ones with coverage, DEMO_PATIENTS). Idempotent: a second run changes nothing.
 */
import type { Knex } from 'knex';

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
    .insert({ id: DEMO_PRACTICE_ID, name: 'Demo Interventional Pain Associates', tax_id: '990000001', billing_npi: '1456789019', phone: '2175550100', time_zone: 'America/Chicago', address: { line1: '100 Demo Way', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550100', email: 'billing@demo-pain.example' } })
    .onConflict('id')
    .merge(['address']); // demo data: keep the practice's contact current (the 837P needs a phone or email)
  await db('practices')
    .insert({ id: SECOND_PRACTICE_ID, name: 'North Valley Spine & Pain (demo)', tax_id: '950000002', billing_npi: '1456789027', phone: '9165550100', time_zone: 'America/Los_Angeles', address: { line1: '200 North Valley Rd', city: 'Sacramento', state: 'CA', zip: '958141234', phone: '9165550100', email: 'billing@demo-north.example' } })
    .onConflict('id')
    .merge(['address']); // the 837P's billing provider needs the 9-digit ZIP (X222A1 2010AA N403)
  for (const payer of BUILT_IN_PAYERS) {
    await db('payers').insert({ ...payer, policy: {} }).onConflict('id').ignore();
    for (const year of opts.years) {
      const fees = opts.feeSchedule?.(payer.id, year);
      if (!fees) continue;
      const rows = Object.entries(fees.allowableCents).map(([cpt, cents]) => ({ payer_id: payer.id, year, cpt, allowable_cents: cents }));
      if (rows.length) await db('fee_schedules').insert(rows).onConflict(['payer_id', 'year', 'cpt']).ignore();
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
  await seedPatientMasterData(db);
}

type DemoPatient = {
  practiceId: string;
  id: string;
  name: { last: string; first: string; middle?: string; suffix?: string };
  birthDate: string;
  sex: 'F' | 'M';
  address: { line1: string; line2?: string; city: string; state: string; zip: string };
  phone: string;
  coverages: Array<{
    priority: 'primary' | 'secondary' | 'tertiary';
    payerId: string;
    memberId: string;
    groupNumber?: string;
    effectiveDate: string;
    terminationDate?: string;
    relationship?: string;
    subscriber?: { name: { last: string; first: string }; birthDate: string; sex: 'F' | 'M'; address: DemoPatient['address'] };
  }>;
};

/**
 * Registered demo patients (synthetic names, addresses and member ids; no real PHI) with coverage,
 * listed in the README. Their claims take payer and member id from here (POST /api/claims); the
 * legacy PT-1001…1003 rows above keep only a name and are billed as their documents say.
 */
export const DEMO_PATIENTS: DemoPatient[] = [
  {
    practiceId: DEMO_PRACTICE_ID, id: 'PT-2001', name: { last: 'Rivera', first: 'Alex', middle: 'J' }, birthDate: '1952-04-18', sex: 'M',
    address: { line1: '14 Maple Ct', city: 'Springfield', state: 'IL', zip: '62704' }, phone: '2175550201',
    coverages: [
      { priority: 'primary', payerId: 'MEDICARE', memberId: '2SY4TE5MK01', effectiveDate: '2017-05-01' },
      { priority: 'secondary', payerId: 'MEDICAID', memberId: 'ILMCD000201', effectiveDate: '2021-01-01' },
    ],
  },
  {
    // Changed plans on a date: a claim before it bills the commercial plan, one after it the Advantage plan.
    practiceId: DEMO_PRACTICE_ID, id: 'PT-2002', name: { last: 'Chen', first: 'Morgan' }, birthDate: '1960-08-02', sex: 'F',
    address: { line1: '300 Oak St', line2: 'Unit 5', city: 'Chatham', state: 'IL', zip: '62629' }, phone: '2175550202',
    coverages: [
      { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'SYN-COM-2002', groupNumber: 'GRP-4410', effectiveDate: '2019-01-01', terminationDate: '2025-12-31' },
      { priority: 'primary', payerId: 'MEDICARE_ADVANTAGE', memberId: 'SYN-MA-2002', effectiveDate: '2026-01-01' },
    ],
  },
  {
    // A dependant: the 837P carries the subscriber in 2010BA and the patient in 2000C/2010CA.
    practiceId: DEMO_PRACTICE_ID, id: 'PT-2003', name: { last: 'Okafor', first: 'Jamie' }, birthDate: '1968-11-30', sex: 'F',
    address: { line1: '9 Birch Ln', city: 'Springfield', state: 'IL', zip: '62711' }, phone: '2175550203',
    coverages: [{
      priority: 'primary', payerId: 'COMMERCIAL', memberId: 'SYN-COM-2003', groupNumber: 'GRP-7781', effectiveDate: '2018-03-01', relationship: '01',
      subscriber: { name: { last: 'Okafor', first: 'Taylor' }, birthDate: '1965-02-14', sex: 'M', address: { line1: '9 Birch Ln', city: 'Springfield', state: 'IL', zip: '62711' } },
    }],
  },
  {
    practiceId: SECOND_PRACTICE_ID, id: 'PT-3001', name: { last: 'Lindqvist', first: 'Robin' }, birthDate: '1950-12-05', sex: 'F',
    address: { line1: '77 River Rd', city: 'Sacramento', state: 'CA', zip: '95818' }, phone: '9165550301',
    coverages: [{ priority: 'primary', payerId: 'MEDICARE', memberId: '3SY7UV8WX01', effectiveDate: '2015-12-01' }],
  },
  {
    practiceId: SECOND_PRACTICE_ID, id: 'PT-3002', name: { last: 'Baptiste', first: 'Quinn' }, birthDate: '2001-06-21', sex: 'M',
    address: { line1: '5 Poplar Ave', city: 'Davis', state: 'CA', zip: '95616' }, phone: '9165550302',
    coverages: [{
      priority: 'primary', payerId: 'COMMERCIAL', memberId: 'SYN-COM-3002', groupNumber: 'GRP-1200', effectiveDate: '2020-01-01', relationship: '19',
      subscriber: { name: { last: 'Baptiste', first: 'Reese' }, birthDate: '1972-09-09', sex: 'F', address: { line1: '5 Poplar Ave', city: 'Davis', state: 'CA', zip: '95616' } },
    }],
  },
];

/**
 * The clearinghouse's ids for demo-north's payers (2010BB NM109; synthetic): its 837Ps name the
 * payer as its clearinghouse knows it. demo-pain has none, so its 837Ps carry our payer keys (and
 * say so in the submission's gaps).
 */
export const DEMO_OUTBOUND_PAYER_IDS = [
  { practiceId: SECOND_PRACTICE_ID, payerId: 'MEDICARE', identifier: 'SYN-CA-MCR-01' },
  { practiceId: SECOND_PRACTICE_ID, payerId: 'COMMERCIAL', identifier: 'SYN-CA-PPO-07' },
];

async function seedPatientMasterData(db: Knex): Promise<void> {
  for (const p of DEMO_PATIENTS) {
    await db.transaction(async (trx) => {
      const [inserted] = await trx('patients')
        .insert({
          practice_id: p.practiceId, id: p.id, name: `${p.name.last}, ${p.name.first}`, last_name: p.name.last, first_name: p.name.first, middle_name: p.name.middle ?? null,
          suffix: p.name.suffix ?? null, birth_date: p.birthDate, sex: p.sex, address: JSON.stringify(p.address), phone: p.phone,
        })
        .onConflict(['practice_id', 'id'])
        .ignore()
        .returning('id');
      if (!inserted) return; // seeded before: leave what users changed alone
      for (const c of p.coverages) {
        await trx('patient_coverages').insert({
          practice_id: p.practiceId, patient_id: p.id, priority: c.priority, payer_id: c.payerId, member_id: c.memberId, group_number: c.groupNumber ?? null,
          effective_date: c.effectiveDate, termination_date: c.terminationDate ?? null, relationship: c.relationship ?? '18', subscriber: c.subscriber ? JSON.stringify(c.subscriber) : null,
        });
      }
    });
  }
  for (const m of DEMO_OUTBOUND_PAYER_IDS) {
    const exists = await db('payer_identifiers').where({ practice_id: m.practiceId, payer_id: m.payerId, outbound: true }).first('id');
    if (!exists) await db('payer_identifiers').insert({ practice_id: m.practiceId, identifier: m.identifier, payer_id: m.payerId, outbound: true, note: 'demo: the clearinghouse id the 837P carries' }).onConflict().ignore();
  }
}
