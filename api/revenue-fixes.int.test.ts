/**
 * Fixes on the way, proven on generated data against the real PostgreSQL:
 * - DEN-7: the audit's dollars count each denied claim once, whatever the number of CPT patterns
 *   (and monthly items) it matches and however often it was denied;
 * - POST-7: a second deposit on the same day adds to the day (a deposit re-sent with the same
 *   reference corrects itself instead);
 * - DEN-6: the diagnostic MBB notes of an RFA denial are found by patient, region and date when the
 *   payer (Medicare) needed no prior authorization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { auditRows } from '../db/audit';
import { reconciliationActivities } from '../activities/reconciliation';
import { diagnosticMbbNotes } from '../activities/posting';
import { addCalendarDays } from '../domain/business-days';
import type { ClaimDocument } from '../domain/claim-document';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => h?.close());

const today = () => new Date().toISOString().slice(0, 10);

async function newPractice(): Promise<string> {
  const id = uniqueId('fix').toLowerCase();
  await h.db('practices').insert({ id, name: 'Fix Test Pain', tax_id: '990000009', billing_npi: '1456789019', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550101' } });
  return id;
}

/** A claim row of the read model, as the claim workflow writes it. */
async function insertClaim(doc: ClaimDocument, billedCents: number, status = 'denied') {
  await h.db('claims').insert({
    claim_id: doc.claimId,
    practice_id: doc.practiceId,
    payer_id: doc.payerId,
    rendering_npi: doc.renderingNpi,
    service_date: doc.serviceDate,
    place_of_service: doc.placeOfService,
    status,
    billed_cents: billedCents,
    cpt_codes: [...new Set(doc.lines.map((l) => l.cpt))],
    document: doc,
    workflow_id: `claim:${doc.claimId}`,
  });
}

const CPTS = ['64635', '64636', '64493', '64494'];

describe('DEN-7 audit dollars', () => {
  it('DEN-7: each denied claim counts once, whatever the number of patterns and monthly items it matches', async () => {
    const dos = addCalendarDays(today(), -20);
    const year = Number(dos.slice(0, 4));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ cpts: fc.subarray(CPTS, { minLength: 1 }), billed: fc.integer({ min: 1, max: 5_000_00 }), denials: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 6 }),
        fc.subarray(CPTS, { minLength: 1 }),
        fc.integer({ min: 1, max: 2 }),
        async (claims, patternCpts, months) => {
          const practiceId = await newPractice();
          for (const [i, c] of claims.entries()) {
            const doc = tfesiClaim(`${practiceId}-C${i}`, {
              practiceId,
              payerId: 'COMMERCIAL',
              serviceDate: dos,
              lines: c.cpts.map((cpt) => ({ cpt, units: 1, chargeCents: 100, diagnosisPointers: [1] })),
            });
            await insertClaim(doc, c.billed);
            for (let d = 0; d < c.denials; d++) {
              await h.db('remittances').insert({ remittance_key: `${doc.claimId}:R${d}`, payer_id: 'COMMERCIAL', trace_number: `${doc.claimId}-${d}`, payment_date: dos, adjudication_date: dos, total_paid_cents: 0, claim_count: 1, source: 'test', received_at: new Date().toISOString() });
              await h.db('denials').insert({ claim_id: doc.claimId, practice_id: practiceId, payer_id: 'COMMERCIAL', remittance_key: `${doc.claimId}:R${d}`, cpt_codes: c.cpts, carc: '50', rarcs: [], category: 'hard', kind: 'medical_necessity', denial_date: dos, received_at: new Date().toISOString() });
            }
          }
          // One root-cause item per pattern (CPT × payer × CARC) and month, as checkDenialPattern raises them.
          for (const cpt of patternCpts) {
            for (let m = 0; m < months; m++) {
              await h.db('work_items').insert({ idempotency_key: `${practiceId}:den7:${cpt}:${m}`, practice_id: practiceId, kind: 'denial_root_cause', rule_id: 'DEN-7', entity_type: 'practice', entity_id: `COMMERCIAL:${cpt}:50`, title: 'pattern', detail: { payerId: 'COMMERCIAL', cpt, carc: '50', lastDenialDate: dos }, due_date: dos });
            }
          }
          const rows = await auditRows(h.db, { practiceId, year, asOf: today() });
          const den7 = rows.find((r) => r.ruleId === 'DEN-7')!;
          const expected = claims.filter((c) => c.cpts.some((cpt) => patternCpts.includes(cpt))).reduce((s, c) => s + c.billed, 0);
          expect(den7.occurrences).toBe(patternCpts.length * months);
          expect(den7.dollarsCents).toBe(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('POST-7 deposits', () => {
  it('POST-7: deposits of one day add up; re-sending a referenced deposit corrects it, never counts it twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ amountCents: fc.integer({ min: 0, max: 1_000_000_00 }), reference: fc.option(fc.constantFrom('BANK-1', 'BANK-2', 'LOCKBOX'), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
        async (deposits) => {
          const practiceId = await newPractice();
          const day = addCalendarDays(today(), -1);
          let last: { dayTotalCents: number } | undefined;
          for (const d of deposits) {
            const res = await h.app.inject({ method: 'POST', url: '/api/deposits', headers: h.auth('biller'), payload: { practiceId, depositDate: day, ...d } });
            expect(res.statusCode, res.body).toBe(201);
            last = res.json();
          }
          const byReference = new Map<string, number>();
          let unreferenced = 0;
          for (const d of deposits) {
            if (d.reference) byReference.set(d.reference, d.amountCents);
            else unreferenced += d.amountCents;
          }
          const expected = unreferenced + [...byReference.values()].reduce((s, n) => s + n, 0);
          expect(last!.dayTotalCents).toBe(expected);
          const rec = await reconciliationActivities(h.db).reconcileDeposits({ practiceId, date: day });
          expect(rec.depositedCents).toBe(expected);
          expect(rec.differenceCents).toBe(rec.postedCents - expected);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('DEN-6 diagnostic MBB notes without a prior authorization', () => {
  it('DEN-6: a Medicare RFA denial finds the patient\'s two latest diagnostic MBBs in the region, by date, with no authorization', async () => {
    const practiceId = await newPractice();
    const patientId = uniqueId('PT');
    const rfaDos = addCalendarDays(today(), -3);
    const mbb = (id: string, dos: string, region: 'lumbar' | 'cervical', relief: number, patient = patientId) =>
      tfesiClaim(id, {
        practiceId,
        payerId: 'MEDICARE',
        serviceDate: dos,
        patient: { id: patient, birthDate: '1950-02-02', sex: 'F' },
        diagnoses: ['M47.816'],
        lines: [{ cpt: region === 'lumbar' ? '64493' : '64490', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] }],
        documentation: { procedures: [{ family: 'facet_mbb', region, levels: region === 'lumbar' ? ['L4-L5'] : ['C5-C6'], laterality: 'left', guidance: 'fluoroscopy', reliefPercent: relief, reliefHours: 6 }] },
      });
    const older = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, -90), 'lumbar', 70); // older than the two latest
    const first = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, -60), 'lumbar', 85);
    const second = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, -30), 'lumbar', 90);
    const cervical = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, -20), 'cervical', 95); // another region
    const otherPatient = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, -10), 'lumbar', 99, uniqueId('PT')); // another patient
    const later = mbb(uniqueId('MBB'), addCalendarDays(rfaDos, 5), 'lumbar', 50); // after the RFA
    for (const c of [older, first, second, cervical, otherPatient, later]) await insertClaim(c, 90000, 'closed');
    const rfa = tfesiClaim(uniqueId('RFA'), {
      practiceId,
      payerId: 'MEDICARE', // no prior authorization needed, none on the claim
      serviceDate: rfaDos,
      patient: { id: patientId, birthDate: '1950-02-02', sex: 'F' },
      diagnoses: ['M47.816'],
      lines: [{ cpt: '64635', modifiers: ['LT'], units: 1, chargeCents: 310000, diagnosisPointers: [1] }],
      documentation: { procedures: [{ family: 'rfa', region: 'lumbar', levels: ['L4-L5'], laterality: 'left', guidance: 'fluoroscopy' }] },
    });
    expect(rfa.priorAuthNumber).toBeUndefined();
    await insertClaim(rfa, 310000);
    const notes = await diagnosticMbbNotes(h.db, rfa);
    expect(notes).toEqual([
      { date: first.serviceDate, reliefPercent: 85, reliefHours: 6, levels: ['L4-L5'] },
      { date: second.serviceDate, reliefPercent: 90, reliefHours: 6, levels: ['L4-L5'] },
    ]);
    // An authorization of the same patient and region carrying MBB notes is preferred to the claims.
    const authNotes = [
      { date: addCalendarDays(rfaDos, -50), reliefPercent: 80, reliefHours: 5, levels: ['L4-L5'] },
      { date: addCalendarDays(rfaDos, -25), reliefPercent: 88, reliefHours: 7, levels: ['L4-L5'] },
    ];
    await h.db('authorizations').insert({ auth_id: uniqueId('AUTH'), practice_id: practiceId, payer_id: 'COMMERCIAL', patient_id: patientId, status: 'approved', family: 'facet', cpts: ['64493'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', workflow_id: 'auth:test', details: { mbbNotes: authNotes } });
    expect(await diagnosticMbbNotes(h.db, rfa)).toEqual(authNotes);
  });
});
