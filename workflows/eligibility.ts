/**
 * eligibilityWorkflow: one per appointment (`eligibility:<appointmentId>`), from scheduling to the
 * date of service. ELIG-1: a 270/271 check 3 days and again 1 day before the date of service, and
 * again at once when the appointment moves; each check covers ELIG-2…ELIG-7 (evaluated in the
 * activity, recorded with the raw answer). Any failed check flags the appointment and opens a work
 * item before the DOS (ELIG-7). ELIG-5: when the payer needs a prior authorization and none covers
 * the appointment, the authorization workflow is started as an abandoned child workflow.
 *
 * Why a child and not a client start from an activity: the start is then part of this workflow's
 * history (exactly once, replay-safe, no Temporal client inside activities), and with
 * parentClosePolicy ABANDON the authorization outlives the appointment's workflow, as it must (it
 * is long-lived and may serve several appointments).
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  cancelAppointmentUpdate,
  eligibilityStateQuery,
  reverifyEligibilityUpdate,
  rescheduleAppointmentUpdate,
  type AppointmentStatus,
  type EligibilityWorkflowInput,
  type EligibilityWorkflowState,
  type CancelAppointmentInput,
  type RescheduleInput,
} from '../contracts/eligibility';
import { authorizationWorkflowId, REFUSAL, type AuthWorkflowInput } from '../contracts/authorization';
import { NextDeadline, PayerId, PracticeId, RcmKind, RcmStatus } from '../contracts/search-attributes';
import { DATABASE_ACTIVITY, PAYER_ACTIVITY } from '../contracts/activity-policies';
import { nextEligibilityCheck, scheduledFamily, scheduledRegion, type EligibilityCheckKind } from '../domain/eligibility';
import { addCalendarDays } from '../domain/business-days';
import { priorAuthorizationWorkflow } from './authorization';
import { deliverAndWait, emptyInbox, hasMessages, markApplied, take } from './inbox';
import { instantOf, practiceToday } from './deadlines';

// An outage delays an eligibility check, never fails it (contracts/activity-policies.ts).
const act = wf.proxyActivities<ReturnType<typeof createActivities>>(DATABASE_ACTIVITY);
/** 270/271 checks reach the payer. */
const payerAct = wf.proxyActivities<ReturnType<typeof createActivities>>(PAYER_ACTIVITY);

/** ELIG-5: the requested window of an authorization started for an appointment runs past the DOS. */
export const AUTH_WINDOW_DAYS_AFTER_DOS = 60;

type InboxMessage =
  | { kind: 'reschedule'; input: RescheduleInput; actor: string }
  | { kind: 'cancel'; input: CancelAppointmentInput; actor: string }
  | { kind: 'reverify'; actor: string };

const FINAL: AppointmentStatus[] = ['cancelled', 'completed'];
const today = (): string => new Date().toISOString().slice(0, 10); // workflow clock

function refuse(type: string, message: string): never {
  throw wf.ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function eligibilityWorkflow(input: EligibilityWorkflowInput): Promise<EligibilityWorkflowState> {
  const appointment = { ...input.appointment };
  const workflowId = wf.workflowInfo().workflowId;
  const state: EligibilityWorkflowState = input.carried
    ? { ...input.carried, runs: input.carried.runs + 1 }
    : {
        appointmentId: appointment.appointmentId,
        status: 'scheduled',
        serviceDate: appointment.serviceDate,
        cpts: appointment.cpts,
        checks: [],
        doneForDate: [],
        flags: [],
        authorization: appointment.authId ? { authId: appointment.authId, workflowId: authorizationWorkflowId(appointment.authId), startedByThisWorkflow: false } : undefined,
        recheckRequested: false,
        waitingFor: 'first eligibility check',
        history: [{ at: new Date().toISOString(), status: 'scheduled', actor: input.actor }],
        runs: 1,
      };
  appointment.serviceDate = state.serviceDate;
  appointment.cpts = state.cpts;
  const inbox = emptyInbox<InboxMessage>();

  wf.setHandler(eligibilityStateQuery, () => state);
  const enqueue = async (msg: InboxMessage): Promise<EligibilityWorkflowState> => {
    await deliverAndWait(inbox, msg);
    return state;
  };
  wf.setHandler(rescheduleAppointmentUpdate, (i) => enqueue({ kind: 'reschedule', input: i, actor: i.actor ?? 'staff' }), {
    validator: (i) => {
      if (FINAL.includes(state.status)) refuse(REFUSAL.invalidState, `the appointment is ${state.status}`);
      // The UTC date may be a day ahead of the practice's (evenings in the Americas): the API refuses
      // by the practice's date; here only a date past everywhere (validators are not replayed).
      if (i.serviceDate < addCalendarDays(today(), -1)) refuse(REFUSAL.ruleViolation, `the new date of service ${i.serviceDate} is in the past`);
    },
  });
  wf.setHandler(cancelAppointmentUpdate, (i) => enqueue({ kind: 'cancel', input: i, actor: i.actor ?? 'staff' }), {
    validator: (_i) => {
      if (FINAL.includes(state.status)) refuse(REFUSAL.invalidState, `the appointment is already ${state.status}`);
    },
  });
  wf.setHandler(reverifyEligibilityUpdate, (i) => enqueue({ kind: 'reverify', actor: i.actor ?? 'staff' }), {
    validator: (_i) => {
      if (FINAL.includes(state.status)) refuse(REFUSAL.invalidState, `the appointment is ${state.status}`);
    },
  });

  const publish = async (nextCheck?: { kind: EligibilityCheckKind; on: string }) => {
    // The check runs when its date begins where the practice is (recorded; before the patch 00:00 UTC).
    state.nextCheck = nextCheck ? { ruleId: 'ELIG-1', label: `${nextCheck.kind.replace('_', '-')} eligibility check`, at: await instantOf(appointment.practiceId, nextCheck.on, 'start') } : undefined;
    wf.upsertSearchAttributes([
      { key: RcmStatus, value: state.status },
      { key: NextDeadline, value: state.nextCheck ? new Date(state.nextCheck.at) : null },
    ] as never);
    wf.setCurrentDetails(`${state.status}: ${state.waitingFor}`);
    await act.updateAppointment({
      appointmentId: appointment.appointmentId,
      status: state.status,
      serviceDate: state.serviceDate,
      cpts: state.cpts,
      flags: state.flags,
      nextCheckOn: nextCheck?.on ?? null,
      nextCheckRule: nextCheck ? 'ELIG-1' : null,
      authId: state.authorization?.authId,
    });
  };

  const setStatus = (status: AppointmentStatus, actor: string, note?: string) => {
    state.status = status;
    state.history.push({ at: new Date().toISOString(), status, actor, note });
  };

  /** One 270/271 check (ELIG-1…7); ELIG-5 starts the authorization workflow when one is needed. */
  const runCheck = async (kind: EligibilityCheckKind, covers: EligibilityCheckKind[], actor: string) => {
    const seq = state.checks.length + 1;
    const on = today();
    state.waitingFor = `${kind} eligibility check`;
    const outcome = await payerAct.runEligibilityCheck({ workflowId, seq, kind, checkedOn: on, appointment: { ...appointment, serviceDate: state.serviceDate, cpts: state.cpts } });
    if (outcome.coveringAuthId && !state.authorization) {
      state.authorization = { authId: outcome.coveringAuthId, workflowId: authorizationWorkflowId(outcome.coveringAuthId), startedByThisWorkflow: false };
    }
    if (outcome.authNeeded && !state.authorization) await startAuthorization(outcome.authNeeded);
    // The check, its flags and the status change together (no await in between): a query never
    // sees the new check with the previous status.
    for (const k of covers) if (!state.doneForDate.includes(k)) state.doneForDate.push(k);
    state.checks.push({ seq, kind, on, serviceDate: state.serviceDate, result: outcome.result, findings: outcome.findings, coverageStatus: outcome.coverageStatus });
    state.flags = outcome.findings;
    setStatus(outcome.result, actor, outcome.findings.map((f) => f.ruleId).join(', ') || undefined);
  };

  const startAuthorization = async (needed: { family: AuthWorkflowInput['request']['family']; cpts: string[] }) => {
    const authId = `${appointment.appointmentId}-AUTH`;
    const fam = scheduledFamily(needed.cpts);
    const approach = appointment.approach ?? fam?.approach;
    const authInput: AuthWorkflowInput = {
      request: {
        authId,
        practiceId: appointment.practiceId,
        payerId: appointment.payerId,
        patientId: appointment.patientId,
        providerNpi: appointment.providerNpi,
        family: needed.family,
        cpts: needed.cpts,
        region: scheduledRegion({ ...appointment, serviceDate: state.serviceDate }) ?? 'lumbar',
        approach,
        levels: appointment.levels ?? [],
        laterality: appointment.laterality ?? (approach === 'interlaminar' || approach === 'caudal' ? 'midline' : 'bilateral'),
        validFrom: today(),
        validTo: addCalendarDays(state.serviceDate, AUTH_WINDOW_DAYS_AFTER_DOS),
        visitsRequested: 1,
        package: appointment.authPackage ?? { diagnoses: [] },
        appointmentId: appointment.appointmentId,
      },
      actor: 'system',
      origin: 'eligibility',
      continueAsNewAfterEvents: input.continueAsNewAfterEvents,
    };
    try {
      await wf.startChild(priorAuthorizationWorkflow, {
        workflowId: authorizationWorkflowId(authId),
        args: [authInput],
        parentClosePolicy: 'ABANDON',
        staticSummary: `Authorization ${authId} · ${needed.family} · ${appointment.payerId} (ELIG-5, appointment ${appointment.appointmentId})`,
      });
    } catch (err) {
      if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
    state.authorization = { authId, workflowId: authorizationWorkflowId(authId), startedByThisWorkflow: true };
  };

  const processMessage = async (m: InboxMessage & { seq: number }) => {
    if (m.kind === 'cancel') {
      state.waitingFor = 'nothing (cancelled)';
      setStatus('cancelled', m.actor, m.input.reason);
      await act.closeWorkItems({ entityType: 'appointment', entityId: appointment.appointmentId, reason: 'appointment cancelled' });
      await publish();
      return;
    }
    if (m.kind === 'reschedule') {
      // ELIG-1: the appointment moved: verify again now, and again 3 and 1 days before the new date.
      state.serviceDate = m.input.serviceDate;
      if (m.input.cpts) state.cpts = m.input.cpts;
      state.doneForDate = [];
      setStatus('scheduled', m.actor, `moved to ${state.serviceDate}`);
      const plan = nextEligibilityCheck(state.serviceDate, today(), []);
      await runCheck('rescheduled', plan && plan.on <= today() ? plan.covers : [], m.actor);
    } else {
      await runCheck('intake', [], m.actor);
    }
    await publish(plannedCheck());
  };

  const plannedCheck = (asOf = today()) => {
    const plan = nextEligibilityCheck(state.serviceDate, asOf, state.doneForDate);
    state.waitingFor = plan ? `ELIG-1 ${plan.kind.replace('_', '-')} check on ${plan.on}` : `the date of service ${state.serviceDate}`;
    return plan;
  };

  if (!input.carried) {
    wf.upsertSearchAttributes([
      { key: RcmKind, value: 'eligibility' },
      { key: RcmStatus, value: state.status },
      { key: PracticeId, value: appointment.practiceId },
      { key: PayerId, value: appointment.payerId },
    ]);
    await act.recordAppointment({ appointment, workflowId });
    await publish(plannedCheck());
  }

  const shouldContinueAsNew = () =>
    wf.workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && wf.workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  while (!FINAL.includes(state.status)) {
    const m = take(inbox);
    if (m) {
      await processMessage(m);
      markApplied(inbox, m.seq);
      continue;
    }
    if (shouldContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      if (hasMessages(inbox)) continue;
      await wf.continueAsNew<typeof eligibilityWorkflow>({ ...input, appointment: { ...appointment, serviceDate: state.serviceDate, cpts: state.cpts }, carried: state });
    }
    // A check is due when its date has begun where the practice is: from 00:00 UTC to local
    // midnight the UTC date is a day ahead in the Americas, and a check due today there would
    // wait for tomorrow's start (before the patch it did).
    const plan = wf.patched('eligibility-practice-today') ? plannedCheck(await practiceToday(appointment.practiceId)) : plannedCheck();
    // After the last check: wait for the day after the date of service, then the appointment is done.
    const wakeOn = plan ? plan.on : addCalendarDays(state.serviceDate, 1);
    const summary = plan ? `ELIG-1 re-verify ${plan.kind === '3_day' ? 3 : 1} day${plan.kind === '3_day' ? 's' : ''} before DOS` : 'ELIG-1 appointment day passes';
    const ms = Date.parse(await instantOf(appointment.practiceId, wakeOn, 'start')) - Date.now();
    if (ms > 0) {
      const woke = await wf.condition(() => hasMessages(inbox) || shouldContinueAsNew(), ms, { summary });
      if (woke) continue;
    }
    if (plan) {
      await runCheck(plan.kind, plan.covers, 'system');
      await publish(plannedCheck());
    } else {
      state.waitingFor = 'nothing (date of service passed)';
      setStatus('completed', 'system', state.flags.length ? `completed with flags ${state.flags.map((f) => f.ruleId).join(', ')}` : undefined);
      await publish();
    }
  }
  return state;
}
