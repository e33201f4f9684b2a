/**
 * priorAuthorizationWorkflow: one per authorization (`auth:<authId>`), from the package check to
 * expiry. AUTH-1/AUTH-4 package completeness (incomplete → not submitted, work item), AUTH-2
 * frequency, 278 submission and decision (pended → follow-up timers; medical-necessity denial →
 * peer-to-peer work item the same business day, AUTH-5), AUTH-6 SCS trial → permanent at once,
 * AUTH-7 renewal 21 days before expiry, AUTH-8 window and visit count.
 *
 * One serial processor: Signals and Updates put messages in an inbox and the main loop applies
 * them in order (Updates return once theirs is applied), so no two handlers interleave activity
 * calls. Long life: continue-as-new with plain-JSON state once all handlers have finished.
 * Deterministic: time from the workflow clock, side effects through activities.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  authorizationStateQuery,
  authorizationWorkflowId,
  cancelAuthorizationUpdate,
  documentTrialResultsUpdate,
  payerAuthResponseSignal,
  recordDecisionUpdate,
  recordPeerToPeerUpdate,
  recordVisitUpdate,
  REFUSAL,
  updatePackageUpdate,
  type AuthStatus,
  type AuthWorkflowInput,
  type AuthWorkflowState,
  type CancelAuthorizationInput,
  type DocumentTrialResultsInput,
  type RecordPeerToPeerInput,
  type RecordVisitInput,
  type UpdatePackageInput,
} from '../contracts/authorization';
import { NextDeadline, PayerId, PracticeId, RcmKind, RcmStatus } from '../contracts/search-attributes';
import { DATABASE_ACTIVITY, PAYER_ACTIVITY } from '../contracts/activity-policies';
import { peerToPeerDueDate, renewalStartDate, renewalWindow, windowAndVisitFindings } from '../domain/authorization';
import { addBusinessDays, addCalendarDays } from '../domain/business-days';
import type { AuthorizationResponse278 } from '../activities/gateway/eligibility-auth';

// An outage delays an authorization, never fails it (contracts/activity-policies.ts).
const act = wf.proxyActivities<ReturnType<typeof createActivities>>(DATABASE_ACTIVITY);
/** 278 requests and status inquiries reach the payer. */
const payerAct = wf.proxyActivities<ReturnType<typeof createActivities>>(PAYER_ACTIVITY);

/** Business days between follow-ups on a pended request. */
export const PENDED_FOLLOW_UP_BUSINESS_DAYS = 2;
/** SCS permanent implant: leads and generator (DOMAIN §2). */
export const SCS_PERMANENT_CPTS = ['63650', '63685'];
/** Requested window of a permanent SCS authorization started from a trial (days). */
export const SCS_PERMANENT_WINDOW_DAYS = 90;

type InboxMessage =
  | { kind: 'payer'; response: AuthorizationResponse278; source: 'signal' | 'staff'; actor: string }
  | { kind: 'package'; input: UpdatePackageInput; actor: string }
  | { kind: 'p2p'; input: RecordPeerToPeerInput; actor: string }
  | { kind: 'visit'; input: RecordVisitInput; actor: string }
  | { kind: 'trial'; input: DocumentTrialResultsInput; actor: string }
  | { kind: 'cancel'; input: CancelAuthorizationInput; actor: string };

const FINAL: AuthStatus[] = ['denied', 'expired', 'cancelled'];

const today = (): string => new Date().toISOString().slice(0, 10); // workflow clock
const startOfDay = (date: string): number => Date.parse(`${date}T00:00:00Z`);

function refuse(type: string, message: string): never {
  throw wf.ApplicationFailure.create({ type, message, nonRetryable: true });
}

function initialState(input: AuthWorkflowInput): AuthWorkflowState {
  const r = input.request;
  return {
    authId: r.authId,
    status: 'draft',
    family: r.family,
    payerId: r.payerId,
    practiceId: r.practiceId,
    cpts: r.cpts,
    region: r.region,
    approach: r.approach,
    levels: r.levels,
    laterality: r.laterality,
    requestedFrom: r.validFrom,
    requestedTo: r.validTo,
    visitsRequested: r.visitsRequested,
    package: r.package,
    packageVersion: 1,
    missing: [],
    visitsUsed: 0,
    visits: [],
    requestSeq: 0,
    linkedAuthId: r.linkedAuthId,
    waitingFor: 'package check',
    parkedResponses: [],
    history: [],
    runs: 1,
  };
}

export async function priorAuthorizationWorkflow(input: AuthWorkflowInput): Promise<AuthWorkflowState> {
  const r = input.request;
  const workflowId = wf.workflowInfo().workflowId;
  const state: AuthWorkflowState = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialState(input);
  const inbox: Array<InboxMessage & { seq: number }> = [];
  let received = 0;
  let applied = 0;

  wf.setHandler(authorizationStateQuery, () => state);

  const enqueue = async (msg: InboxMessage): Promise<AuthWorkflowState> => {
    const seq = ++received;
    inbox.push({ ...msg, seq });
    await wf.condition(() => applied >= seq);
    return state;
  };

  wf.setHandler(payerAuthResponseSignal, (response) => {
    inbox.push({ kind: 'payer', response, source: 'signal', actor: 'payer', seq: ++received });
  });

  wf.setHandler(updatePackageUpdate, (i) => enqueue({ kind: 'package', input: i, actor: i.actor ?? 'staff' }), {
    validator: (_i) => {
      if (state.status !== 'draft' && state.status !== 'incomplete') refuse(REFUSAL.invalidState, `the package can change only before submission; the authorization is ${state.status}`);
    },
  });
  wf.setHandler(
    recordDecisionUpdate,
    (i) => {
      const response: AuthorizationResponse278 = {
        requestId: state.pendingRequestId ?? `${state.authId}:staff`,
        authId: state.authId,
        payerId: state.payerId,
        decision: i.decision,
        decidedOn: i.decidedOn,
        raw: 'recorded by staff',
        ...(i.decision === 'approved' ? { authNumber: i.authNumber, validFrom: i.validFrom, validTo: i.validTo, visitsAuthorized: i.visitsAuthorized } : {}),
        ...(i.decision === 'denied' ? { denialReason: i.denialReason, reason: i.reason } : {}),
        ...(i.decision === 'pended' ? { reason: i.reason } : {}),
      };
      return enqueue({ kind: 'payer', response, source: 'staff', actor: i.actor ?? 'staff' });
    },
    {
      validator: (i) => {
        if (state.status !== 'submitted' && state.status !== 'pended') refuse(REFUSAL.invalidState, `no decision is awaited; the authorization is ${state.status}`);
        if (i.decision === 'approved' && i.validTo < i.validFrom) refuse(REFUSAL.ruleViolation, `AUTH-8: the window ends (${i.validTo}) before it starts (${i.validFrom})`);
      },
    },
  );
  wf.setHandler(recordPeerToPeerUpdate, (i) => enqueue({ kind: 'p2p', input: i, actor: i.actor ?? 'staff' }), {
    validator: (i) => {
      if (state.status !== 'peer_to_peer') refuse(REFUSAL.invalidState, `no peer-to-peer is open; the authorization is ${state.status}`);
      if (i.outcome === 'overturned' && !i.authNumber) refuse(REFUSAL.ruleViolation, 'an overturned denial needs the authorization number');
    },
  });
  wf.setHandler(recordVisitUpdate, (i) => enqueue({ kind: 'visit', input: i, actor: i.actor ?? 'staff' }), {
    validator: (i) => {
      if (state.status !== 'approved') refuse(REFUSAL.invalidState, `visits are recorded only on an approved authorization; it is ${state.status}`);
      const findings = windowAndVisitFindings(state, i.serviceDate);
      if (findings.length) refuse(REFUSAL.ruleViolation, findings.map((f) => `${f.ruleId}: ${f.message}`).join('; '));
    },
  });
  wf.setHandler(documentTrialResultsUpdate, (i) => enqueue({ kind: 'trial', input: i, actor: i.actor ?? 'staff' }), {
    validator: (_i) => {
      if (state.family !== 'scs_trial') refuse(REFUSAL.invalidState, 'trial results are documented on an SCS trial authorization');
      if (state.status !== 'approved') refuse(REFUSAL.invalidState, `the SCS trial authorization is ${state.status}, not approved`);
      if (state.permanentAuthId) refuse(REFUSAL.invalidState, `trial results are already documented; permanent authorization ${state.permanentAuthId} started`);
    },
  });
  wf.setHandler(cancelAuthorizationUpdate, (i) => enqueue({ kind: 'cancel', input: i, actor: i.actor ?? 'staff' }), {
    validator: (_i) => {
      if (FINAL.includes(state.status)) refuse(REFUSAL.invalidState, `the authorization is already ${state.status}`);
    },
  });

  // -------------------------------------------------------------------------------------------
  // Read model, search attributes, history

  const publish = async () => {
    wf.upsertSearchAttributes([
      { key: RcmStatus, value: state.status },
      { key: NextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline.at) : null },
    ] as never);
    wf.setCurrentDetails(`${state.status}: ${state.waitingFor}`);
    await act.upsertAuthorization({ state, patientId: r.patientId, workflowId, onDate: today() });
  };

  const transition = async (status: AuthStatus, actor: string, note?: string) => {
    const from = state.status;
    state.status = status;
    const at = new Date().toISOString();
    state.history.push({ at, status, actor, note });
    await act.recordAuthorizationEvent({ authId: state.authId, idempotencyKey: `${workflowId}:${state.runs}:${state.history.length}:${status}`, onDate: today(), actor, fromStatus: from, toStatus: status, detail: note ? { note } : {} });
  };

  const deadline = (ruleId: string, label: string, date: string) => {
    state.nextDeadline = { ruleId, label, at: new Date(startOfDay(date)).toISOString() };
  };

  // -------------------------------------------------------------------------------------------
  // Steps

  /** AUTH-1/2/4/6: check the package; submit when complete, else a work item and wait for a new one. */
  const checkAndSubmit = async (actor: string) => {
    const { findings, renewalLeadDays } = await act.checkAuthorizationPackage({ state, patientId: r.patientId });
    state.renewalLeadDays = renewalLeadDays;
    state.missing = findings;
    if (findings.length) {
      const rules = [...new Set(findings.map((f) => f.ruleId))];
      const due = addBusinessDays(today(), 1);
      state.waitingFor = `a complete package (${rules.join(', ')})`;
      deadline(rules[0], `${rules.join('/')} complete the package`, due);
      await act.openWorkItem({
        idempotencyKey: `${workflowId}:package:${state.packageVersion}`,
        practiceId: state.practiceId,
        kind: 'auth_package_incomplete',
        ruleId: rules[0],
        entityType: 'authorization',
        entityId: state.authId,
        workflowId,
        title: `${rules.join(', ')}: ${state.family} authorization ${state.authId} not submitted — ${findings.map((f) => f.message).join('; ')}`,
        detail: { findings },
        dueDate: due,
      });
      await transition('incomplete', actor, findings.map((f) => `${f.ruleId} ${f.message}`).join('; '));
      await publish();
      return;
    }
    await submit(actor);
  };

  const submit = async (actor: string) => {
    state.requestSeq += 1;
    const requestId = `${state.authId}:${state.runs}:${state.requestSeq}`;
    state.pendingRequestId = requestId;
    state.waitingFor = 'the payer decision (278)';
    state.nextDeadline = undefined;
    await transition('submitted', actor);
    await publish();
    const response = await payerAct.submitAuthorizationRequest({
      request: {
        requestId,
        authId: state.authId,
        payerId: state.payerId,
        practiceId: state.practiceId,
        providerNpi: r.providerNpi,
        patientId: r.patientId,
        family: state.family,
        cpts: state.cpts,
        region: state.region,
        approach: state.approach,
        levels: state.levels,
        laterality: state.laterality,
        requestedFrom: state.requestedFrom,
        requestedTo: state.requestedTo,
        visitsRequested: state.visitsRequested,
        submittedOn: today(),
      },
    });
    await applyPayerAnswer(response, 'payer');
  };

  const approve = async (a: { authNumber?: string; validFrom?: string; validTo?: string; visitsAuthorized?: number }, actor: string, note: string) => {
    state.authNumber = a.authNumber ?? state.authNumber;
    state.validFrom = a.validFrom ?? state.requestedFrom;
    state.validTo = a.validTo ?? state.requestedTo;
    state.visitsAuthorized = a.visitsAuthorized ?? state.visitsRequested;
    state.pendingRequestId = undefined;
    state.followUpOn = undefined;
    // Plan the next deadline before the status changes: a query never sees 'approved' without it.
    planApproved();
    await transition('approved', actor, note);
    await publish();
  };

  const applyPayerAnswer = async (res: AuthorizationResponse278, actor: string) => {
    if (res.requestId !== state.pendingRequestId || (state.status !== 'submitted' && state.status !== 'pended')) {
      // A payer answer for a request we are not waiting on: logged and parked, never applied.
      state.parkedResponses.push({ requestId: res.requestId, decision: res.decision, receivedAt: new Date().toISOString() });
      await act.parkPayerResponse({ kind: '278', payerId: res.payerId, requestId: res.requestId, reason: `no pending request ${res.requestId} on ${state.authId} (status ${state.status})`, body: res });
      return;
    }
    state.decision = { decision: res.decision, denialReason: res.denialReason, reason: res.reason, decidedOn: res.decidedOn };
    if (res.decision === 'approved') {
      await approve(res, actor, `approved ${res.authNumber ?? ''}`.trim());
    } else if (res.decision === 'pended') {
      state.followUpOn = addBusinessDays(today(), PENDED_FOLLOW_UP_BUSINESS_DAYS);
      state.waitingFor = `the payer decision; follow-up on ${state.followUpOn}`;
      deadline('AUTH-5', 'pended authorization follow-up', state.followUpOn);
      await transition('pended', actor, res.reason);
      await publish();
    } else if (res.denialReason === 'medical_necessity') {
      // AUTH-5: peer-to-peer requested the same business day as the denial, not after a written appeal.
      const due = peerToPeerDueDate(res.decidedOn);
      const wi = await act.openWorkItem({
        idempotencyKey: `${workflowId}:p2p:${res.requestId}`,
        practiceId: state.practiceId,
        kind: 'peer_to_peer',
        ruleId: 'AUTH-5',
        entityType: 'authorization',
        entityId: state.authId,
        workflowId,
        title: `AUTH-5: request a peer-to-peer today — ${state.family} authorization ${state.authId} denied for medical necessity`,
        detail: { denialDate: res.decidedOn, reason: res.reason },
        dueDate: due,
      });
      state.peerToPeer = { dueDate: due, workItemId: wi.id };
      state.pendingRequestId = undefined;
      state.waitingFor = `the peer-to-peer outcome (requested by ${due})`;
      deadline('AUTH-5', 'peer-to-peer request', due);
      await transition('peer_to_peer', actor, `denied for medical necessity on ${res.decidedOn}`);
      await publish();
    } else {
      const due = addBusinessDays(res.decidedOn, 1);
      await act.openWorkItem({
        idempotencyKey: `${workflowId}:denied:${res.requestId}`,
        practiceId: state.practiceId,
        kind: 'auth_denied',
        ruleId: 'AUTH-1',
        entityType: 'authorization',
        entityId: state.authId,
        workflowId,
        title: `Authorization ${state.authId} denied (${res.denialReason ?? 'unspecified'}): review and correct or appeal`,
        detail: { denialDate: res.decidedOn, reason: res.reason },
        dueDate: due,
      });
      state.pendingRequestId = undefined;
      state.nextDeadline = undefined;
      state.waitingFor = 'nothing (denied)';
      await transition('denied', actor, res.reason);
      await publish();
    }
  };

  /** AUTH-7 / expiry: the next timer of an approved authorization. */
  const planApproved = () => {
    if (!state.validTo) return;
    const renewOn = renewalStartDate(state.validTo, state.renewalLeadDays ?? 21);
    if (!state.renewal && renewOn > (state.validFrom ?? '')) {
      state.waitingFor = `AUTH-7 renewal on ${renewOn} (${state.renewalLeadDays ?? 21} days before expiry ${state.validTo})`;
      deadline('AUTH-7', 'renewal request starts', renewOn);
    } else {
      state.waitingFor = `expiry on ${state.validTo}`;
      deadline('AUTH-7', 'authorization expires', addCalendarDays(state.validTo, 1));
    }
  };

  const startRenewal = async () => {
    const renewalId = `${state.authId}-R`;
    const window = renewalWindow(state.validFrom ?? state.requestedFrom, state.validTo!);
    await startAuthorization({
      request: { ...r, authId: renewalId, validFrom: window.from, validTo: window.to, visitsRequested: state.visitsAuthorized ?? state.visitsRequested, package: state.package, linkedAuthId: state.authId, levels: state.levels, cpts: state.cpts },
      actor: 'system',
      origin: 'renewal',
      continueAsNewAfterEvents: input.continueAsNewAfterEvents,
    });
    state.renewal = { authId: renewalId, startedOn: today() };
    planApproved();
    await transition('approved', 'system', `AUTH-7 renewal ${renewalId} started ${state.renewalLeadDays ?? 21} days before expiry`);
    await publish();
  };

  const processMessage = async (m: InboxMessage) => {
    switch (m.kind) {
      case 'payer':
        await applyPayerAnswer(m.response, m.actor);
        return;
      case 'package':
        state.package = { ...state.package, ...m.input.package };
        state.packageVersion += 1;
        await checkAndSubmit(m.actor);
        return;
      case 'p2p':
        state.peerToPeer = { ...(state.peerToPeer ?? { dueDate: today() }), outcome: m.input.outcome };
        if (m.input.outcome === 'overturned') {
          await approve({ authNumber: m.input.authNumber, validFrom: m.input.validFrom, validTo: m.input.validTo, visitsAuthorized: m.input.visitsAuthorized }, m.actor, 'AUTH-5 denial overturned at peer-to-peer');
        } else {
          state.nextDeadline = undefined;
          state.waitingFor = 'nothing (denial upheld at peer-to-peer; written appeal is a separate task)';
          await transition('denied', m.actor, m.input.note ?? 'upheld at peer-to-peer');
          await publish();
        }
        await act.closeWorkItems({ entityType: 'authorization', entityId: state.authId, kinds: ['peer_to_peer'], reason: `peer-to-peer ${m.input.outcome}` });
        return;
      case 'visit':
        state.visits.push({ serviceDate: m.input.serviceDate, appointmentId: m.input.appointmentId, recordedAt: new Date().toISOString() });
        state.visitsUsed += 1;
        await publish();
        return;
      case 'trial': {
        // AUTH-6: the permanent implant authorization starts as soon as trial results are documented.
        state.trialResults = { documentedOn: m.input.documentedOn, reliefPercent: m.input.reliefPercent, functionalImprovement: m.input.functionalImprovement };
        const permanentId = `${state.authId}-PERM`;
        await startAuthorization({
          request: {
            ...r,
            authId: permanentId,
            family: 'scs_permanent',
            cpts: SCS_PERMANENT_CPTS,
            validFrom: m.input.documentedOn,
            validTo: addCalendarDays(m.input.documentedOn, SCS_PERMANENT_WINDOW_DAYS),
            visitsRequested: 1,
            package: { ...state.package, trialResults: state.trialResults },
            linkedAuthId: state.authId,
          },
          actor: m.actor,
          origin: 'scs_trial',
          continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        });
        state.permanentAuthId = permanentId;
        await transition('approved', m.actor, `AUTH-6 trial results documented; permanent authorization ${permanentId} started`);
        await publish();
        return;
      }
      case 'cancel':
        state.nextDeadline = undefined;
        state.waitingFor = 'nothing (cancelled)';
        await transition('cancelled', m.actor, m.input.reason);
        await publish();
        await act.closeWorkItems({ entityType: 'authorization', entityId: state.authId, reason: 'authorization cancelled' });
        return;
    }
  };

  // -------------------------------------------------------------------------------------------
  // Main loop

  if (!input.carried) {
    wf.upsertSearchAttributes([
      { key: RcmKind, value: 'authorization' },
      { key: RcmStatus, value: state.status },
      { key: PracticeId, value: state.practiceId },
      { key: PayerId, value: state.payerId },
    ]);
    state.history.push({ at: new Date().toISOString(), status: 'draft', actor: input.actor, note: `origin ${input.origin}` });
    await publish();
    await checkAndSubmit(input.actor);
  }

  const shouldContinueAsNew = () =>
    wf.workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && wf.workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  while (!FINAL.includes(state.status)) {
    if (inbox.length) {
      const m = inbox.shift()!;
      await processMessage(m);
      applied = m.seq;
      continue;
    }
    if (shouldContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      if (inbox.length) continue;
      await wf.continueAsNew<typeof priorAuthorizationWorkflow>({ ...input, carried: state });
    }

    const timer = nextTimer();
    if (!timer) {
      await wf.condition(() => inbox.length > 0 || shouldContinueAsNew());
      continue;
    }
    const ms = startOfDay(timer.on) - Date.now();
    if (ms > 0) {
      const woke = await wf.condition(() => inbox.length > 0 || shouldContinueAsNew(), ms, { summary: timer.summary });
      if (woke) continue;
    }
    await timer.fire();
  }
  return state;

  function nextTimer(): { on: string; summary: string; fire: () => Promise<void> } | undefined {
    if (state.status === 'pended' && state.followUpOn) {
      const on = state.followUpOn;
      return {
        on,
        summary: `AUTH pended: follow up with the payer on ${on}`,
        fire: async () => {
          const res = await payerAct.authorizationStatusInquiry({ authId: state.authId, requestId: state.pendingRequestId!, payerId: state.payerId, inquiryDate: today() });
          if (res.decision === 'pended') {
            state.followUpOn = addBusinessDays(today(), PENDED_FOLLOW_UP_BUSINESS_DAYS);
            state.waitingFor = `the payer decision; follow-up on ${state.followUpOn}`;
            deadline('AUTH-5', 'pended authorization follow-up', state.followUpOn);
            await publish();
          } else await applyPayerAnswer(res, 'payer');
        },
      };
    }
    if (state.status === 'approved' && state.validTo) {
      const renewOn = renewalStartDate(state.validTo, state.renewalLeadDays ?? 21);
      if (!state.renewal && renewOn > (state.validFrom ?? '')) {
        return { on: renewOn, summary: `AUTH-7 renewal ${state.renewalLeadDays ?? 21} days before expiry ${state.validTo}`, fire: startRenewal };
      }
      const expiresOn = addCalendarDays(state.validTo, 1);
      return {
        on: expiresOn,
        summary: `AUTH-7 authorization expires after ${state.validTo}`,
        fire: async () => {
          state.nextDeadline = undefined;
          state.waitingFor = 'nothing (expired)';
          await transition('expired', 'system', `window ended ${state.validTo}`);
          await publish();
        },
      };
    }
    return undefined;
  }
}

/** Start another authorization workflow as an abandoned child (it outlives this one); already running → fine. */
async function startAuthorization(input: AuthWorkflowInput): Promise<void> {
  const id = authorizationWorkflowId(input.request.authId);
  try {
    await wf.startChild(priorAuthorizationWorkflow, {
      workflowId: id,
      args: [input],
      parentClosePolicy: 'ABANDON',
      staticSummary: `Authorization ${input.request.authId} · ${input.request.family} · ${input.request.payerId} (${input.origin})`,
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
}
