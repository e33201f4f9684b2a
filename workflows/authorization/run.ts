/**
 * One run of an authorization: its state (plain JSON, what continue-as-new carries), its inbox, and
 * the effects every step uses (read model and search attributes, the status timeline, deadlines).
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { AuthStatus, AuthWorkflowInput, AuthWorkflowState, CancelAuthorizationInput, DocumentTrialResultsInput, RecordPeerToPeerInput, RecordVisitInput, UpdatePackageInput } from '../../contracts/authorization';
import { NextDeadline, RcmStatus } from '../../contracts/search-attributes';
import { DATABASE_ACTIVITY, PAYER_ACTIVITY } from '../../contracts/activity-policies';
import type { AuthorizationResponse278 } from '../../activities/gateway/eligibility-auth';
import type { Inbox } from '../inbox';
import { instantOf } from '../deadlines';

type Activities = ReturnType<typeof createActivities>;
// An outage delays an authorization, never fails it (contracts/activity-policies.ts).
export const act = wf.proxyActivities<
  Pick<Activities, 'upsertAuthorization' | 'recordAuthorizationEvent' | 'checkAuthorizationPackage' | 'openWorkItem' | 'closeWorkItems' | 'parkPayerResponse'>
>(DATABASE_ACTIVITY);
/** 278 requests and status inquiries reach the payer. */
export const payerAct = wf.proxyActivities<Pick<Activities, 'submitAuthorizationRequest' | 'authorizationStatusInquiry'>>(PAYER_ACTIVITY);

/** Business days between follow-ups on a pended request. */
export const PENDED_FOLLOW_UP_BUSINESS_DAYS = 2;
/** SCS permanent implant: leads and generator (DOMAIN §2). */
export const SCS_PERMANENT_CPTS = ['63650', '63685'];
/** Requested window of a permanent SCS authorization started from a trial (days). */
export const SCS_PERMANENT_WINDOW_DAYS = 90;

export type AuthMessage =
  | { kind: 'payer'; response: AuthorizationResponse278; source: 'signal' | 'staff'; actor: string }
  | { kind: 'package'; input: UpdatePackageInput; actor: string }
  | { kind: 'p2p'; input: RecordPeerToPeerInput; actor: string }
  | { kind: 'visit'; input: RecordVisitInput; actor: string }
  | { kind: 'trial'; input: DocumentTrialResultsInput; actor: string }
  | { kind: 'cancel'; input: CancelAuthorizationInput; actor: string };

export const FINAL: AuthStatus[] = ['denied', 'expired', 'cancelled'];

export type AuthRun = { input: AuthWorkflowInput; workflowId: string; state: AuthWorkflowState; inbox: Inbox<AuthMessage> };

export const today = (): string => new Date().toISOString().slice(0, 10); // workflow clock

export function refuse(type: string, message: string): never {
  throw wf.ApplicationFailure.create({ type, message, nonRetryable: true });
}

export async function publish(a: AuthRun) {
  const { state } = a;
  wf.upsertSearchAttributes([
    { key: RcmStatus, value: state.status },
    { key: NextDeadline, value: state.nextDeadline ? new Date(state.nextDeadline.at) : null },
  ] as never);
  wf.setCurrentDetails(`${state.status}: ${state.waitingFor}`);
  await act.upsertAuthorization({ state, patientId: a.input.request.patientId, workflowId: a.workflowId, onDate: today() });
}

export async function transition(a: AuthRun, status: AuthStatus, actor: string, note?: string) {
  const { state, workflowId } = a;
  const from = state.status;
  state.status = status;
  const at = new Date().toISOString();
  state.history.push({ at, status, actor, note });
  await act.recordAuthorizationEvent({ authId: state.authId, idempotencyKey: `${workflowId}:${state.runs}:${state.history.length}:${status}`, onDate: today(), actor, fromStatus: from, toStatus: status, detail: note ? { note } : {} });
}

/** The next deadline: due on `date`, i.e. the end of that date in the practice's zone (before the patch: 00:00 UTC of `legacyDate`). */
export async function deadline(a: AuthRun, ruleId: string, label: string, date: string, legacyDate = date) {
  a.state.nextDeadline = { ruleId, label, at: await instantOf(a.state.practiceId, date, 'end', legacyDate) };
}
