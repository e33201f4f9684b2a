/**
 * Activities are built by a factory from injected dependencies (database, payer gateway), so
 * tests and `npm start` wire real components the same way. Workflows type their proxies with
 * `ReturnType<typeof createActivities>`.
 */
import type { Knex } from 'knex';
import { claimActivities } from './claims';
import { submissionActivities } from './submission';
import { postingActivities } from './posting';
import { workItemActivities } from './work-items';
import { credentialActivities } from './credentials';
import { reconciliationActivities } from './reconciliation';
import { ruleActivities } from './rules';
import { deadlineActivities } from './deadlines';
import { claimStepActivities } from './claim-steps';
import type { PayerGateway } from './gateway/types';
import { eligibilityAuthActivities } from './eligibility-auth';
import type { EligibilityAuthGateway } from './gateway/eligibility-auth';

export type ActivityDeps = { db: Knex; gateway: PayerGateway; eligibilityAuthGateway?: EligibilityAuthGateway };

export function createActivities(deps: ActivityDeps) {
  const activities = baseActivities(deps);
  return {
    ...activities,
    /**
     * Issue 16: a claim's PostgreSQL calls of one workflow step, in order, in ONE transaction (one
     * local-activity marker in history instead of an activity each); answers the last call's result.
     * A failed batch rolls back whole and is retried whole, so every call sees the state it saw the
     * first time (e.g. a work item closed then reopened in the same step).
     */
    async claimDbBatch(input: { calls: ClaimDbCall[] }): Promise<unknown> {
      for (const call of input.calls) if (!CLAIM_DB_BATCHABLE.has(call.name)) throw new Error(`claimDbBatch: ${call.name} is not a claim database activity`);
      // A final read of master data (payer policy, scrub context: never this claim's own rows) runs
      // first, outside the transaction: its parallel queries need the pool, not one connection.
      const final = input.calls[input.calls.length - 1];
      const readFirst = final !== undefined && CLAIM_DB_READS.has(final.name);
      const read = readFirst ? await (activities as unknown as Calls)[final.name](final.input) : undefined;
      const writes = readFirst ? input.calls.slice(0, -1) : input.calls;
      if (!writes.length) return read;
      const steps = coalesceSummaries(writes);
      // One call alone runs as it did when it was an activity of its own (each is safe alone); two or
      // more share one transaction.
      if (steps.length === 1) {
        const only = await (activities as unknown as Calls)[steps[0].name](steps[0].input);
        return readFirst ? read : only;
      }
      const last = await deps.db.transaction(async (trx) => {
        const inTrx = baseActivities({ ...deps, db: trx }) as unknown as Calls;
        let result: unknown;
        for (const call of steps) result = await inTrx[call.name](call.input);
        return result;
      });
      return readFirst ? read : last;
    },
  };
}

/** The claim's PostgreSQL-only activities that claimDbBatch may run (workflows/claim/activities.ts `db`). */
export const CLAIM_DB_BATCHABLE: ReadonlySet<string> = new Set([
  'recordClaim',
  'recordClaimEvent',
  'recordClaimVersion',
  'updateClaimSummary',
  'claimPolicy',
  'scrubForSubmission',
  'openWorkItem',
  'closeWorkItems',
  'recordAcknowledgement',
  'postClaimPayment',
  'classifyAndLogDenial',
  'markDenialStatus',
  'checkDenialPattern',
  'parkClosedClaimPayment',
  'recordImportedSubmission',
  'chargePolicy',
  'postPaymentWithRules',
]);

/**
 * A step's summaries of one claim (`updateClaimSummary`: read-model columns no other batched call
 * reads or writes, besides `updated_at`) merged into one, at the place of the last: each field takes
 * the last value given, as if they had run in order. One UPDATE instead of several per step.
 */
export function coalesceSummaries(calls: ClaimDbCall[]): ClaimDbCall[] {
  const keyOf = (c: ClaimDbCall) => {
    const i = c.input as { claimId: string; practiceId?: string };
    return `${i.practiceId ?? ''}\u0000${i.claimId}`;
  };
  const merged = new Map<string, Record<string, unknown>>();
  const lastIndex = new Map<string, number>();
  let summaries = 0;
  calls.forEach((c, i) => {
    if (c.name !== 'updateClaimSummary') return;
    summaries++;
    const given = Object.fromEntries(Object.entries(c.input as Record<string, unknown>).filter(([, v]) => v !== undefined)); // undefined: not given
    merged.set(keyOf(c), { ...merged.get(keyOf(c)), ...given });
    lastIndex.set(keyOf(c), i);
  });
  if (summaries === lastIndex.size) return calls; // at most one per claim: nothing to merge
  return calls.flatMap((c, i) => (c.name !== 'updateClaimSummary' ? [c] : lastIndex.get(keyOf(c)) === i ? [{ name: c.name, input: merged.get(keyOf(c)) }] : []));
}

/** Reads of master data only (they never read what the batch writes). */
const CLAIM_DB_READS: ReadonlySet<string> = new Set(['claimPolicy', 'chargePolicy', 'scrubForSubmission']);

export type ClaimDbCall = { name: string; input: unknown };
type Calls = Record<string, (arg: unknown) => Promise<unknown>>;

function baseActivities(deps: ActivityDeps) {
  return {
    ...claimActivities(deps.db),
    ...submissionActivities(deps.db, deps.gateway),
    ...postingActivities(deps.db),
    ...workItemActivities(deps.db),
    // Other workflows' activities are spread in below, one line each.
    ...eligibilityAuthActivities(deps.db, deps.eligibilityAuthGateway),
    ...credentialActivities(deps.db),
    ...reconciliationActivities(deps.db),
    ...ruleActivities(),
    ...deadlineActivities(deps.db),
    ...claimStepActivities(deps.db, deps.gateway),
  };
}
