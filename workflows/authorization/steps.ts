/**
 * The authorization's steps: AUTH-1/2/4/6 package check and 278 submission, the payer's decision
 * (approved, pended → follow-up, medical-necessity denial → AUTH-5 peer-to-peer the same business
 * day, other denial), AUTH-7 renewal and expiry, AUTH-6 permanent SCS from a trial.
 */
import * as wf from '@temporalio/workflow';
import { authorizationWorkflowId, type AuthWorkflowInput } from '../../contracts/authorization';
import { peerToPeerDueDate, renewalStartDate, renewalWindow } from '../../domain/authorization';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import type { AuthorizationResponse278 } from '../../activities/gateway/eligibility-auth';
import type { priorAuthorizationWorkflow } from '../authorization';
import { act, deadline, payerAct, PENDED_FOLLOW_UP_BUSINESS_DAYS, publish, today, transition, type AuthRun } from './run';

/** AUTH-1/2/4/6: check the package; submit when complete, else a work item and wait for a new one. */
export async function checkAndSubmit(a: AuthRun, actor: string) {
  const { state, workflowId } = a;
  const { findings, renewalLeadDays } = await act.checkAuthorizationPackage({ state, patientId: a.input.request.patientId });
  state.renewalLeadDays = renewalLeadDays;
  state.missing = findings;
  if (findings.length) {
    const rules = [...new Set(findings.map((f) => f.ruleId))];
    const due = addBusinessDays(today(), 1);
    state.waitingFor = `a complete package (${rules.join(', ')})`;
    await deadline(a, rules[0], `${rules.join('/')} complete the package`, due);
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
    await transition(a, 'incomplete', actor, findings.map((f) => `${f.ruleId} ${f.message}`).join('; '));
    await publish(a);
    return;
  }
  await submit(a, actor);
}

async function submit(a: AuthRun, actor: string) {
  const { state } = a;
  const r = a.input.request;
  state.requestSeq += 1;
  const requestId = `${state.authId}:${state.runs}:${state.requestSeq}`;
  state.pendingRequestId = requestId;
  state.waitingFor = 'the payer decision (278)';
  state.nextDeadline = undefined;
  await transition(a, 'submitted', actor);
  await publish(a);
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
  await applyPayerAnswer(a, response, 'payer');
}

export async function approve(a: AuthRun, x: { authNumber?: string; validFrom?: string; validTo?: string; visitsAuthorized?: number }, actor: string, note: string) {
  const { state } = a;
  state.authNumber = x.authNumber ?? state.authNumber;
  state.validFrom = x.validFrom ?? state.requestedFrom;
  state.validTo = x.validTo ?? state.requestedTo;
  state.visitsAuthorized = x.visitsAuthorized ?? state.visitsRequested;
  state.pendingRequestId = undefined;
  state.followUpOn = undefined;
  // Plan the next deadline before the status changes: a query never sees 'approved' without it.
  await planApproved(a);
  await transition(a, 'approved', actor, note);
  await publish(a);
}

export async function applyPayerAnswer(a: AuthRun, res: AuthorizationResponse278, actor: string) {
  const { state, workflowId } = a;
  if (res.requestId !== state.pendingRequestId || (state.status !== 'submitted' && state.status !== 'pended')) {
    // A payer answer for a request we are not waiting on: logged and parked, never applied.
    state.parkedResponses.push({ requestId: res.requestId, decision: res.decision, receivedAt: new Date().toISOString() });
    await act.parkPayerResponse({ kind: '278', payerId: res.payerId, requestId: res.requestId, reason: `no pending request ${res.requestId} on ${state.authId} (status ${state.status})`, body: res });
    return;
  }
  state.decision = { decision: res.decision, denialReason: res.denialReason, reason: res.reason, decidedOn: res.decidedOn };
  if (res.decision === 'approved') {
    await approve(a, res, actor, `approved ${res.authNumber ?? ''}`.trim());
  } else if (res.decision === 'pended') {
    state.followUpOn = addBusinessDays(today(), PENDED_FOLLOW_UP_BUSINESS_DAYS);
    state.waitingFor = `the payer decision; follow-up on ${state.followUpOn}`;
    await deadline(a, 'AUTH-5', 'pended authorization follow-up', state.followUpOn);
    await transition(a, 'pended', actor, res.reason);
    await publish(a);
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
    await deadline(a, 'AUTH-5', 'peer-to-peer request', due);
    await transition(a, 'peer_to_peer', actor, `denied for medical necessity on ${res.decidedOn}`);
    await publish(a);
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
    await transition(a, 'denied', actor, res.reason);
    await publish(a);
  }
}

/** AUTH-7 / expiry: the next timer of an approved authorization. */
async function planApproved(a: AuthRun) {
  const { state } = a;
  if (!state.validTo) return;
  const renewOn = renewalStartDate(state.validTo, state.renewalLeadDays ?? 21);
  if (!state.renewal && renewOn > (state.validFrom ?? '')) {
    state.waitingFor = `AUTH-7 renewal on ${renewOn} (${state.renewalLeadDays ?? 21} days before expiry ${state.validTo})`;
    await deadline(a, 'AUTH-7', 'renewal request starts', renewOn);
  } else {
    state.waitingFor = `expiry on ${state.validTo}`;
    await deadline(a, 'AUTH-7', 'authorization expires', state.validTo, addCalendarDays(state.validTo, 1));
  }
}

async function startRenewal(a: AuthRun) {
  const { state } = a;
  const r = a.input.request;
  const renewalId = `${state.authId}-R`;
  const window = renewalWindow(state.validFrom ?? state.requestedFrom, state.validTo!);
  await startAuthorization({
    request: { ...r, authId: renewalId, validFrom: window.from, validTo: window.to, visitsRequested: state.visitsAuthorized ?? state.visitsRequested, package: state.package, linkedAuthId: state.authId, levels: state.levels, cpts: state.cpts },
    actor: 'system',
    origin: 'renewal',
    continueAsNewAfterEvents: a.input.continueAsNewAfterEvents,
  });
  state.renewal = { authId: renewalId, startedOn: today() };
  await planApproved(a);
  await transition(a, 'approved', 'system', `AUTH-7 renewal ${renewalId} started ${state.renewalLeadDays ?? 21} days before expiry`);
  await publish(a);
}

/** The next deadline of the authorization (pended follow-up, AUTH-7 renewal, expiry), or none. */
export function nextTimer(a: AuthRun): { on: string; summary: string; fire: () => Promise<void> } | undefined {
  const { state } = a;
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
          await deadline(a, 'AUTH-5', 'pended authorization follow-up', state.followUpOn);
          await publish(a);
        } else await applyPayerAnswer(a, res, 'payer');
      },
    };
  }
  if (state.status === 'approved' && state.validTo) {
    const renewOn = renewalStartDate(state.validTo, state.renewalLeadDays ?? 21);
    if (!state.renewal && renewOn > (state.validFrom ?? '')) {
      return { on: renewOn, summary: `AUTH-7 renewal ${state.renewalLeadDays ?? 21} days before expiry ${state.validTo}`, fire: () => startRenewal(a) };
    }
    const expiresOn = addCalendarDays(state.validTo, 1);
    return {
      on: expiresOn,
      summary: `AUTH-7 authorization expires after ${state.validTo}`,
      fire: async () => {
        state.nextDeadline = undefined;
        state.waitingFor = 'nothing (expired)';
        await transition(a, 'expired', 'system', `window ended ${state.validTo}`);
        await publish(a);
      },
    };
  }
  return undefined;
}

/** Start another authorization workflow as an abandoned child (it outlives this one); already running → fine. */
export async function startAuthorization(input: AuthWorkflowInput): Promise<void> {
  const id = authorizationWorkflowId(input.request.authId);
  try {
    await wf.startChild<typeof priorAuthorizationWorkflow>('priorAuthorizationWorkflow', {
      workflowId: id,
      args: [input],
      parentClosePolicy: 'ABANDON',
      staticSummary: `Authorization ${input.request.authId} · ${input.request.family} · ${input.request.payerId} (${input.origin})`,
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
}
