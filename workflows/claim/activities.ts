/**
 * The activities a claim calls, grouped by the kind of failure they meet, each group proxied with
 * that kind's retry policy (contracts/activity-policies.ts). An outage delays a claim, never fails it.
 *
 * Issue 16 (claims started since patched('claim-db-local'), see `batchClaimWrites`): the claim's
 * PostgreSQL calls are not an activity each (six history events and a workflow task apiece) but
 * one local activity per step, `claimDbBatch` (one marker event): writes whose answer the workflow
 * does not use (status events, summaries, work items opened and closed, acknowledgements) are
 * queued in order and sent with the next call whose answer it needs, or when the claim is about to
 * wait or to call the payer (`flushClaimWrites`). Search attributes wait for the same moment, so
 * they are upserted once per step, not once per field.
 */
import * as wf from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createActivities } from '../../activities';
import { DATABASE_ACTIVITY, DATABASE_LOCAL_ACTIVITY, DEADLINE_ACTIVITY, PAYER_ACTIVITY, RULE_ACTIVITY } from '../../contracts/activity-policies';

export type Activities = ReturnType<typeof createActivities>;

type DbActivities = Pick<
  Activities,
  | 'recordClaim'
  | 'recordClaimEvent'
  | 'recordClaimVersion'
  | 'updateClaimSummary'
  | 'claimPolicy'
  | 'scrubForSubmission'
  | 'openWorkItem'
  | 'closeWorkItems'
  | 'recordAcknowledgement'
  | 'postClaimPayment'
  | 'classifyAndLogDenial'
  | 'markDenialStatus'
  | 'checkDenialPattern'
  | 'parkClosedClaimPayment'
  | 'recordImportedSubmission'
  | 'chargePolicy'
  | 'postPaymentWithRules'
>;

/** Before 'claim-db-local': PostgreSQL only, one regular activity per call. */
const dbActivities = wf.proxyActivities<DbActivities>(DATABASE_ACTIVITY);
/** Since 'claim-db-local': every PostgreSQL call of a step in one local activity. */
const dbLocal = wf.proxyLocalActivities<Pick<Activities, 'claimDbBatch'>>(DATABASE_LOCAL_ACTIVITY);

/** Calls whose answer no workflow code reads: queued until the step's next call or wait. */
const QUEUED: ReadonlySet<string> = new Set<keyof DbActivities>([
  'recordClaim',
  'recordClaimEvent',
  'recordClaimVersion',
  'updateClaimSummary',
  'openWorkItem',
  'closeWorkItems',
  'recordAcknowledgement',
  'markDenialStatus',
  'checkDenialPattern',
  'parkClosedClaimPayment',
  'recordImportedSubmission',
]);

// Module state is per workflow execution (the SDK evaluates workflow modules once per workflow).
let batching = false;
let stepsMerged = false;
let queue: Array<{ name: string; input: unknown }> = [];
let pendingAttributes = new Map<string, SearchAttributeUpdatePair>();

/**
 * Called once at the start of each run: claims started since the patch batch their writes. With
 * `mergeSteps` (claims started since 'claim-steps-merged'), the rule answers a step needs come with
 * the call it already makes (activities/claim-steps.ts): decided at the start, never later, so a
 * claim that began without it keeps its recorded shape to the end of the run.
 */
export function batchClaimWrites(mergeSteps = false): void {
  batching = true;
  stepsMerged = mergeSteps;
}

export const batchingClaimWrites = (): boolean => batching;
/** Claims started since 'claim-steps-merged': SUB-4 bounds with the payer policy, the AR plan zoned, payment rules with the posting. */
export const claimStepsMerged = (): boolean => stepsMerged;

/** Search attributes: upserted at once before the patch, at the step's end since. */
export function upsertClaimSearchAttributes(pairs: SearchAttributeUpdatePair[]): void {
  if (!batching) return wf.upsertSearchAttributes(pairs);
  for (const p of pairs) pendingAttributes.set(p.key.name, p);
}

/** Send what the step queued (and its search attributes): before the claim waits, calls the payer, continues as new or ends. */
export async function flushClaimWrites(): Promise<void> {
  if (!batching) return;
  if (pendingAttributes.size) {
    wf.upsertSearchAttributes([...pendingAttributes.values()]);
    pendingAttributes = new Map();
  }
  if (queue.length) await sendQueued();
}

type CloseInput = Parameters<Activities['closeWorkItems']>[0];
type OpenInput = Parameters<Activities['openWorkItem']>[0];
const wouldClose = (close: CloseInput, open: OpenInput): boolean =>
  close.entityType === open.entityType && close.entityId === open.entityId && (!close.kinds?.length || close.kinds.includes(open.kind));

/** One local activity for everything queued; answers the last call's result. */
function sendQueued(): Promise<unknown> {
  const calls = queue;
  queue = [];
  return dbLocal.claimDbBatch({ calls });
}

/**
 * PostgreSQL only: the read model, the timeline, work items, scrub, posting, denial logs. Since the
 * patch a queued call answers `undefined` at once (its answer is not used; see QUEUED).
 */
export const db: DbActivities = new Proxy({} as DbActivities, {
  get(_target, name: string) {
    if (!batching) return dbActivities[name as keyof DbActivities];
    return async (input: unknown) => {
      // A batch is retried whole (one transaction, at least once): a work item opened after a close
      // of open items in the same batch would be closed again by a retry. Such a close goes first.
      if (name === 'openWorkItem' && queue.some((q) => q.name === 'closeWorkItems' && wouldClose(q.input as CloseInput, input as OpenInput))) await sendQueued();
      queue.push({ name, input });
      if (QUEUED.has(name)) return undefined;
      return sendQueued();
    };
  },
});

const payerActivities = wf.proxyActivities<Pick<Activities, 'submitClaim' | 'statusInquiry'>>(PAYER_ACTIVITY);

/** Calls that reach the payer gateway: longer, more patient, never retried for a claim that cannot be expressed. What the claim queued is written first. */
export const payer: Pick<Activities, 'submitClaim' | 'statusInquiry'> = {
  async submitClaim(input) {
    await flushClaimWrites();
    return payerActivities.submitClaim(input);
  },
  async statusInquiry(input) {
    await flushClaimWrites();
    return payerActivities.statusInquiry(input);
  },
};

/** Rule results recorded in history (AR plan, denial tests, business-day deadlines): a rule change never changes a replay. */
export const rules = wf.proxyLocalActivities<Pick<Activities, 'followUpPlan' | 'paymentRules'>>(RULE_ACTIVITY);
/** Since 'claim-steps-merged': the AR plan with its dates placed in the practice's zone, one marker. */
export const zonedRules = wf.proxyLocalActivities<Pick<Activities, 'zonedFollowUpPlan'>>(DEADLINE_ACTIVITY);

export type SubmitResult = Awaited<ReturnType<Activities['submitClaim']>>;
