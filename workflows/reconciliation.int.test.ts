/**
 * Daily jobs as a Temporal Schedule on the dev server (the time-skipping server has no
 * Schedules): CHG-2 missing charges and POST-7 payments vs deposits become work items.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { ensureDailySchedules } from '../lib/schedules';
import { dailyReconciliationScheduleId } from '../contracts/reconciliation';
import { addBusinessDays, addCalendarDays, isBusinessDay } from '../domain/business-days';

let h: Harness;
let practiceId: string;
beforeAll(async () => {
  h = await startHarness();
  // A practice of its own, so the figures are not mixed with other tests' payments.
  practiceId = uniqueId('recon').toLowerCase();
  await h.db('practices').insert({ id: practiceId, name: 'Reconciliation Test Pain', tax_id: '990000002', billing_npi: '1456789019', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550101' } });
});
afterAll(async () => {
  await h?.client.schedule.getHandle(dailyReconciliationScheduleId(practiceId)).delete().catch(() => undefined);
  await h?.close();
});

const today = () => new Date().toISOString().slice(0, 10);
function previousBusinessDay(date: string) {
  let d = addCalendarDays(date, -1);
  while (!isBusinessDay(d)) d = addCalendarDays(d, -1);
  return d;
}

describe('daily reconciliation schedule', () => {
  it('CHG-2 flags a past appointment with no charge; POST-7 flags a deposit that differs from posted payments', async () => {
    const dos = addCalendarDays(today(), -10);
    const apptCharged = uniqueId('APPT');
    const apptMissing = uniqueId('APPT');
    const apptRecent = uniqueId('APPT');
    const base = { practice_id: practiceId, payer_id: 'MEDICARE', provider_npi: '1234567893', cpts: ['64483'], place_of_service: '24', status: 'verified', workflow_id: 'eligibility:none' };
    await h.db('appointments').insert([
      { ...base, appointment_id: apptCharged, patient_id: 'PT-1001', service_date: dos },
      { ...base, appointment_id: apptMissing, patient_id: 'PT-1002', service_date: dos },
      { ...base, appointment_id: apptRecent, patient_id: 'PT-1003', service_date: today() }, // still inside its charge day
    ]);
    // PT-1001's visit was charged.
    const claim = tfesiClaim(uniqueId('RECON'), { practiceId, serviceDate: dos });
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: claim });
    expect(res.statusCode, res.body).toBe(201);
    await eventually(() => h.db('claims').where({ claim_id: claim.claimId }).first(), 'claim row');

    // POST-7: yesterday's ERA paid $100.00 to this practice; the bank shows $90.00.
    const day = previousBusinessDay(today());
    const key = `MEDICARE:${uniqueId('TRN')}`;
    await h.db('remittances').insert({ remittance_key: key, payer_id: 'MEDICARE', trace_number: key, payment_date: day, adjudication_date: day, total_paid_cents: 10000, claim_count: 1, source: 'test', received_at: new Date().toISOString() });
    await h.db('payments').insert({ practice_id: claim.practiceId, claim_id: claim.claimId, remittance_key: key, claim_status_code: '1', charged_cents: 185000, paid_cents: 10000, patient_responsibility_cents: 0, payment_date: day, posted_at: new Date().toISOString() });
    const dep = await h.app.inject({ method: 'POST', url: '/api/deposits', headers: h.auth(), payload: { practiceId, depositDate: day, amountCents: 9000, reference: 'BANK-1' } });
    expect(dep.statusCode).toBe(201);

    expect(await ensureDailySchedules(h.client, h.db)).toContain(dailyReconciliationScheduleId(practiceId));
    expect(await ensureDailySchedules(h.client, h.db)).not.toContain(dailyReconciliationScheduleId(practiceId)); // idempotent
    const schedule = h.client.schedule.getHandle(dailyReconciliationScheduleId(practiceId));
    expect((await schedule.describe()).spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }] });
    await schedule.trigger();

    const missing = await eventually(async () => (await h.db('work_items').where({ kind: 'missing_charge', practice_id: practiceId }))[0], 'CHG-2 work item');
    expect(missing).toMatchObject({ rule_id: 'CHG-2', entity_id: apptMissing });
    expect(await h.db('work_items').where({ kind: 'missing_charge', practice_id: practiceId })).toHaveLength(1);
    const recon = await eventually(async () => (await h.db('work_items').where({ kind: 'reconciliation', practice_id: practiceId }))[0], 'POST-7 work item');
    expect(recon).toMatchObject({ rule_id: 'POST-7', due_date: addBusinessDays(day, 1), dollars_at_risk_cents: 1000 });
    expect(recon.detail).toMatchObject({ postedCents: 10000, depositedCents: 9000, differenceCents: 1000 });
  });
});
