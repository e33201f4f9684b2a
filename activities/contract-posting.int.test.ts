/**
 * POST-2…5 and CHG-5 with the practice's contract (issue 13): a practice of its own (created here,
 * so no other file sees its contracts) with a Medicare contract that prices 64483-50 apart. The
 * simulated payer pays at its built-in schedule, so the posting finds the underpayment against the
 * contract and records the version it used; a later version changes nothing already posted. A
 * practice without a contract is checked against the payer defaults, and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStateUntil, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import type { ClaimWorkflowState } from '../contracts/claim';
import { builtInFeeSchedule } from '../domain/payer-policy';
import { applyPercent } from '../domain/contract';
import { npiCheckDigit } from '../domain/npi';
import type { ClaimDocument } from '../domain/claim-document';

let h: Harness;
let practiceId: string;
const serviceDate = tfesiClaim('x').serviceDate;
const dosYear = Number(serviceDate.slice(0, 4));
const thisYear = Number(utcToday().slice(0, 4));
const builtIn = builtInFeeSchedule('MEDICARE', dosYear).allowableCents['64483'];
/** The contract's price of 64483 billed with modifier 50 (the fixture's bilateral line): above the payer's built-in 150%. */
const BILATERAL_PRICE = applyPercent(builtIn, 150) + 20_000;

beforeAll(async () => {
  h = await startHarness();
  practiceId = uniqueId('ctr-practice').toLowerCase();
  const nine = `16${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/practices',
    headers: h.auth('admin'),
    payload: { practiceId, name: 'Contract Posting Test Practice', taxId: '12-3456789', billingNpi: `${nine}${npiCheckDigit(nine)}`, address: { line1: '1 Test St', city: 'Madison', state: 'WI', zip: '537031234' }, phone: '6085550199', timeZone: 'America/Chicago' },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => h?.close());

const until = (claimId: string, pred: (s: ClaimWorkflowState) => boolean, what: string) => claimStateUntil(h, claimId, pred, what);
async function post(claim: ClaimDocument) {
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('admin'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
}
const putContract = (year: number, body: unknown) =>
  h.app.inject({ method: 'PUT', url: `/api/practices/${practiceId}/contracts/MEDICARE/${year}`, headers: h.auth('admin'), payload: body as object });

describe('posting and CHG-5 with the practice contract', () => {
  it('POST-2/5: the payment is checked against the contract version (modifier price), recorded with it, and a later version does not change it', async () => {
    const terms = { fees: [{ cpt: '64483', allowableCents: builtIn + 10_000 }, { cpt: '64483', modifier: '50', allowableCents: BILATERAL_PRICE }], appealWindowDays: 75 };
    for (const year of new Set([dosYear, thisYear])) expect((await putContract(year, terms)).statusCode).toBe(201);

    const claimId = uniqueId('CTR');
    // Billed below the contract's bilateral price: CHG-5 warns (a warning does not block submission).
    await post(tfesiClaim(claimId, { practiceId, lines: [{ cpt: '64483', modifiers: ['50'], units: 1, chargeCents: BILATERAL_PRICE - 100, diagnosisPointers: [1, 2] }] }));
    const posted = await until(claimId, (s) => s.payments.length > 0, 'posted');
    const chg5 = (posted.scrub?.findings ?? []).find((f) => f.ruleId === 'CHG-5');
    expect(chg5?.message).toContain(`${practiceId} × MEDICARE ${thisYear} contract v1`);

    const payment = await h.db('payments').where({ claim_id: claimId }).first();
    expect(payment).toMatchObject({ contract_source: 'contract', contract_version: 1, expected_cents: BILATERAL_PRICE });
    // The simulator pays the built-in 150%: 20,000 cents short of the contract.
    expect(posted.payments[0].expectedCents).toBe(BILATERAL_PRICE);
    expect(posted.payments[0].underpaidCents).toBe(20_000);
    expect(posted.payments[0].findings.some((f) => f.rule === 'POST-5' && f.kind === 'underpaid')).toBe(true);
    const view = (await h.app.inject({ method: 'GET', url: `/api/claims/${claimId}`, headers: h.auth('admin') })).json();
    expect(view.payments[0].contract).toEqual({ source: 'contract', version: 1 });

    // A new version: what was posted stays as it was.
    expect((await putContract(dosYear, { ...terms, fees: [{ cpt: '64483', allowableCents: 1 }] })).json().contract.version).toBe(2);
    const after = await h.db('payments').where({ claim_id: claimId }).first();
    expect(after).toMatchObject({ contract_version: 1, expected_cents: BILATERAL_PRICE, variance_cents: payment.variance_cents });
  });

  it('a practice without a contract: the payer defaults, and the payment says so', async () => {
    const claimId = uniqueId('DEF');
    await post(tfesiClaim(claimId));
    const posted = await until(claimId, (s) => s.payments.length > 0, 'posted');
    expect(posted.payments[0].underpaidCents).toBe(0);
    const payment = await h.db('payments').where({ claim_id: claimId }).first();
    expect(payment).toMatchObject({ contract_source: 'payer_default', contract_version: null, expected_cents: applyPercent(builtIn, 150) });
  });

  it('CHG-2 in the audit: a missing charge is priced at the contract, and the answer names the version', async () => {
    const appointmentId = uniqueId('CTR-APPT');
    await h.db('appointments').insert({ appointment_id: appointmentId, practice_id: practiceId, patient_id: 'PT-CTR-1', payer_id: 'MEDICARE', provider_npi: '1234567893', service_date: serviceDate, cpts: ['64483'], place_of_service: '24', status: 'completed', workflow_id: `test:${appointmentId}` });
    await h.db('work_items').insert({ practice_id: practiceId, kind: 'missing_charge', rule_id: 'CHG-2', entity_type: 'appointment', entity_id: appointmentId, title: 'missing charge', idempotency_key: `test:${appointmentId}` });
    const res = await h.app.inject({ method: 'GET', url: `/api/audit?practiceId=${practiceId}&year=${dosYear}`, headers: h.auth('admin') });
    expect(res.statusCode, res.body).toBe(200);
    const chg2 = (res.json().findings as Array<{ ruleId: string; dollarsCents: number }>).find((f) => f.ruleId === 'CHG-2');
    // Version 2 of the contract (the test above) prices 64483 at 1 cent.
    expect(chg2?.dollarsCents).toBe(1);
    expect(res.json().pricing).toContainEqual({ payerId: 'MEDICARE', year: dosYear, source: 'contract', version: 2, feeSchedule: `${practiceId} × MEDICARE ${dosYear} contract v2` });
  });
});
