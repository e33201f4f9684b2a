/**
 * GET /api/audit (DOMAIN.md §6, the revenue-gap audit) on the dev server with the payer
 * simulator: a practice of its own with one claim denied CO-50 (hard), one underpaid (multiple
 * procedure reduction wrongly applied to the add-on, POST-3/POST-5) and one clean, so every figure
 * is exact. Then DEN-4 (appeal deadline passed), an AR-6 write-off, the year filter and the 400s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import type { ClaimDocument } from '../domain/claim-document';
import { loadFeeSchedule } from '../db/payers';

let h: Harness;
let practiceId: string;
const today = () => new Date().toISOString().slice(0, 10);
// Ten days back: inside timely filing, and a charge lag of 10 days (> 7, CHG-1) for every claim.
const dos = addCalendarDays(today(), -10);
const year = Number(dos.slice(0, 4));

const deniedId = uniqueId('AUD-DEN');
const underpaidId = uniqueId('AUD-MPR');
const cleanId = uniqueId('AUD-OK');

beforeAll(async () => {
  h = await startHarness();
  practiceId = uniqueId('audit').toLowerCase();
  await h.db('practices').insert({ id: practiceId, name: 'Audit Test Pain', tax_id: '990000003', billing_npi: '1456789019', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550101' } });
});
afterAll(async () => h?.close());

async function post(claim: ClaimDocument) {
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
}
const claimRow = (claimId: string, status: string) =>
  eventually(async () => {
    const r = await h.db('claims').where({ claim_id: claimId }).first();
    return r?.status === status ? r : undefined;
  }, `${claimId} ${status} in the read model`);

async function audit(query: string) {
  const res = await h.app.inject({ method: 'GET', url: `/api/audit?${query}`, headers: h.auth('biller') });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
type Finding = { family?: string; ruleId: string; metric: string; occurrences: number; dollarsCents: number; kind: string };
const only = (findings: Finding[], pred: (f: Finding) => boolean) => {
  const hits = findings.filter(pred);
  expect(hits, JSON.stringify(findings)).toHaveLength(1);
  return hits[0];
};

describe('GET /api/audit (revenue-gap audit, DOMAIN §6)', () => {
  let underpaidCents: number;

  it('lists DEN and POST figures with exact dollars, largest first, with family totals', async () => {
    const denied = tfesiClaim(deniedId, { practiceId, serviceDate: dos }); // 64483-50, $1,850.00
    const underpaid = tfesiClaim(underpaidId, {
      practiceId,
      serviceDate: dos,
      lines: [
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
      ],
      documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
    });
    const clean = tfesiClaim(cleanId, { practiceId, serviceDate: dos });
    h.simulator.behaveFor(deniedId, { kind: 'deny', carc: '50' });
    h.simulator.behaveFor(underpaidId, { kind: 'mpr_wrong' });
    h.simulator.behaveFor(cleanId, { kind: 'pay' });
    await post(denied);
    await post(underpaid);
    await post(clean);
    await claimRow(deniedId, 'denied');
    await claimRow(cleanId, 'closed');
    await claimRow(underpaidId, 'posted');
    const denial = await eventually(() => h.db('denials').where({ claim_id: deniedId }).first(), 'denial row');
    expect(denial.category).toBe('hard');
    const dispute = await eventually(async () => (await h.db('work_items').where({ entity_id: underpaidId, kind: 'underpayment_dispute' }))[0], 'POST-5 dispute item');
    underpaidCents = dispute.detail.underpaidCents;
    expect(underpaidCents).toBeGreaterThan(100);
    const variance = await h.db('payments').where({ claim_id: underpaidId }).sum({ cents: 'variance_cents' }).first();
    expect(Number(variance?.cents)).toBe(underpaidCents);

    const body = await audit(`practiceId=${practiceId}&year=${year}`);
    expect(body).toMatchObject({ practiceId, year });
    expect(Date.parse(body.generatedAt)).toBeGreaterThan(Date.now() - 60_000);
    const findings: Finding[] = body.findings;

    // DEN-2: the hard CO-50 denial, the claim's billed dollars; the clean and the underpaid claims are not denials.
    expect(only(findings, (f) => f.ruleId === 'DEN-2')).toEqual({ family: 'DEN', ruleId: 'DEN-2', metric: `denied_hard_${denial.kind}`, occurrences: 1, dollarsCents: 185000, kind: 'denied' });
    // POST-5: exactly the underpaid claim's variance against the contract.
    expect(only(findings, (f) => f.ruleId === 'POST-5' && f.kind === 'underpaid')).toEqual({ family: 'POST', ruleId: 'POST-5', metric: 'underpaid_vs_contract', occurrences: 1, dollarsCents: underpaidCents, kind: 'underpaid' });
    // CHG-1: all three claims were entered 10 days after the DOS.
    expect(only(findings, (f) => f.ruleId === 'CHG-1')).toMatchObject({ occurrences: 3, dollarsCents: 185000 + 240000 + 185000, kind: 'at_risk' });
    // Nothing is late yet: the appeal is due in 30 days, the dispute in 5 business days; posting was same-day.
    expect(findings.filter((f) => ['DEN-4', 'DEN-3', 'POST-1', 'SUB-4', 'AR-6'].includes(f.ruleId))).toEqual([]);
    expect(findings.filter((f) => f.ruleId === 'POST-5' && f.kind === 'at_risk')).toEqual([]);

    // Largest first: dollars, then occurrences.
    for (let i = 1; i < findings.length; i++) {
      const [a, b] = [findings[i - 1], findings[i]];
      expect(a.dollarsCents > b.dollarsCents || (a.dollarsCents === b.dollarsCents && a.occurrences >= b.occurrences), `${a.ruleId} before ${b.ruleId}`).toBe(true);
    }
    expect(findings.findIndex((f) => f.ruleId === 'CHG-1')).toBeLessThan(findings.findIndex((f) => f.ruleId === 'DEN-2'));
    expect(findings.findIndex((f) => f.ruleId === 'DEN-2')).toBeLessThan(findings.findIndex((f) => f.ruleId === 'POST-5'));

    // Families: all nine, each total = its findings; ranked by dollars; overall totals add up.
    const families: Array<{ family: string; dollarsCents: number; occurrences: number; byKind: Record<string, number>; findings: Finding[] }> = body.families;
    expect(families.map((f) => f.family).sort()).toEqual(['AR', 'AUTH', 'CHG', 'CODE', 'CRED', 'DEN', 'ELIG', 'POST', 'SUB']);
    for (const fam of families) {
      expect(fam.dollarsCents).toBe(fam.findings.reduce((s, f) => s + f.dollarsCents, 0));
      expect(fam.findings.map((f) => `${f.ruleId}:${f.metric}:${f.kind}`)).toEqual(findings.filter((f) => f.family === fam.family).map((f) => `${f.ruleId}:${f.metric}:${f.kind}`));
    }
    for (let i = 1; i < families.length; i++) expect(families[i - 1].dollarsCents).toBeGreaterThanOrEqual(families[i].dollarsCents);
    const den = families.find((f) => f.family === 'DEN')!;
    expect(den.byKind.denied).toBe(185000);
    const postFamily = families.find((f) => f.family === 'POST')!;
    expect(postFamily).toMatchObject({ dollarsCents: underpaidCents, byKind: { underpaid: underpaidCents } });
    expect(body.totals.dollarsCents).toBe(findings.reduce((s, f) => s + f.dollarsCents, 0));
    expect(body.totals.findings).toBe(findings.length);
    expect(body.totals.byKind.underpaid).toBe(underpaidCents);
  });

  it('DEN-4: a hard denial whose 30-day appeal deadline passed without an appeal is listed at its billed dollars', async () => {
    await h.db('denials').where({ claim_id: deniedId }).update({ action_due: addCalendarDays(today(), -1) });
    const findings: Finding[] = (await audit(`practiceId=${practiceId}&year=${year}`)).findings;
    expect(only(findings, (f) => f.ruleId === 'DEN-4')).toEqual({ family: 'DEN', ruleId: 'DEN-4', metric: 'hard_denial_not_appealed_in_30_days', occurrences: 1, dollarsCents: 185000, kind: 'at_risk' });
  });

  it('AR-6: an approved write-off counts its amount as written off', async () => {
    // The whole open balance (a write-off of part of it leaves the claim open: workflows/write-off.int.test.ts).
    const { billed_cents: open } = await h.db('claims').where({ claim_id: deniedId }).first('billed_cents');
    const req = await h.app.inject({ method: 'POST', url: `/api/claims/${deniedId}/actions/request-write-off`, headers: h.auth('biller'), payload: { amountCents: open, rationale: 'no documentation to support medical necessity' } });
    expect(req.statusCode, req.body).toBe(200);
    const ok = await h.app.inject({ method: 'POST', url: `/api/claims/${deniedId}/actions/approve-write-off`, headers: h.auth('approver'), payload: { recoveryReview: 'appeal has no basis; patient not liable' } });
    expect(ok.statusCode, ok.body).toBe(200);
    await claimRow(deniedId, 'closed');
    const findings: Finding[] = (await audit(`practiceId=${practiceId}&year=${year}`)).findings;
    expect(only(findings, (f) => f.ruleId === 'AR-6')).toEqual({ family: 'AR', ruleId: 'AR-6', metric: 'written_off', occurrences: 1, dollarsCents: open, kind: 'written_off' });
  });

  it('SUB-1 first-pass scrub errors by rule; CHG-2 missing charge and ELIG-7 flag priced at the fee schedule', async () => {
    // CODE-1: interlaminar code billed for a transforaminal procedure → needs correction (v1).
    const wrongId = uniqueId('AUD-FIX');
    await post(tfesiClaim(wrongId, { practiceId, serviceDate: dos, lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] }));
    await claimRow(wrongId, 'needs_correction');
    await eventually(async () => (await h.db('work_items').where({ entity_id: wrongId, kind: 'correction' }))[0], 'SUB-1 correction item');
    // A completed appointment with no charge (the CHG-2 reconciliation's work item) whose last check flagged ELIG-7.
    const apptId = uniqueId('AUD-APPT');
    await h.db('appointments').insert({ appointment_id: apptId, practice_id: practiceId, patient_id: 'PT-2001', payer_id: 'MEDICARE', provider_npi: '1234567893', service_date: dos, cpts: ['64483', '64484'], place_of_service: '24', status: 'completed', flags: JSON.stringify([{ ruleId: 'ELIG-7', message: 'coverage inactive' }]), workflow_id: 'eligibility:none' });
    await h.db('work_items').insert({ idempotency_key: `chg2:${practiceId}:${apptId}`, practice_id: practiceId, kind: 'missing_charge', rule_id: 'CHG-2', entity_type: 'appointment', entity_id: apptId, title: 'no charge', detail: { serviceDate: dos } });
    const fees = (await loadFeeSchedule(h.db, 'MEDICARE', year))!.allowableCents;
    const value = fees['64483'] + fees['64484'];
    expect(value).toBeGreaterThan(0);

    const findings: Finding[] = (await audit(`practiceId=${practiceId}&year=${year}`)).findings;
    expect(only(findings, (f) => f.ruleId === 'SUB-1')).toEqual({ family: 'SUB', ruleId: 'SUB-1', metric: 'claims_with_scrub_errors_first_pass', occurrences: 1, dollarsCents: 120000, kind: 'at_risk' });
    expect(only(findings, (f) => f.ruleId === 'CODE-1')).toEqual({ family: 'CODE', ruleId: 'CODE-1', metric: 'scrub_error_first_pass', occurrences: 1, dollarsCents: 120000, kind: 'at_risk' });
    expect(only(findings, (f) => f.ruleId === 'CHG-2')).toEqual({ family: 'CHG', ruleId: 'CHG-2', metric: 'appointment_without_charge', occurrences: 1, dollarsCents: value, kind: 'missed' });
    expect(only(findings, (f) => f.ruleId === 'ELIG-7')).toEqual({ family: 'ELIG', ruleId: 'ELIG-7', metric: 'appointments_flagged_before_service', occurrences: 1, dollarsCents: value, kind: 'at_risk' });
  });

  it('counts a year by date of service: the year before has no findings; year defaults to the current UTC year', async () => {
    const before = await audit(`practiceId=${practiceId}&year=${year - 1}`);
    expect(before.findings).toEqual([]);
    expect(before.totals).toMatchObject({ dollarsCents: 0, occurrences: 0, findings: 0 });
    const current = await audit(`practiceId=${practiceId}`);
    expect(current.year).toBe(new Date().getUTCFullYear());
  });

  it('400 naming the field: missing practiceId, unknown practice, bad year', async () => {
    const get = (q: string) => h.app.inject({ method: 'GET', url: `/api/audit${q}`, headers: h.auth('biller') });
    const missing = await get(`?year=${year}`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().issues.map((i: { path: string }) => i.path)).toContain('practiceId');
    const unknown = await get(`?practiceId=${uniqueId('nope')}&year=${year}`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues).toEqual([expect.objectContaining({ path: 'practiceId' })]);
    for (const bad of ['abc', '1999', '2026.5']) {
      const res = await get(`?practiceId=${practiceId}&year=${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), bad).toContain('year');
    }
    const anonymous = await h.app.inject({ method: 'GET', url: `/api/audit?practiceId=${practiceId}` });
    expect(anonymous.statusCode).toBe(401);
  });
});
