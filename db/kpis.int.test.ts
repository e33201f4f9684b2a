/**
 * The dashboard's SQL (db/kpis.ts) over a read model written for the purpose: a fresh practice with
 * a handful of claims whose KPIs, aging and deadlines are worked out by hand below (DOMAIN.md §7).
 * Dates are relative to the practice's today, so the figures hold whatever day the suite runs.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from './knex';
import { arAging, comingDeadlines, NOT_AR, OPEN_AR_SQL, practiceKpis, practiceToday, searchClaims } from './kpis';
import { denialMatrix, monthlyTrends, providerKpis } from './charts';
import { addCalendarDays } from '../domain/business-days';

let db: Knex;
const stamp = Date.now().toString(36);
const practiceId = `kpi-${stamp}`;
const tz = 'America/Chicago';
const today = practiceToday(tz);
const day = (n: number) => addCalendarDays(today, n);
const id = (x: string) => `KPI-${stamp}-${x}`;

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  await db('practices').insert({ id: practiceId, name: 'KPI Practice', tax_id: '990000077', billing_npi: '1456789019', phone: '2175550177', time_zone: tz, address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '62701' } });
  const npi = '1582736496'; // this suite's own provider (the fuzz suite registers 1679576722 with other credentials)
  await db('providers').insert({ npi, practice_id: practiceId, name: 'Dr. KPI Test' }).onConflict('npi').merge();
  const claim = (x: string, payer: string, billed: number, dos: number, status: string, lag: number) => ({
    claim_id: id(x), practice_id: practiceId, payer_id: payer, rendering_npi: npi, service_date: day(dos), place_of_service: '24', status, billed_cents: billed,
    cpt_codes: x === 'A' ? ['64483', '64484'] : ['64493'], document: { patient: { id: `PT-${stamp}-${x}` } }, workflow_id: `claim:${id(x)}`, charge_lag_days: lag,
  });
  await db('claims').insert([
    claim('A', 'MEDICARE', 100000, -10, 'submitted', 2), // open 1,000.00, 0–30
    claim('B', 'COMMERCIAL', 50000, -45, 'denied', 4), // open 500.00, 31–60, denied
    claim('C', 'MEDICARE', 200000, -100, 'partially_paid', 3), // open 2,000 − 1,200 − 300 = 500.00, 90+
    claim('D', 'MEDICARE', 80000, -120, 'closed', 10), // not AR
    claim('E', 'MEDICARE', 30000, -5, 'charge_entered', 1), // not AR, in the last 90 days' charges
    claim('G', 'MEDICARE', 40000, -350, 'held', 6), // Medicare's 365-day timely filing closes in 15 days (AR-7)
  ]);
  const remittanceKey = `MEDICARE:${stamp}`;
  await db('remittances').insert({ remittance_key: remittanceKey, payer_id: 'MEDICARE', trace_number: stamp, payment_date: day(-20), adjudication_date: day(-21), total_paid_cents: 160000, claim_count: 2, source: 'api-json', received_at: new Date() });
  // C was paid $200.00 below the contract (POST-5 variance), not recovered yet.
  const [c] = await db('payments').insert({ practice_id: practiceId, claim_id: id('C'), remittance_key: remittanceKey, claim_status_code: '1', charged_cents: 200000, paid_cents: 100000, patient_responsibility_cents: 20000, variance_cents: 20000, payment_date: day(-20), posted_at: new Date(), posting_lag_business_days: 1 }).returning('id');
  const [d] = await db('payments').insert({ practice_id: practiceId, claim_id: id('D'), remittance_key: remittanceKey, claim_status_code: '1', charged_cents: 80000, paid_cents: 60000, patient_responsibility_cents: 10000, payment_date: day(-60), posted_at: new Date(), posting_lag_business_days: 3 }).returning('id');
  await db('adjustments').insert([
    { payment_id: c.id, line_number: 1, group_code: 'CO', carc: '45', amount_cents: 30000 },
    { payment_id: c.id, line_number: 1, group_code: 'PR', carc: '2', amount_cents: 20000 },
    { payment_id: d.id, line_number: 1, group_code: 'CO', carc: '45', amount_cents: 10000 },
  ]);
  // B denied twice before by the same payer for the same CPT and CARC: a DEN-7 pattern (3 in 30 days), still one denied claim.
  for (const [k, at] of [['1', -12], ['2', -25]] as const) {
    await db('denials').insert({ claim_id: id('B'), practice_id: practiceId, payer_id: 'COMMERCIAL', remittance_key: `COMMERCIAL:${stamp}:${k}`, cpt_codes: ['64493'], carc: '50', category: 'soft', kind: 'medical_necessity', denial_date: day(at), received_at: new Date() });
  }
  // D closed 30 days ago by an approved write-off of $150.00 (AR-6).
  await db('claim_events').insert({ practice_id: practiceId, claim_id: id('D'), at: new Date(`${day(-30)}T15:00:00Z`), actor: 'approver', from_status: 'partially_paid', to_status: 'closed', detail: { note: 'written off $150.00 (AR-6, requested by biller)' }, idempotency_key: `${id('D')}:closed` });
  await db('denials').insert({ claim_id: id('B'), practice_id: practiceId, payer_id: 'COMMERCIAL', remittance_key: `COMMERCIAL:${stamp}`, cpt_codes: ['64493'], carc: '50', category: 'soft', kind: 'medical_necessity', denial_date: day(-5), received_at: new Date(), appeal_deadline: day(3) });
  const sub = (x: string, status: string, at: number, n: number) => ({ practice_id: practiceId, claim_id: id(x), claim_version: 1, payer_id: 'MEDICARE', interchange_control_number: n, gateway: 'simulator', status, submitted_at: new Date(`${day(at)}T15:00:00Z`), idempotency_key: `${id(x)}:${n}` });
  await db('submissions').insert([sub('A', 'accepted', -8, 1), sub('B', 'rejected', -40, 2), sub('B', 'accepted', -38, 3), sub('C', 'accepted', -95, 4), sub('D', 'accepted', -110, 5)]);
  const auth = (x: string, validTo: number) => ({ auth_id: id(`AUTH-${x}`), practice_id: practiceId, payer_id: 'MEDICARE', patient_id: `PT-${stamp}`, status: 'approved', family: 'esi', cpts: ['64483'], region: 'lumbar', laterality: 'left', valid_from: day(-30), valid_to: day(validTo), visits_authorized: 2, visits_used: 1, workflow_id: `authorization:${id(x)}` });
  await db('authorizations').insert([auth('soon', 10), auth('later', 40)]);
  await db('credentials').insert({ npi, kind: 'caqh', payer_id: '', status: 'active', expiry_date: day(20) }).onConflict(['npi', 'kind', 'payer_id']).merge();
});
afterAll(async () => db?.destroy());

describe('db/kpis.ts over a hand-computed practice', () => {
  it('KPIs follow DOMAIN.md §7: days in AR, clean-claim and denial rates, net collection, AR over 90, charge and posting lag, each with its band', async () => {
    const kpis = Object.fromEntries((await practiceKpis(db, practiceId, today)).map((k) => [k.name, k]));
    // Open AR 2,000.00; charges of the last 90 days 1,800.00 (A, B, E) → 20.00 a day → 100 days.
    expect(kpis['Days in AR']).toMatchObject({ value: 100, band: 'bad' });
    // First submissions answered in the last 90 days: A (accepted), B (rejected) → 1 of 2.
    expect(kpis['Clean-claim rate']).toMatchObject({ value: 50, band: 'bad', detail: '1 of 2 claims' });
    // Adjudicated in 90 days: C and D paid, B denied → 1 of 3.
    expect(kpis['Denial rate']).toMatchObject({ value: 33.3, band: 'bad' });
    // DOS 90–180 days ago: C and D. (1,200 + 700) ÷ (2,800 − 400) = 79.2%.
    expect(kpis['Net collection rate']).toMatchObject({ value: 79.2, band: 'bad' });
    // C's 500.00 of 2,000.00 is older than 90 days.
    expect(kpis['AR over 90 days']).toMatchObject({ value: 25, band: 'bad' });
    // Charge lags 1, 2, 3, 4, 6, 10 → median 3.5 days.
    expect(kpis['Charge lag']).toMatchObject({ value: 3.5, band: 'watch' });
    // Posting lags 1 and 3 business days → 2.
    expect(kpis['Posting lag']).toMatchObject({ value: 2, band: 'watch' });
    // C's $200.00 below the contract, nothing paid after it: 0% recovered (target ≥ 80%).
    expect(kpis['Underpayments']).toMatchObject({ value: 20000, unit: 'dollars', band: 'bad', detail: 'recovered $0 (0%) on 1 claims' });
    // D's approved write-off of $150.00; no timely-filing write-off.
    expect(kpis['Write-offs']).toMatchObject({ value: 15000, unit: 'dollars', band: 'good', detail: 'approved (AR-6) $150; timely filing $0' });
    for (const k of Object.values(kpis)) expect(k.definition.length).toBeGreaterThan(20);
  });

  it('an empty practice says "no data", never a made-up figure', async () => {
    const kpis = await practiceKpis(db, `nobody-${stamp}`, today);
    expect(kpis.map((k) => [k.value, k.band])).toEqual(kpis.map(() => [null, 'no_data']));
  });

  it('AR aging: open AR by payer in 0–30, 31–60, 61–90 and 90+ days from the date of service', async () => {
    expect(await arAging(db, practiceId, today)).toEqual([
      { payerId: 'MEDICARE', b0_30: 100000, b31_60: 0, b61_90: 0, b90plus: 50000, totalCents: 150000 },
      { payerId: 'COMMERCIAL', b0_30: 0, b31_60: 50000, b61_90: 0, b90plus: 0, totalCents: 50000 },
    ]);
  });

  it('coming deadlines: the appeal this week, AR-7 timely filing, the authorization expiring within 30 days, the CAQH attestation', async () => {
    const d = await comingDeadlines(db, practiceId, today);
    expect(d.map((x) => [x.kind, x.id, x.daysLeft])).toEqual([
      ['appeal', id('B'), 3],
      ['authorization', id('AUTH-soon'), 10],
      ['timely_filing', id('G'), 15],
      ['credential', '1582736496:caqh', 20],
    ]);
    expect(d.find((x) => x.kind === 'timely_filing')).toMatchObject({ ruleId: 'AR-7', due: day(15) });
  });

  it('Find a claim matches a claim id prefix, a patient id, a date of service, a payer, a CPT and a status, within the practices given', async () => {
    const ids = async (q: string) => (await searchClaims(db, q, [practiceId])).map((c) => c.claimId).sort();
    expect(await ids(id('A'))).toEqual([id('A')]);
    expect(await ids(`PT-${stamp}-B`)).toEqual([id('B')]);
    expect(await ids(day(-45))).toEqual([id('B')]);
    expect(await ids('commercial')).toEqual([id('B')]);
    expect(await ids('64484')).toEqual([id('A')]);
    expect(await ids('held')).toEqual([id('G')]);
    expect(await searchClaims(db, id('A'), ['demo-north'])).toEqual([]);
  });

  it('12-month trends: collections by payment month, denied claims by denial month, days in AR at the month end (today for this month)', async () => {
    const t = await monthlyTrends(db, practiceId, today);
    expect(t).toHaveLength(12);
    expect(t.at(-1)!.month).toBe(today.slice(0, 7));
    const month = (d: string) => t.find((m) => m.month === d.slice(0, 7))!;
    expect(month(day(-20)).collectionsCents).toBe(100000);
    expect(month(day(-60)).collectionsCents).toBe(60000);
    expect(t.reduce((s, m) => s + m.collectionsCents, 0)).toBe(160000);
    expect(month(day(-5)).deniedClaims).toBe(1);
    // Today: open AR 2,000.00 (A 1,000, B 500, C 2,000 − 1,200 − 300; D closed 30 days ago), charges of 90 days 1,800.00 → 100 days, as the KPI.
    expect(t.at(-1)).toMatchObject({ openArCents: 200000, daysInAr: 100 });
    // Before D closed (31 days ago) its 800.00 − 600 − 100 − 100 = 0.00 was still open: the same AR, never negative.
    expect(t.every((m) => m.openArCents >= 0)).toBe(true);
  });

  it('denials by CPT × payer × CARC: three CARC 50 denials of 64493 by COMMERCIAL in 30 days are a DEN-7 pattern; the claim billed once', async () => {
    expect(await denialMatrix(db, practiceId, today)).toEqual([
      { cpt: '64493', payerId: 'COMMERCIAL', carc: '50', denials: 3, claims: 1, billedCents: 50000, lastDenialDate: day(-5), den7Pattern: true },
    ]);
  });

  it('KPIs per provider: the practice figures of the one rendering provider', async () => {
    expect(await providerKpis(db, practiceId, today, OPEN_AR_SQL, NOT_AR)).toEqual([
      { npi: '1582736496', name: 'Dr. KPI Test', claims90: 3, charges90Cents: 180000, openArCents: 200000, daysInAr: 100, arOver90: 25, denialRate: 33.3 },
    ]);
  });
});
