/**
 * How workflows call activities: one retry policy per kind of failure, shared by every workflow.
 *
 * An outage (PostgreSQL restarting, the clearinghouse or a payer endpoint down, a worker crash)
 * delays a workflow, it never fails it: no policy caps the number of attempts, and the interval
 * between attempts is bounded so a workflow resumes within minutes of the outage ending. Only
 * business outcomes fail fast: an activity throws a non-retryable `ApplicationFailure` whose type
 * is listed here, and the workflow turns it into a work item or a refusal.
 *
 * Safe to import from workflow code (types and plain data only).
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions, type LocalActivityOptions } from '@temporalio/common';

/** ApplicationFailure types that are business outcomes: never retried, handled by the workflow. */
export const BUSINESS_FAILURE_TYPES = [
  /** The 837P cannot express this claim (missing practice data, values X12 cannot carry): a person fixes the claim. */
  'X12GenerationError',
] as const;

/** Longest wait between two attempts of any activity. */
export const MAX_RETRY_INTERVAL = '2 minutes';

/** Read-model writes, work items, scrub and posting: PostgreSQL only. */
export const DATABASE_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [...BUSINESS_FAILURE_TYPES] },
};

/**
 * Issue 16: the same PostgreSQL work as a LOCAL activity (claimDbBatch: one marker event per step
 * instead of six events per activity). No attempt cap and no scheduleToCloseTimeout, so an outage
 * of any length delays the claim and never fails it. One attempt is short (10 s) and every retry
 * waits on a server-side timer (localRetryThreshold below the first backoff), so a workflow task
 * never runs long on a failing local activity: a task heartbeated mid-step (past 80% of its
 * timeout) can split a local activity's marker from a patch marker the code records right after it,
 * and such a history does not replay (seen in api/remittances.int.test.ts under load). Claims start
 * with a 30 s workflow task timeout (contracts/claim.ts) for the same reason.
 */
export const DATABASE_LOCAL_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '500 milliseconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [...BUSINESS_FAILURE_TYPES] },
};

/** Calls that reach a payer or the clearinghouse (837P out, 270/278/276 inquiries): slower, more patient. */
export const PAYER_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: MAX_RETRY_INTERVAL, nonRetryableErrorTypes: [...BUSINESS_FAILURE_TYPES] },
};

/** Pure rule computations recorded in history (local activities: one marker event each). */
export const RULE_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Deadline instants in the practice's time zone (a PostgreSQL read, recorded as a local activity marker). */
export const DEADLINE_ACTIVITY: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/** Whole-practice batch work (daily reconciliation): long-running queries. */
export const BATCH_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: MAX_RETRY_INTERVAL, nonRetryableErrorTypes: [...BUSINESS_FAILURE_TYPES] },
};

/** A failed activity call that is a business outcome (see BUSINESS_FAILURE_TYPES), not an outage. */
export function isBusinessFailure(err: unknown): err is ActivityFailure & { cause: ApplicationFailure } {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    (BUSINESS_FAILURE_TYPES as readonly string[]).includes(err.cause.type ?? '')
  );
}
