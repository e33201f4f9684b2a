/**
 * Rule results the claim workflow records in its history instead of computing in workflow code:
 * run as local activities, so a later change to a rule (the CARC lists, the AR touch plan, the
 * holiday table) never changes what a running claim replays. Pure: no I/O.
 */
import { arTouchPlan, type ArClaim, type TouchPlan } from '../domain/ar';
import { deniedLineIndexes, isDenied } from '../domain/denials';
import { addBusinessDays } from '../domain/business-days';
import type { ClaimPayment } from '../domain/remittance';

/** POST-5: an underpayment is disputed within this many business days of the ERA. */
export const DISPUTE_BUSINESS_DAYS = 5;

export function ruleActivities() {
  return {
    /** AR-1/AR-2: the follow-up plan fixed at submission (touch days moved to business days). */
    async followUpPlan(input: { submittedOn: string; claim: ArClaim }): Promise<TouchPlan> {
      return arTouchPlan(input.submittedOn, input.claim);
    },
    /** DEN-1/DEN-2 and POST-5 for one claim payment: a denial?, which lines are denied, when a dispute is due. */
    async paymentRules(input: { claimPayment: ClaimPayment; receivedOn: string }): Promise<{ denied: boolean; deniedLineIndexes: number[]; disputeDue: string }> {
      return {
        denied: isDenied(input.claimPayment),
        deniedLineIndexes: deniedLineIndexes(input.claimPayment),
        disputeDue: addBusinessDays(input.receivedOn, DISPUTE_BUSINESS_DAYS),
      };
    },
  };
}
