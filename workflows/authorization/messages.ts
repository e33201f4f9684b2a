/**
 * The authorization's messages: Signals and Updates deliver to the inbox (workflows/inbox.ts) and
 * the main loop applies them in order (Updates answer once theirs is applied), so no two handlers
 * interleave activity calls.
 */
import * as wf from '@temporalio/workflow';
import {
  authorizationStateQuery,
  cancelAuthorizationUpdate,
  documentTrialResultsUpdate,
  payerAuthResponseSignal,
  recordDecisionUpdate,
  recordPeerToPeerUpdate,
  recordVisitUpdate,
  REFUSAL,
  updatePackageUpdate,
  type AuthWorkflowState,
} from '../../contracts/authorization';
import { windowAndVisitFindings } from '../../domain/authorization';
import { addCalendarDays } from '../../domain/business-days';
import type { AuthorizationResponse278 } from '../../activities/gateway/eligibility-auth';
import { deliver, deliverAndWait } from '../inbox';
import { act, FINAL, publish, refuse, SCS_PERMANENT_CPTS, SCS_PERMANENT_WINDOW_DAYS, today, transition, type AuthMessage, type AuthRun } from './run';
import { applyPayerAnswer, approve, checkAndSubmit, startAuthorization } from './steps';

export function registerAuthorizationHandlers(a: AuthRun) {
  const { state } = a;
  const enqueue = async (msg: AuthMessage): Promise<AuthWorkflowState> => {
    await deliverAndWait(a.inbox, msg);
    return state;
  };

  wf.setHandler(authorizationStateQuery, () => state);
  wf.setHandler(payerAuthResponseSignal, (response) => {
    deliver(a.inbox, { kind: 'payer', response, source: 'signal', actor: 'payer' });
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
}

/** Apply one message from the inbox. */
export async function applyMessage(a: AuthRun, m: AuthMessage) {
  const { state } = a;
  switch (m.kind) {
    case 'payer':
      await applyPayerAnswer(a, m.response, m.actor);
      return;
    case 'package':
      state.package = { ...state.package, ...m.input.package };
      state.packageVersion += 1;
      await checkAndSubmit(a, m.actor);
      return;
    case 'p2p':
      state.peerToPeer = { ...(state.peerToPeer ?? { dueDate: today() }), outcome: m.input.outcome };
      if (m.input.outcome === 'overturned') {
        await approve(a, { authNumber: m.input.authNumber, validFrom: m.input.validFrom, validTo: m.input.validTo, visitsAuthorized: m.input.visitsAuthorized }, m.actor, 'AUTH-5 denial overturned at peer-to-peer');
      } else {
        state.nextDeadline = undefined;
        state.waitingFor = 'nothing (denial upheld at peer-to-peer; written appeal is a separate task)';
        await transition(a, 'denied', m.actor, m.input.note ?? 'upheld at peer-to-peer');
        await publish(a);
      }
      await act.closeWorkItems({ entityType: 'authorization', entityId: state.authId, kinds: ['peer_to_peer'], reason: `peer-to-peer ${m.input.outcome}` });
      return;
    case 'visit':
      state.visits.push({ serviceDate: m.input.serviceDate, appointmentId: m.input.appointmentId, recordedAt: new Date().toISOString() });
      state.visitsUsed += 1;
      await publish(a);
      return;
    case 'trial': {
      // AUTH-6: the permanent implant authorization starts as soon as trial results are documented.
      state.trialResults = { documentedOn: m.input.documentedOn, reliefPercent: m.input.reliefPercent, functionalImprovement: m.input.functionalImprovement };
      const permanentId = `${state.authId}-PERM`;
      await startAuthorization({
        request: {
          ...a.input.request,
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
        continueAsNewAfterEvents: a.input.continueAsNewAfterEvents,
      });
      state.permanentAuthId = permanentId;
      await transition(a, 'approved', m.actor, `AUTH-6 trial results documented; permanent authorization ${permanentId} started`);
      await publish(a);
      return;
    }
    case 'cancel':
      state.nextDeadline = undefined;
      state.waitingFor = 'nothing (cancelled)';
      await transition(a, 'cancelled', m.actor, m.input.reason);
      await publish(a);
      await act.closeWorkItems({ entityType: 'authorization', entityId: state.authId, reason: 'authorization cancelled' });
      return;
  }
}
