/**
 * priorAuthorizationWorkflow: one per authorization (`auth:<authId>`), from the package check to
 * expiry. AUTH-1/AUTH-4 package completeness (incomplete → not submitted, work item), AUTH-2
 * frequency, 278 submission and decision (pended → follow-up timers; medical-necessity denial →
 * peer-to-peer work item the same business day, AUTH-5), AUTH-6 SCS trial → permanent at once,
 * AUTH-7 renewal 21 days before expiry, AUTH-8 window and visit count.
 *
 * One serial processor: Signals and Updates deliver to the shared inbox (workflows/inbox.ts) and
 * the main loop applies them in order (authorization/messages.ts); steps in authorization/steps.ts.
 * Long life: continue-as-new with plain-JSON state once all handlers have finished.
 * Deterministic: time from the workflow clock, side effects through activities.
 */
import * as wf from '@temporalio/workflow';
import type { AuthWorkflowInput, AuthWorkflowState } from '../contracts/authorization';
import { PayerId, PracticeId, RcmKind, RcmStatus } from '../contracts/search-attributes';
import { emptyInbox, hasMessages, markApplied, take } from './inbox';
import { applyMessage, registerAuthorizationHandlers } from './authorization/messages';
import { FINAL, publish, type AuthRun } from './authorization/run';
import { instantOf } from './deadlines';
import { checkAndSubmit, nextTimer } from './authorization/steps';

export { PENDED_FOLLOW_UP_BUSINESS_DAYS, SCS_PERMANENT_CPTS, SCS_PERMANENT_WINDOW_DAYS } from './authorization/run';

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
  const state: AuthWorkflowState = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialState(input);
  const a: AuthRun = { input, workflowId: wf.workflowInfo().workflowId, state, inbox: emptyInbox() };
  registerAuthorizationHandlers(a);

  if (!input.carried) {
    wf.upsertSearchAttributes([
      { key: RcmKind, value: 'authorization' },
      { key: RcmStatus, value: state.status },
      { key: PracticeId, value: state.practiceId },
      { key: PayerId, value: state.payerId },
    ]);
    state.history.push({ at: new Date().toISOString(), status: 'draft', actor: input.actor, note: `origin ${input.origin}` });
    await publish(a);
    await checkAndSubmit(a, input.actor);
  }

  const shouldContinueAsNew = () =>
    wf.workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && wf.workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  while (!FINAL.includes(state.status)) {
    const m = take(a.inbox);
    if (m) {
      await applyMessage(a, m);
      markApplied(a.inbox, m.seq);
      continue;
    }
    if (shouldContinueAsNew()) {
      await wf.condition(wf.allHandlersFinished);
      if (hasMessages(a.inbox)) continue;
      await wf.continueAsNew<typeof priorAuthorizationWorkflow>({ ...input, carried: state });
    }

    const timer = nextTimer(a);
    if (!timer) {
      await wf.condition(() => hasMessages(a.inbox) || shouldContinueAsNew());
      continue;
    }
    // The timer's date begins where the practice is (recorded; before the patch 00:00 UTC).
    const ms = Date.parse(await instantOf(state.practiceId, timer.on, 'start')) - Date.now();
    if (ms > 0) {
      const woke = await wf.condition(() => hasMessages(a.inbox) || shouldContinueAsNew(), ms, { summary: timer.summary });
      if (woke) continue;
    }
    await timer.fire();
  }
  return state;
}
