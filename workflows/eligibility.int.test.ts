/**
 * eligibilityWorkflow on the time-skipping server (ELIG-1…7): checks on the right days with the
 * raw 271 stored, flags and work items before the date of service, ELIG-5 starting the
 * authorization workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../contracts/claim';
import { eligibilityStateQuery, eligibilityWorkflowId, type Appointment, type EligibilityWorkflowInput } from '../contracts/eligibility';
import { authorizationStateQuery, authorizationWorkflowId } from '../contracts/authorization';
import { addCalendarDays } from '../domain/business-days';
import { uniqueId } from '../test/harness';
import { tfesiAppointment } from '../test/fixtures';
import { insertPriorEsiClaims, startEligAuthTimeSkipping, waitFor, type EligAuthTimeSkipping } from '../test/eligibility-auth-harness';
import type { eligibilityWorkflow } from './eligibility';

let h: EligAuthTimeSkipping;
beforeAll(async () => {
  h = await startEligAuthTimeSkipping();
});
afterAll(async () => h?.close());

async function appointment(over: Partial<Appointment> = {}): Promise<Appointment> {
  return tfesiAppointment(uniqueId('APPT'), uniqueId('PT'), addCalendarDays(await h.today(), 10), over);
}

async function runToEnd(a: Appointment) {
  const handle = await h.env.client.workflow.start<typeof eligibilityWorkflow>('eligibilityWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: eligibilityWorkflowId(a.appointmentId),
    args: [{ appointment: a, actor: 'test' } satisfies EligibilityWorkflowInput],
  });
  return { handle, final: await handle.result() }; // time skips to the day after the DOS
}

describe('eligibilityWorkflow (time-skipping)', () => {
  // First, while no other workflow runs on this server: placed after the others, its env.sleep of
  // up to a day hung past the test timeout under load (time does not skip while work is in flight).
  it('ELIG-1 at 02:00 UTC, 20:00 the evening before in Chicago: a 3-day check due that day there runs at once, not when the UTC date begins there', async () => {
    const now = await h.env.currentTimeMs();
    const twoAm = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T02:00:00.000Z`);
    await h.env.sleep((twoAm > now ? twoAm : twoAm + 86_400_000) - now);
    const utcDate = await h.today();
    const chicagoDate = addCalendarDays(utcDate, -1); // UTC-6 or UTC-5: still the day before
    const a = await appointment({ serviceDate: addCalendarDays(chicagoDate, 3) });
    const handle = await h.env.client.workflow.start<typeof eligibilityWorkflow>('eligibilityWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: eligibilityWorkflowId(a.appointmentId),
      args: [{ appointment: a, actor: 'test' } satisfies EligibilityWorkflowInput],
    });
    // Polling a Query does not skip time: the check has to run without a timer.
    const s = await waitFor(async () => {
      const st = await handle.query(eligibilityStateQuery);
      return st.checks.length ? st : undefined;
    }, 'the 3-day check', 600);
    expect(s.checks[0]).toMatchObject({ kind: '3_day', result: 'verified' });
    expect(s.waitingFor).toBe(`ELIG-1 1-day check on ${addCalendarDays(a.serviceDate, -1)}`);
  });

  it('ELIG-1 verifies 3 days and again 1 day before the DOS and stores the raw 271', async () => {
    const a = await appointment();
    const { final } = await runToEnd(a);
    expect(final.checks.map((c) => [c.kind, c.on, c.result])).toEqual([
      ['3_day', addCalendarDays(a.serviceDate, -3), 'verified'],
      ['1_day', addCalendarDays(a.serviceDate, -1), 'verified'],
    ]);
    expect(final.status).toBe('completed');
    const rows = await h.db('eligibility_checks').where({ appointment_id: a.appointmentId }).orderBy('id');
    expect(rows).toHaveLength(2);
    expect(rows[0].raw_response).toContain('TRN*2*');
    expect(rows[0].raw_response).toContain('HC:64483');
  });

  it('ELIG-7 coverage terminated between the 3-day and the 1-day check → appointment flagged with a work item due before the DOS', async () => {
    const a = await appointment();
    h.sim.forPatient(a.patientId, { coverage: { status: 'terminated', terminationDate: addCalendarDays(a.serviceDate, -2), reportedFrom: addCalendarDays(a.serviceDate, -2) } });
    const { final } = await runToEnd(a);
    expect(final.checks.map((c) => c.result)).toEqual(['verified', 'flagged']);
    expect(final.checks[1].findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-7' })]);
    const row = await h.db('appointments').where({ appointment_id: a.appointmentId }).first();
    expect(row.flags).toEqual([expect.objectContaining({ ruleId: 'ELIG-7' })]);
    const wi = await h.db('work_items').where({ entity_type: 'appointment', entity_id: a.appointmentId, rule_id: 'ELIG-7' }).first();
    expect(wi).toMatchObject({ kind: 'coverage_inactive', status: 'open', due_date: addCalendarDays(a.serviceDate, -1) });
    expect(wi.due_date < a.serviceDate).toBe(true);
    expect(wi.title).not.toContain(a.patientId);
  });

  it('ELIG-4 fourth lumbar ESI in 12 months for a limit-3 payer is flagged', async () => {
    const today = await h.today();
    const a = await appointment({ payerId: 'COMMERCIAL' });
    await insertPriorEsiClaims(h.db, a.patientId, [addCalendarDays(today, -300), addCalendarDays(today, -200), addCalendarDays(today, -60)]);
    const handle = await h.env.client.workflow.start<typeof eligibilityWorkflow>('eligibilityWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: eligibilityWorkflowId(a.appointmentId),
      args: [{ appointment: a, actor: 'test' }],
    });
    await h.env.sleep(8 * 86_400_000); // past the 3-day check
    const s = await waitFor(async () => {
      const st = await handle.query(eligibilityStateQuery);
      return st.checks.length ? st : undefined;
    }, 'first check');
    expect(s.status).toBe('flagged');
    expect(s.flags.map((f) => f.ruleId)).toContain('ELIG-4');
    expect(s.flags.find((f) => f.ruleId === 'ELIG-4')?.message).toContain('session 4');
    const wi = await h.db('work_items').where({ entity_type: 'appointment', entity_id: a.appointmentId, rule_id: 'ELIG-4' }).first();
    expect(wi).toMatchObject({ status: 'open', due_date: addCalendarDays(a.serviceDate, -3) });
  });

  it('ELIG-5 auth required and none on file → authorization workflow started; once approved the 1-day check is clean', async () => {
    const a = await appointment({
      payerId: 'MEDICARE_ADVANTAGE',
      authPackage: { diagnoses: ['M54.16'], imagingFindings: 'MRI stenosis', conservativeCare: { weeks: 6, modalities: ['PT'], failed: true }, functionalImpairment: 'limited walking' },
    });
    const { final } = await runToEnd(a);
    expect(final.authorization).toMatchObject({ authId: `${a.appointmentId}-AUTH`, startedByThisWorkflow: true });
    expect(final.checks[0].findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-5' })]);
    expect(final.checks[1]).toMatchObject({ result: 'verified', findings: [] });
    const auth = await h.env.client.workflow.getHandle(authorizationWorkflowId(`${a.appointmentId}-AUTH`)).query(authorizationStateQuery);
    expect(auth).toMatchObject({ status: 'approved', family: 'esi', cpts: ['64483'] });
    expect((await h.db('appointments').where({ appointment_id: a.appointmentId }).first()).auth_id).toBe(`${a.appointmentId}-AUTH`);
  });

  it('ELIG-6 Medicare with another primary payer is flagged', async () => {
    const a = await appointment();
    h.sim.forPatient(a.patientId, { msp: { status: 'other_primary', otherPayerType: 'employer group health plan' } });
    const { final } = await runToEnd(a);
    expect(final.flags).toEqual([expect.objectContaining({ ruleId: 'ELIG-6' })]);
  });
});
