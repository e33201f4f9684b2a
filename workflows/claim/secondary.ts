/**
 * POST-6: the secondary claim goes out within one business day of the primary's adjudication,
 * carrying the COB loops (2320/2330/2430): what the primary paid and adjusted, per line.
 */
import * as wf from '@temporalio/workflow';
import type { RemittanceDelivery } from '../../contracts/claim';
import { isBusinessFailure } from '../../contracts/activity-policies';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import { payer, type SubmitResult } from './activities';
import { addTimer, setStatus, workItem, type ClaimRun } from './run';
import { today } from './state';
import { patched } from './patches';

export async function sendSecondary(run: ClaimRun, d: RemittanceDelivery, crossedOver: boolean) {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const cp = d.claimPayment;
  if (!claim.secondaryCoverage || c.secondarySent || cp.patientResponsibilityCents <= 0 || crossedOver) return;
  // POST-6: the secondary claim goes out within one business day of the primary's adjudication.
  c.secondarySent = true;
  const attempt = s.submissions.length + 1;
  let sent: SubmitResult;
  if (patched('close-refused-while-sending')) c.sending = true; // issue 12: see lifecycle.ts
  try {
    sent = await payer.submitClaim({
      workflowId: run.workflowId,
      step: `submit:${attempt}:secondary`,
      claim: { ...claim, payerId: claim.secondaryCoverage.payerId, coverage: { memberId: claim.secondaryCoverage.memberId, priority: 'secondary' } },
      version: s.version,
      payerId: claim.secondaryCoverage.payerId,
      coveragePriority: 'secondary',
      frequencyCode: '1',
      at: new Date().toISOString(),
      // The COB loops (2320/2330/2430): what the primary paid and adjusted, per line.
      otherPayer: {
        payerId: claim.payerId,
        name: claim.payerId,
        memberId: claim.coverage.memberId,
        priority: 'primary',
        paidCents: cp.paidCents,
        adjudicationDate: d.adjudicationDate,
        claimAdjustments: cp.adjustments.map((a) => ({ group: a.group, carc: a.carc, amountCents: a.amountCents })),
        lines: cp.lines.map((l, i) => ({
          lineNumber: l.lineNumber ?? i + 1,
          cpt: l.cpt,
          modifiers: l.modifiers,
          paidCents: l.paidCents,
          units: l.units,
          adjustments: l.adjustments.map((a) => ({ group: a.group, carc: a.carc, amountCents: a.amountCents, quantity: a.quantity })),
        })),
      },
    });
  } catch (err) {
    c.sending = undefined;
    if (!patched('secondary-send-failure')) throw err;
    // Only a claim the 837P cannot express lands here; an outage is retried until it ends.
    if (patched('send-failure-business-only') && !isBusinessFailure(err)) throw err;
    const reason = err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure ? err.cause.message : String(err);
    c.openLineDenials += 1;
    await workItem(run, `secondary-send:${attempt}`, 'secondary_rejection', 'POST-6', `The secondary claim to ${claim.secondaryCoverage.payerId} could not be built: ${reason}`, addBusinessDays(today(), 1));
    return;
  }
  c.sending = undefined;
  s.submissions.push({ attempt, payerId: claim.secondaryCoverage.payerId, coverage: 'secondary', frequencyCode: '1', interchangeControlNumber: sent.interchangeControlNumber, submittedAt: sent.submittedAt });
  await setStatus(run, 'secondary_submitted', 'system', `POST-6 secondary claim to ${claim.secondaryCoverage.payerId}`);
  if (patched('secondary-follow-up')) {
    addTimer(run, 'payment-expected:secondary', 'AR-1', `AR-1 secondary payer ${claim.secondaryCoverage.payerId}: answer expected`, addCalendarDays(sent.submittedAt.slice(0, 10), 30));
  }
}
