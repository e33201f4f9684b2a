/**
 * Claim deadlines on the time-skipping test server: timely filing (SUB-4/AR-7), AR touches at
 * 15/30/60/90 days (AR-1…AR-6) and denial clocks (DEN-3…DEN-5, DEN-8). Time is skipped with
 * env.sleep; payer answers are delivered through the same ingestion service the API uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { advanceTo, CALENDAR_TODAYS, serverToday, startTimeSkipping, type TimeSkippingHarness } from '../test/time-skipping';
import { eventually, uniqueId } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { inject } from 'vitest';
import { TASK_QUEUE, claimStateQuery, claimWorkflowId, type ClaimWorkflowState } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';
import type { Remittance } from '../domain/remittance';
import { addBusinessDays, addCalendarDays } from '../domain/business-days';
import { buildApp } from '../api/app';
import { AesGcmCodec } from '../lib/codec';
import { parseEncryptionKeys } from '../lib/config';
import type { PayerBehaviour } from '../activities/gateway/simulator';

const DAY = 24 * 3600 * 1000;
let t: TimeSkippingHarness;
let app: FastifyInstance;
const tokens = () => inject('tokens');
const auth = (role: 'admin' | 'biller' | 'approver') => ({ authorization: `Bearer ${tokens()[role]}` });


async function nowOnServer(): Promise<string> {
  return new Date(await t.env.currentTimeMs()).toISOString();
}

async function start(claim: ClaimDocument, behaviour: PayerBehaviour = { kind: 'silence' }): Promise<WorkflowHandle> {
  t.simulator.behaveFor(claim.claimId, behaviour);
  return t.env.client.workflow.start('claimWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: claimWorkflowId(claim.practiceId, claim.claimId),
    args: [{ claim, enteredAt: await nowOnServer(), actor: 'test-biller' }],
  });
}
const query = (h: WorkflowHandle) => h.query(claimStateQuery);
async function until(h: WorkflowHandle, pred: (s: ClaimWorkflowState) => boolean, what: string) {
  let last: ClaimWorkflowState | undefined;
  return eventually(async () => {
    const s = (last = await query(h));
    return pred(s) ? s : undefined;
  }, what).catch((err: Error) => {
    throw new Error(`${err.message} (claim is ${last?.status ?? 'not answering'}${last?.history.length ? `: ${last.history[last.history.length - 1].note ?? ''}` : ''})`);
  });
}
const items = (claimId: string, kind?: string) => {
  const q = t.db('work_items').where({ entity_type: 'claim', entity_id: claimId });
  if (kind) q.where({ kind });
  return q.orderBy('id');
};

/** A remittance for `claim` as the simulated payer would answer, dated by the test. */
function remittance(claim: ClaimDocument, behaviour: PayerBehaviour, dates: { adjudicationDate: string; paymentDate?: string }): Remittance {
  const payment = { ...t.simulator.claimPayment(claim, claim.payerId, behaviour), payerClaimControlNumber: `ICN-${claim.claimId}` };
  return {
    payerId: claim.payerId,
    traceNumber: uniqueId('TRN'),
    totalPaidCents: payment.paidCents,
    paymentDate: dates.paymentDate ?? dates.adjudicationDate,
    adjudicationDate: dates.adjudicationDate,
    claims: [payment],
    providerAdjustments: [],
  };
}

/**
 * The fixture claim with its date of service five days before the server's today, for a patient
 * of its own (the scrub counts a patient's earlier ESIs in 12 months against the payer limit, AUTH-2).
 */
async function recentClaim(claimId: string, overrides: Partial<ClaimDocument> = {}): Promise<ClaimDocument> {
  const base = tfesiClaim(claimId);
  return tfesiClaim(claimId, { serviceDate: addCalendarDays(await serverToday(t.env), -5), patient: { ...base.patient, id: uniqueId('PT') }, ...overrides });
}

/** The due date of the claim's pending AR touch of `kind` (moved to a business day by the plan). */
/**
 * Skip time to an hour past the moment the claim's AR touch fires: the start of its due date where
 * the practice is (issue 13; the claim records that instant in its timer), not 00:00 UTC.
 */
async function sleepPastTouch(h: WorkflowHandle, kind: string): Promise<void> {
  const timer = (await query(h)).timers.find((x) => x.id === `ar:${kind}` && x.state === 'pending');
  if (!timer) throw new Error(`no ${kind} touch planned`);
  const ms = Date.parse(timer.at) + 3600_000 - (await t.env.currentTimeMs());
  if (ms > 0) await t.env.sleep(ms);
}

/** A $150 established-patient visit: low value, first AR touch at day 30. */
async function lowValueVisit(claimId: string): Promise<ClaimDocument> {
  return recentClaim(claimId, {
    placeOfService: '11',
    diagnoses: ['M54.50', 'G89.29'],
    lines: [{ cpt: '99213', units: 1, chargeCents: 15000, diagnosisPointers: [1, 2] }],
    documentation: { em: { newPatient: false, mdm: 'low', totalMinutes: 22 } },
  });
}

/** Every scenario at each calendar "today": the server's clock is advanced there first; all fixture dates follow it. */
describe.each(CALENDAR_TODAYS)('claim deadlines (time-skipping server) starting on $name', (calendarToday) => {
  beforeAll(async () => {
    t = await startTimeSkipping();
    await advanceTo(t.env, calendarToday);
    app = await buildApp({
      db: t.db,
      temporal: t.env.client,
      inbound: t.inbound,
      codec: new AesGcmCodec(parseEncryptionKeys(inject('encryptionKeys'))),
      config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' },
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('SUB-4 / AR-7: escalates 30 days before timely filing ends, then blocks submission once it has passed', async () => {
    await t.run(async () => {
      const today = (await nowOnServer()).slice(0, 10);
      const dos = addCalendarDays(today, -50); // COMMERCIAL: 90 days, so 40 days left at entry
      const claimId = uniqueId('TF');
      // CODE-1 error keeps the claim in correction while the clock runs.
      const claim = await recentClaim(claimId, { payerId: 'COMMERCIAL', serviceDate: dos });
      const h = await start({ ...claim, lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] });
      const s1 = await until(h, (s) => s.status === 'needs_correction', 'needs correction');
      expect(s1.timelyFilingDeadline).toBe(addCalendarDays(dos, 90));
      expect(s1.nextDeadline?.ruleId).toBe('SUB-4');
      expect(await items(claimId, 'timely_filing_escalation')).toHaveLength(0);

      await t.env.sleep(11 * DAY); // 29 days left
      const [escalation] = await eventually(async () => {
        const rows = await items(claimId, 'timely_filing_escalation');
        return rows.length ? rows : undefined;
      }, 'SUB-4 escalation');
      expect(escalation.rule_id).toBe('SUB-4');
      expect(escalation.due_date).toBe(addCalendarDays(dos, 90));

      await t.env.sleep(31 * DAY); // past the window
      const blocked = await until(h, (s) => s.status === 'timely_filing_expired', 'timely filing expired');
      expect(blocked.submissions).toHaveLength(0);
      expect((await items(claimId, 'write_off_review'))[0]?.rule_id).toBe('SUB-4');
      // A correction can no longer send it.
      const res = await app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/correct`, headers: auth('biller'), payload: { claim, reason: 'fix code' } });
      expect(res.statusCode).toBe(409);
      expect((await query(h)).submissions).toHaveLength(0);
    });
  });

  it('SUB-4: a rejected claim is not filed: the window still closes on it and blocks a late resubmission', async () => {
    await t.run(async () => {
      const today = (await nowOnServer()).slice(0, 10);
      const dos = addCalendarDays(today, -355); // MEDICARE: 365 days, 10 left
      const claimId = uniqueId('TFREJ');
      const h = await start(await recentClaim(claimId, { serviceDate: dos }), { kind: 'reject', reason: 'A7:562 entity identifier invalid' });
      await until(h, (s) => s.status === 'rejected', 'rejected');
      await t.env.sleep(12 * DAY);
      const blocked = await until(h, (s) => s.status === 'timely_filing_expired', 'blocked after the window');
      expect(blocked.submissions).toHaveLength(1);
      expect((await items(claimId, 'write_off_review'))[0]?.rule_id).toBe('SUB-4');
    });
  });

  it('CRED-7: a claim held for days keeps one hold work item (no daily duplicates)', async () => {
    await t.run(async () => {
      const npi = '1765432103';
      await t.db('credentials')
        .insert([
          { npi, kind: 'license', payer_id: '', status: 'active', effective_date: '2020-01-01', expiry_date: addCalendarDays(await serverToday(t.env), 3650) },
          { npi, kind: 'enrollment', payer_id: 'MEDICARE', status: 'pending' },
        ])
        .onConflict(['npi', 'kind', 'payer_id'])
        .merge();
      const claimId = uniqueId('HELD');
      const h = await start(await recentClaim(claimId, { renderingNpi: npi }));
      await until(h, (s) => s.status === 'held', 'held');
      await t.env.sleep(4 * DAY + 3600_000);
      await eventually(async () => ((await query(h)).history.filter((x) => x.note?.startsWith('CHG-3') || x.status === 'held').length >= 1 ? true : undefined), 'held history');
      expect(await items(claimId, 'credential_hold')).toHaveLength(1);
      expect((await query(h)).history.filter((x) => x.status === 'held')).toHaveLength(1);
    });
  });

  it('AR-2: a high-value claim gets active payer contact at day 15; a low-value one is first touched at day 30 (AR-3 276)', async () => {
    await t.run(async () => {
      const high = uniqueId('HI');
      const low = uniqueId('LO');
      const hh = await start(await recentClaim(high));
      const hl = await start(await lowValueVisit(low));
      await until(hh, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'high submitted');
      await until(hl, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'low submitted');

      // Day 15, or the next business day when it falls on a weekend or a federal holiday.
      await sleepPastTouch(hh, 'active_payer_contact');
      const [contact] = await eventually(async () => {
        const rows = await items(high, 'active_payer_contact');
        return rows.length ? rows : undefined;
      }, 'day-15 contact');
      expect(contact.rule_id).toBe('AR-2');
      expect(await items(low)).toHaveLength(0);
      expect((await query(hl)).arTouches[0]).toMatchObject({ kind: 'status_inquiry', state: 'pending' });

      await sleepPastTouch(hl, 'status_inquiry'); // day 30 or the next business day
      const lowState = await until(hl, (s) => s.arTouches.find((x) => x.kind === 'status_inquiry')?.state === 'done', 'day-30 status inquiry');
      expect(lowState.arTouches.find((x) => x.kind === 'status_inquiry')?.outcome).toMatchObject({ channel: 'edi_276', claimStatus: 'pending' });
      expect(lowState.history.some((x) => x.note?.startsWith('AR-3 day-30 276 status inquiry'))).toBe(true);
    });
  });

  it('AR-4 day-60 call needs the representative and reference; AR-5/AR-6 day-90 write-off refused for the requester, approved by another', async () => {
    await t.run(async () => {
      const claimId = uniqueId('AR');
      const h = await start(await lowValueVisit(claimId));
      await until(h, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'submitted');
      await sleepPastTouch(h, 'payer_call'); // day 60 or the next business day
      const [call] = await eventually(async () => {
        const rows = await items(claimId, 'payer_call');
        return rows.length ? rows : undefined;
      }, 'day-60 payer call');
      expect(call.rule_id).toBe('AR-4');
      const incomplete = await app.inject({ method: 'POST', url: `/api/work-items/${call.id}/complete`, headers: auth('biller'), payload: { outcome: { claimStatus: 'in_process', representativeName: 'Dana at the payer' } } });
      expect(incomplete.statusCode).toBe(422);
      expect(incomplete.json().missing).toContain('referenceNumber');
      const done = await app.inject({ method: 'POST', url: `/api/work-items/${call.id}/complete`, headers: auth('biller'), payload: { outcome: { claimStatus: 'in_process', representativeName: 'Dana at the payer', referenceNumber: 'REF-7781' } } });
      expect(done.statusCode, done.body).toBe(200);
      await until(h, (s) => s.arTouches.find((x) => x.kind === 'payer_call')?.state === 'done', 'call recorded');

      await sleepPastTouch(h, 'resolution_path'); // day 90 or the next business day
      const [resolution] = await eventually(async () => {
        const rows = await items(claimId, 'resolution_path');
        return rows.length ? rows : undefined;
      }, 'day-90 resolution path');
      expect(resolution.rule_id).toBe('AR-5');
      const chosen = await app.inject({ method: 'POST', url: `/api/work-items/${resolution.id}/complete`, headers: auth('biller'), payload: { outcome: { resolution: 'write_off_analysis', rationale: 'payer has no record after three inquiries; below appeal cost' } } });
      expect(chosen.statusCode, chosen.body).toBe(200);

      const request = await app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/request-write-off`, headers: auth('biller'), payload: { amountCents: 15000, rationale: 'unrecoverable: see AR-5 analysis' } });
      expect(request.statusCode, request.body).toBe(200);
      const self = await app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/approve-write-off`, headers: auth('biller'), payload: { recoveryReview: 'looked again' } });
      expect(self.statusCode).toBe(409);
      expect(self.json().message).toMatch(/other than the requester|may not approve/);
      const approved = await app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/approve-write-off`, headers: auth('approver'), payload: { recoveryReview: 'no secondary, no appeal basis, patient not liable' } });
      expect(approved.statusCode, approved.body).toBe(200);
      const closed = await until(h, (s) => s.status === 'closed', 'written off');
      expect(closed.writeOff).toMatchObject({ requestedBy: 'test-biller', approvedBy: 'test-approver' });
    });
  });

  it('AR-1: a payer answer on day 20 cancels the later touches', async () => {
    await t.run(async () => {
      const claim = await recentClaim(uniqueId('D20'));
      const h = await start(claim);
      await until(h, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'submitted');
      await t.env.sleep(20 * DAY);
      const day20 = (await nowOnServer()).slice(0, 10);
      await t.inbound.ingestRemittance(remittance(claim, { kind: 'pay' }, { adjudicationDate: day20 }), 'test');
      const closed = await until(h, (s) => s.status === 'closed', 'paid and closed');
      expect(closed.arTouches.filter((x) => x.kind !== 'active_payer_contact').every((x) => x.state === 'cancelled')).toBe(true);
      await t.env.sleep(80 * DAY);
      expect((await items(claim.claimId)).filter((w) => ['status_inquiry', 'payer_call', 'resolution_path'].includes(w.kind))).toHaveLength(0);
      expect((await items(claim.claimId, 'active_payer_contact'))[0]?.status).toBe('closed'); // closed with the reason
    });
  });

  it('DEN-3: a soft denial (CO-16) gets a correction due in 5 business days; the corrected claim goes as frequency 7 and is paid', async () => {
    await t.run(async () => {
      const claim = await recentClaim(uniqueId('SOFT'));
      const h = await start(claim);
      await until(h, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'submitted');
      await t.env.sleep(3 * DAY);
      const denialDate = (await nowOnServer()).slice(0, 10);
      await t.inbound.ingestRemittance(remittance(claim, { kind: 'deny', carc: '16', rarc: 'M51' }, { adjudicationDate: denialDate }), 'test');
      const denied = await until(h, (s) => s.status === 'denied', 'denied');
      expect(denied.denial).toMatchObject({ category: 'soft', carc: '16', correctionDue: addBusinessDays(denialDate, 5) });
      // The status changes first; the DEN-3 work item follows in the same workflow step: wait for it.
      const [fix] = await eventually(async () => {
        const rows = await items(claim.claimId, 'denial_correction');
        return rows.length ? rows : undefined;
      }, 'DEN-3 correction work item');
      expect(fix).toMatchObject({ rule_id: 'DEN-3', due_date: addBusinessDays(denialDate, 5) });
      const denialRow = await t.db('denials').where({ claim_id: claim.claimId }).first();
      expect(denialRow).toMatchObject({ carc: '16', category: 'soft', denial_date: denialDate, rarcs: ['M51'] });

      t.simulator.behaveFor(claim.claimId, { kind: 'pay' });
      const corrected = { ...claim, diagnoses: ['M54.16', 'M51.16', 'M48.062'] };
      const res = await app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/correct`, headers: auth('biller'), payload: { claim: corrected, reason: 'added the missing diagnosis (M51)' } });
      expect(res.statusCode, res.body).toBe(200);
      const closed = await until(h, (s) => s.status === 'closed', 'paid after correction');
      expect(closed.submissions.map((x) => x.frequencyCode)).toEqual(['1', '7']);
    });
  });

  it('DEN-4/DEN-5/DEN-8: a medical-necessity denial dated before the ERA arrived: deadlines from the denial date, P2P the same business day, never resubmitted unchanged; appeal won and paid', async () => {
    await t.run(async () => {
      const claim = await recentClaim(uniqueId('HARD'));
      const h = await start(claim);
      await until(h, (s) => s.status === 'submitted' && s.arTouches.length > 0, 'submitted');
      await t.env.sleep(25 * DAY);
      const received = (await nowOnServer()).slice(0, 10);
      const denialDate = addCalendarDays(received, -20); // the payer denied 20 days before we got the ERA
      await t.inbound.ingestRemittance(remittance(claim, { kind: 'deny', carc: '50', rarc: 'N115' }, { adjudicationDate: denialDate, paymentDate: received }), 'test');
      const denied = await until(h, (s) => s.status === 'denied', 'denied');
      expect(denied.denial).toMatchObject({
        category: 'hard',
        kind: 'medical_necessity',
        denialDate,
        internalAppealDue: addCalendarDays(denialDate, 30),
        payerAppealDeadline: addCalendarDays(denialDate, 120), // Medicare: 120 days from the denial date
      });
      const p2p = await eventually(async () => (await items(claim.claimId, 'peer_to_peer'))[0], 'P2P work item');
      expect(p2p).toMatchObject({ rule_id: 'DEN-5', due_date: addBusinessDays(denialDate, 0) });
      const [appealItem] = await items(claim.claimId, 'appeal');
      expect(appealItem.due_date).toBe(addCalendarDays(denialDate, 30));

      const unchanged = await app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/correct`, headers: auth('biller'), payload: { claim, reason: 'try again' } });
      expect(unchanged.statusCode).toBe(409);
      expect(unchanged.json().message).toContain('DEN-8');

      const appealed = await app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/submit-appeal`, headers: auth('biller'), payload: { appealReference: 'APL-2026-0042', note: 'imaging and 6 weeks PT attached' } });
      expect(appealed.statusCode, appealed.body).toBe(200);
      // Appealed, and the payer's answer to the appeal is followed up (AR-5 timer; set right after the status).
      const appealedState = await until(h, (s) => s.status === 'appealed' && s.nextDeadline?.ruleId === 'AR-5', 'appealed with its follow-up deadline');
      expect(appealedState.nextDeadline?.label).toContain('APL-2026-0042');
      await t.env.sleep(46 * DAY);
      const overdue = await eventually(async () => (await items(claim.claimId, 'payment_overdue'))[0], 'appeal follow-up work item');
      expect(overdue.rule_id).toBe('AR-5');
      expect(overdue.title).toContain('appeal');
      const won = (await nowOnServer()).slice(0, 10);
      await t.inbound.ingestRemittance(remittance(claim, { kind: 'pay' }, { adjudicationDate: won }), 'test');
      const closed = await until(h, (s) => s.status === 'closed', 'paid on appeal');
      expect(closed.paidCents).toBeGreaterThan(0);
      expect((await items(claim.claimId, 'denial_escalation'))).toHaveLength(0);
    });
  });
});
