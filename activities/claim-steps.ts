/**
 * Issue 16: rule answers a claim step needs, fetched with the call that step already makes, so a
 * clean claim records 7 local activities instead of 10 (claims started since
 * patched('claim-steps-merged'), workflows/claim.ts). Each is the composition of activities that
 * exist on their own (payer policy, practice day bounds, AR plan, payment rules, posting): the
 * answers are the same, recorded in one marker instead of two.
 */
import type { Knex } from 'knex';
import { addCalendarDays } from '../domain/business-days';
import type { ArClaim, TouchPlan } from '../domain/ar';
import type { ClaimPayment } from '../domain/remittance';
import type { RemittanceDelivery } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';
import { submissionActivities } from './submission';
import { postingActivities } from './posting';
import { ruleActivities } from './rules';
import { deadlineActivities, type DayBounds } from './deadlines';
import type { PayerGateway } from './gateway/types';

export function claimStepActivities(db: Knex, gateway: PayerGateway) {
  const submission = submissionActivities(db, gateway);
  const posting = postingActivities(db);
  const rules = ruleActivities();
  const deadlines = deadlineActivities(db);
  return {
    /** SUB-4 at charge entry: the payer's filing policy, and where the warning and expiry dates begin in the practice's zone. */
    async chargePolicy(input: { payerId: string; practiceId: string; serviceDate: string }) {
      const policy = await submission.claimPolicy({ payerId: input.payerId });
      const deadline = addCalendarDays(input.serviceDate, policy.timelyFilingDays);
      const dates = [addCalendarDays(deadline, -policy.timelyFilingWarningDays), addCalendarDays(deadline, 1)];
      const { days } = await deadlines.practiceDayBounds({ practiceId: input.practiceId, dates });
      return { ...policy, days };
    },
    /** AR-1/AR-2 at submission: the follow-up plan and where each touch's date begins in the practice's zone. */
    async zonedFollowUpPlan(input: { submittedOn: string; claim: ArClaim; practiceId: string }): Promise<TouchPlan & { days: DayBounds[] }> {
      const plan = await rules.followUpPlan({ submittedOn: input.submittedOn, claim: input.claim });
      const { days } = await deadlines.practiceDayBounds({ practiceId: input.practiceId, dates: plan.touches.map((t) => t.dueDate) });
      return { ...plan, days };
    },
    /** POST-1..POST-5 and DEN-1/DEN-2: the payment posted, and the payment rules' answer for it. */
    async postPaymentWithRules(input: { claim: ClaimDocument; delivery: RemittanceDelivery; coveragePriority: string; postedAt: string }) {
      const posted = await posting.postClaimPayment(input);
      const cp: ClaimPayment = input.delivery.claimPayment;
      const paymentRules = await rules.paymentRules({ claimPayment: cp, receivedOn: input.delivery.receivedAt.slice(0, 10) });
      return { ...posted, paymentRules };
    },
  };
}
