/**
 * The activities a claim calls, grouped by the kind of failure they meet, each group proxied with
 * that kind's retry policy (contracts/activity-policies.ts). An outage delays a claim, never fails it.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { DATABASE_ACTIVITY, PAYER_ACTIVITY, RULE_ACTIVITY } from '../../contracts/activity-policies';

export type Activities = ReturnType<typeof createActivities>;

/** PostgreSQL only: the read model, the timeline, work items, scrub, posting, denial logs. */
export const db = wf.proxyActivities<
  Pick<
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
  >
>(DATABASE_ACTIVITY);

/** Calls that reach the payer gateway: longer, more patient, never retried for a claim that cannot be expressed. */
export const payer = wf.proxyActivities<Pick<Activities, 'submitClaim' | 'statusInquiry'>>(PAYER_ACTIVITY);

/** Rule results recorded in history (AR plan, denial tests, business-day deadlines): a rule change never changes a replay. */
export const rules = wf.proxyLocalActivities<Pick<Activities, 'followUpPlan' | 'paymentRules'>>(RULE_ACTIVITY);

export type SubmitResult = Awaited<ReturnType<Activities['submitClaim']>>;
