/**
 * priorAuthorizationWorkflow on the time-skipping server (AUTH-1…8): what staff notice — status in
 * the read model the claim scrub reads, work items with rule id and due date, linked workflows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TASK_QUEUE } from '../contracts/claim';
import {
  authorizationStateQuery,
  authorizationWorkflowId,
  documentTrialResultsUpdate,
  payerAuthResponseSignal,
  recordPeerToPeerUpdate,
  recordVisitUpdate,
  updatePackageUpdate,
  type AuthorizationRequest,
  type AuthWorkflowInput,
  type AuthWorkflowState,
} from '../contracts/authorization';
import { addBusinessDays, addCalendarDays } from '../domain/business-days';
import type { AuthPackage } from '../domain/authorization';
import { loadScrubContext } from '../activities/submission';
import { tfesiClaim } from '../test/fixtures';
import { uniqueId } from '../test/harness';
import { endOfDateIn } from '../lib/time-zone';
import { startEligAuthTimeSkipping, waitFor, type EligAuthTimeSkipping } from '../test/eligibility-auth-harness';
import type { priorAuthorizationWorkflow } from './authorization';

const DAY = 86_400_000;
let h: EligAuthTimeSkipping;
beforeAll(async () => {
  h = await startEligAuthTimeSkipping();
});
afterAll(async () => h?.close());

const esiPackage: AuthPackage = {
  diagnoses: ['M54.16'],
  imagingFindings: 'MRI: L4-L5 foraminal stenosis',
  conservativeCare: { weeks: 8, modalities: ['physical therapy', 'NSAIDs'], failed: true },
  functionalImpairment: 'cannot walk more than one block',
};
const mbb = (date: string, reliefPercent: number) => ({ date, reliefPercent, reliefHours: 6 });

async function request(over: Partial<AuthorizationRequest>): Promise<AuthorizationRequest> {
  const today = await h.today();
  return {
    authId: uniqueId('AUTH'),
    practiceId: 'demo-pain',
    payerId: 'COMMERCIAL',
    patientId: uniqueId('PT'),
    providerNpi: '1234567893',
    family: 'esi',
    cpts: ['64483'],
    region: 'lumbar',
    approach: 'transforaminal',
    levels: ['L4-L5'],
    laterality: 'bilateral',
    validFrom: today,
    validTo: addCalendarDays(today, 90),
    visitsRequested: 2,
    package: esiPackage,
    ...over,
  };
}

async function start(req: AuthorizationRequest, extra: Partial<AuthWorkflowInput> = {}): Promise<WorkflowHandle<typeof priorAuthorizationWorkflow>> {
  return h.env.client.workflow.start('priorAuthorizationWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: authorizationWorkflowId(req.authId),
    args: [{ request: req, actor: 'test', origin: 'api', ...extra } satisfies AuthWorkflowInput],
  });
}

const stateOf = (authId: string) => h.env.client.workflow.getHandle(authorizationWorkflowId(authId)).query(authorizationStateQuery);
const untilStatus = (authId: string, ...statuses: string[]) =>
  waitFor(async () => {
    const s = await stateOf(authId).catch(() => undefined);
    return s && statuses.includes(s.status) ? s : undefined;
  }, `auth ${authId} ${statuses.join('/')}`);

describe('priorAuthorizationWorkflow (time-skipping)', () => {
  it('AUTH-1 AUTH-3 AUTH-8 ESI auth approved and used: read model for the scrub, visits counted, a visit outside the window refused', async () => {
    const req = await request({});
    const handle = await start(req);
    const approved = await untilStatus(req.authId, 'approved');
    expect(approved.authNumber).toMatch(/^SIM/);
    const row = await waitFor(async () => {
      const r = await h.db('authorizations').where({ auth_id: req.authId }).first();
      return r?.status === 'approved' ? r : undefined;
    }, 'approved row');
    expect(row).toMatchObject({ status: 'approved', auth_number: approved.authNumber, region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], valid_from: req.validFrom, valid_to: req.validTo, visits_authorized: 2 });

    const dos = addCalendarDays(req.validFrom, 10);
    const used = await handle.executeUpdate(recordVisitUpdate, { args: [{ serviceDate: dos, actor: 'biller' }] });
    expect(used.visitsUsed).toBe(1);
    await expect(handle.executeUpdate(recordVisitUpdate, { args: [{ serviceDate: addCalendarDays(req.validTo, 1) }] })).rejects.toThrow(WorkflowUpdateFailedError);
    const refused = await handle.executeUpdate(recordVisitUpdate, { args: [{ serviceDate: addCalendarDays(req.validTo, 1) }] }).catch((e: WorkflowUpdateFailedError) => e.cause?.message);
    expect(refused).toContain('AUTH-8');
    expect((await h.db('authorizations').where({ auth_id: req.authId }).first()).visits_used).toBe(1);

    // The claim scrub reads what the workflow recorded (AUTH-3 / AUTH-8 at claim time).
    const claim = tfesiClaim(uniqueId('CLM'), { payerId: 'COMMERCIAL', serviceDate: dos, priorAuthNumber: approved.authNumber });
    const ctx = await loadScrubContext(h.db, claim, dos);
    expect(ctx.authorization).toMatchObject({ number: approved.authNumber, levels: ['L4-L5'], approach: 'transforaminal', validFrom: req.validFrom, validTo: req.validTo });
  });

  it('AUTH-7 auth expiring → renewal started 21 days before expiry, linked to the expiring one', async () => {
    const today = await h.today();
    const req = await request({ validFrom: today, validTo: addCalendarDays(today, 40) });
    await start(req);
    await untilStatus(req.authId, 'approved');
    const renewOn = addCalendarDays(req.validTo, -21);
    await h.env.sleep((19 - 1) * DAY); // before the renewal day: nothing yet
    expect((await stateOf(req.authId)).renewal).toBeUndefined();
    await h.env.sleep(2 * DAY + 3_600_000);
    const s = await waitFor(async () => (await stateOf(req.authId)).renewal && stateOf(req.authId), 'renewal');
    expect(s.renewal).toEqual({ authId: `${req.authId}-R`, startedOn: renewOn });
    expect(s.nextDeadline).toMatchObject({ ruleId: 'AUTH-7' });
    const renewal = await untilStatus(`${req.authId}-R`, 'approved');
    expect(renewal).toMatchObject({ linkedAuthId: req.authId, requestedFrom: addCalendarDays(req.validTo, 1) });
    const row = await h.db('authorizations').where({ auth_id: `${req.authId}-R` }).first();
    expect(row.linked_auth_id).toBe(req.authId);
  });

  it('AUTH-4 RFA refused without the second MBB: not submitted, work item; submitted once the second note is added', async () => {
    const today = await h.today();
    const req = await request({ payerId: 'MEDICARE_ADVANTAGE', family: 'rfa', cpts: ['64635'], approach: undefined, levels: ['L4-L5'], package: { diagnoses: ['M47.816'], functionalImpairment: 'axial pain limits standing', mbbNotes: [mbb(addCalendarDays(today, -40), 85)] } });
    const handle = await start(req);
    const s = await untilStatus(req.authId, 'incomplete');
    expect(s.missing).toEqual([expect.objectContaining({ ruleId: 'AUTH-4', field: 'package.mbbNotes' })]);
    expect(await h.db('authorization_requests').where({ auth_id: req.authId })).toHaveLength(0);
    const wi = await h.db('work_items').where({ entity_type: 'authorization', entity_id: req.authId, status: 'open' }).first();
    expect(wi).toMatchObject({ rule_id: 'AUTH-4', kind: 'auth_package_incomplete', due_date: addBusinessDays(today, 1) });

    const after = await handle.executeUpdate(updatePackageUpdate, { args: [{ package: { ...req.package, mbbNotes: [mbb(addCalendarDays(today, -40), 85), mbb(addCalendarDays(today, -20), 90)] } }] });
    expect(after.status).toBe('approved');
    expect(await h.db('authorization_requests').where({ auth_id: req.authId })).toHaveLength(1);
  });

  it('AUTH-4 MBB relief 70% refused under an 80% payer and accepted under a 50% payer', async () => {
    const today = await h.today();
    const notes = [mbb(addCalendarDays(today, -40), 70), mbb(addCalendarDays(today, -20), 70)];
    const pkg = { diagnoses: ['M47.816'], functionalImpairment: 'axial pain', mbbNotes: notes };
    const strict = await request({ payerId: 'MEDICARE_ADVANTAGE', family: 'rfa', cpts: ['64635'], approach: undefined, package: pkg });
    const lenient = await request({ payerId: 'COMMERCIAL', family: 'rfa', cpts: ['64635'], approach: undefined, package: pkg });
    await start(strict);
    await start(lenient);
    const refused = await untilStatus(strict.authId, 'incomplete');
    expect(refused.missing.map((f) => f.field)).toEqual(['package.mbbNotes.0.reliefPercent', 'package.mbbNotes.1.reliefPercent']);
    expect(refused.missing[0].message).toContain('80%');
    await untilStatus(lenient.authId, 'approved');
  });

  it('AUTH-5 medical-necessity denial → peer-to-peer work item due the same business day; overturned → approved', async () => {
    const req = await request({});
    h.sim.forAuthorization(req.authId, [{ decision: 'denied', denialReason: 'medical_necessity' }]);
    const handle = await start(req);
    const s = await untilStatus(req.authId, 'peer_to_peer');
    const today = await h.today();
    expect(s.peerToPeer?.dueDate).toBe(addBusinessDays(today, 0));
    const wi = await h.db('work_items').where({ entity_type: 'authorization', entity_id: req.authId, kind: 'peer_to_peer' }).first();
    expect(wi).toMatchObject({ rule_id: 'AUTH-5', due_date: addBusinessDays(today, 0), status: 'open' });
    expect(wi.title).not.toContain(req.patientId);
    const after = await handle.executeUpdate(recordPeerToPeerUpdate, { args: [{ outcome: 'overturned', authNumber: 'P2P-123' }] });
    expect(after).toMatchObject({ status: 'approved', authNumber: 'P2P-123' });
    expect((await h.db('work_items').where({ id: wi.id }).first()).status).toBe('closed');
  });

  it('pended → follow-up inquiry on its timer → approved', async () => {
    const req = await request({});
    h.sim.forAuthorization(req.authId, [{ decision: 'pended' }, { decision: 'approved', authNumber: 'LATE-1' }]);
    await start(req);
    const pended = await untilStatus(req.authId, 'pended');
    expect(pended.followUpOn).toBe(addBusinessDays(await h.today(), 2));
    // Sleep until just past the follow-up's instant (the start of that date in the practice zone), not a
    // fixed number of days: two business days can span a holiday weekend (Dec 23 → Dec 28 over
    // Christmas) and the zone puts the instant hours past 00:00 UTC.
    expect(pended.nextDeadline).toMatchObject({ ruleId: 'AUTH-5', label: 'pended authorization follow-up' });
    await h.env.sleep(Date.parse(pended.nextDeadline!.at) - (await h.env.currentTimeMs()) + 3_600_000);
    const s = await untilStatus(req.authId, 'approved');
    expect(s.authNumber).toBe('LATE-1');
    expect(await h.db('authorization_requests').where({ auth_id: req.authId, kind: 'status' })).toHaveLength(1);
  });

  it('AUTH-6 SCS trial results documented → permanent authorization workflow started at once, linked both ways', async () => {
    const today = await h.today();
    const req = await request({ family: 'scs_trial', cpts: ['63650'], approach: undefined, levels: [], region: 'thoracic', laterality: 'midline', package: { diagnoses: ['G89.4'], functionalImpairment: 'unable to work', psychologicalEvaluation: true } });
    const handle = await start(req);
    await untilStatus(req.authId, 'approved');
    const after = await handle.executeUpdate(documentTrialResultsUpdate, { args: [{ documentedOn: today, reliefPercent: 65, functionalImprovement: 'walks 1 mile' }] });
    expect(after.permanentAuthId).toBe(`${req.authId}-PERM`);
    const permanent = await untilStatus(`${req.authId}-PERM`, 'approved', 'submitted', 'incomplete');
    expect(permanent).toMatchObject({ family: 'scs_permanent', linkedAuthId: req.authId });
    expect(permanent.package.trialResults).toMatchObject({ reliefPercent: 65 });
    await untilStatus(`${req.authId}-PERM`, 'approved');
    expect((await h.db('authorizations').where({ auth_id: req.authId }).first()).linked_auth_id).toBe(`${req.authId}-PERM`);
    await expect(handle.executeUpdate(documentTrialResultsUpdate, { args: [{ documentedOn: today, reliefPercent: 65 }] })).rejects.toThrow(WorkflowUpdateFailedError);
  });

  it('a payer answer for an unknown request is parked and the workflow carries on', async () => {
    const req = await request({});
    await start(req);
    await untilStatus(req.authId, 'approved');
    await h.env.client.workflow.getHandle(authorizationWorkflowId(req.authId)).signal(payerAuthResponseSignal, { requestId: 'NOT-OURS-1', authId: req.authId, payerId: 'COMMERCIAL', decision: 'denied', denialReason: 'administrative', decidedOn: await h.today(), raw: '' });
    const s = await waitFor(async () => {
      const st = await stateOf(req.authId);
      return st.parkedResponses.length ? st : undefined;
    }, 'parked');
    expect(s.status).toBe('approved');
    // The workflow records the answer in its state first; the parked row follows from an activity.
    const parked = await waitFor(async () => {
      const rows = await h.db('parked_payer_responses').where({ request_id: 'NOT-OURS-1' });
      return rows.length ? rows : undefined;
    }, 'parked_payer_responses row');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ kind: '278', payer_id: 'COMMERCIAL' });
    // Carries on: still takes actions after the stray answer.
    const after = await h.env.client.workflow.getHandle(authorizationWorkflowId(req.authId)).executeUpdate(recordVisitUpdate, { args: [{ serviceDate: addCalendarDays(req.validFrom, 1) }] });
    expect(after).toMatchObject({ status: 'approved', visitsUsed: 1 });
  });

  it('continue-as-new keeps state intact (low history threshold)', async () => {
    const req = await request({ visitsRequested: 10 });
    const handle = await start(req, { continueAsNewAfterEvents: 70 });
    const approved = await untilStatus(req.authId, 'approved');
    // AUTH-7: the renewal timer is planned with the approval (never 'approved' without a deadline).
    // Due on the renewal date: the end of that date where the practice is (issue 13).
    const { time_zone: timeZone } = await h.db('practices').where({ id: req.practiceId }).first('time_zone');
    const renewalDeadline = { ruleId: 'AUTH-7', at: endOfDateIn(addCalendarDays(req.validTo, -21), timeZone) };
    expect(approved.nextDeadline).toMatchObject(renewalDeadline);
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 2; i++) await handle.executeUpdate(recordVisitUpdate, { args: [{ serviceDate: addCalendarDays(req.validFrom, i + 1) }] });
    // Grow the history with payer answers nobody asked for (each is parked) until the run continues as new.
    let s: AuthWorkflowState | undefined;
    for (let i = 0; i < 30 && !(s && s.runs > 1); i++) {
      await handle.signal(payerAuthResponseSignal, { requestId: `STRAY-${i}`, authId: req.authId, payerId: 'COMMERCIAL', decision: 'approved', decidedOn: req.validFrom, raw: '' });
      s = await waitFor(async () => {
        const st = await stateOf(req.authId).catch(() => undefined);
        return st && (st.parkedResponses.length > i || st.runs > 1) ? st : undefined;
      }, 'stray answer handled');
    }
    expect(s!.runs).toBeGreaterThan(1);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(s).toMatchObject({ status: 'approved', authNumber: approved.authNumber, visitsUsed: 2, validFrom: req.validFrom, validTo: req.validTo, nextDeadline: renewalDeadline });
    expect(s!.visits.map((v) => v.serviceDate)).toEqual([1, 2].map((d) => addCalendarDays(req.validFrom, d)));
    expect(s!.parkedResponses.length).toBeGreaterThan(0);
    // The continued run still takes actions and keeps counting.
    const after = await handle.executeUpdate(recordVisitUpdate, { args: [{ serviceDate: addCalendarDays(req.validFrom, 3) }] });
    expect(after.visitsUsed).toBe(3);
    expect(after.visits.map((v) => v.serviceDate)).toEqual([1, 2, 3].map((d) => addCalendarDays(req.validFrom, d)));
  });
});
