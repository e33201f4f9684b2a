/**
 * A claim imported as already submitted elsewhere (ClaimWorkflowInput.imported): its submission is
 * recorded as it happened, the payer's claim control number kept, and the AR-1/AR-2 follow-up
 * planned from the real submission date. The claim is not scrubbed or sent again; a later
 * correction goes through the ordinary loop (scrub, then a replacement claim).
 */
import * as wf from '@temporalio/workflow';
import type { ImportedSubmission } from '../../contracts/claim';
import { claimStepsMerged, db, rules, zonedRules } from './activities';
import { addTimer, cancelTimers, placeTimers, setStatus, summary, type ClaimRun } from './run';

export async function applyImportedSubmission(run: ClaimRun, imported: ImportedSubmission): Promise<void> {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  await db.recordImportedSubmission({
    workflowId: run.workflowId,
    claimId: s.claimId,
    practiceId: claim.practiceId,
    version: s.version,
    payerId: claim.payerId,
    submittedAt: imported.submittedAt,
    ...(imported.payerClaimControlNumber ? { payerClaimControlNumber: imported.payerClaimControlNumber } : {}),
  });
  s.submissions.push({ attempt: 1, payerId: claim.payerId, coverage: 'primary', frequencyCode: '1', interchangeControlNumber: 0, submittedAt: imported.submittedAt, ack: 'accepted' });
  if (imported.payerClaimControlNumber) c.payerControlNumber = imported.payerClaimControlNumber;
  c.importedSubmissionPending = true;
  await setStatus(run, 'submitted', run.input.actor, `imported: submitted by the previous system on ${imported.submittedAt.slice(0, 10)}`);
  // Filed and accepted elsewhere: the timely-filing window no longer threatens it.
  cancelTimers(run, (t) => t.id.startsWith('sub4'));
  const submittedOn = imported.submittedAt.slice(0, 10);
  const zoned = claimStepsMerged() ? await zonedRules.zonedFollowUpPlan({ submittedOn, claim: { lines: claim.lines }, practiceId: claim.practiceId }) : undefined;
  const plan = zoned ?? (await rules.followUpPlan({ submittedOn, claim: { lines: claim.lines } }));
  s.arTouches = plan.touches.map((t) => ({ kind: t.kind, ruleId: t.rule, dueDate: t.dueDate, state: 'pending' as const }));
  for (const t of plan.touches) addTimer(run, `ar:${t.kind}`, t.rule, `${t.rule} day-${t.day} ${t.kind.replace(/_/g, ' ')}`, t.dueDate);
  if (zoned) placeTimers(run, zoned.days);
  await summary(run);
  wf.log.info('claim imported as submitted', { claimId: s.claimId, submittedOn });
}
