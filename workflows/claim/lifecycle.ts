/**
 * The claim's life, one loop: scrub (SUB-1, CRED-7 hold), send the 837P (SUB-5), then wait for the
 * payer to settle it (paid and posted, denied, rejected) while deadlines fire and messages apply.
 * A correction starts the loop again with the next claim version; a close ends it.
 */
import * as wf from '@temporalio/workflow';
import { isBusinessFailure } from '../../contracts/activity-policies';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import { arTouchPlan } from '../../domain/ar';
import { claimStepsMerged, db, payer, rules, zonedRules, type SubmitResult } from './activities';
import { continueAsNewIfLong } from './continue-as-new';
import { addTimer, cancelTimers, fireDueTimers, log, placeTimers, setStatus, summary, waitUntil, workItem, type ClaimRun } from './run';
import { accepted, money, settled, today } from './state';
import { patched } from './patches';

export async function claimLoop(run: ClaimRun): Promise<void> {
  const c = run.c;
  const s = c.state;
  mainLoop: while (!c.closeRequest) {
    await continueAsNewIfLong(run);
    await fireDueTimers(run);
    if (c.timelyFilingPassed && !accepted(c)) {
      if (s.status !== 'timely_filing_expired') {
        await setStatus(run, 'timely_filing_expired', 'system', `SUB-4: the filing window (${s.timelyFilingDeadline}) has passed; submission is blocked`);
      }
      await waitUntil(run, () => c.closeRequest !== undefined);
      break;
    }
    if (c.importedSubmissionPending) {
      c.importedSubmissionPending = false; // submitted by the previous system: nothing to scrub or send this time
    } else {
      if (!(await scrubPassed(run))) continue mainLoop;
      if (!(await submitPrimary(run))) continue mainLoop;
    }

    // Until the payer settles it: paid and posted (closing), denied (correct or appeal), rejected (correct).
    for (;;) {
      await waitUntil(run, () => c.closeRequest !== undefined || c.correction !== undefined || c.appeal !== undefined || s.status === 'rejected' || settled(c));
      if (c.closeRequest) break mainLoop;
      if (c.appeal && s.status === 'denied') {
        await applyAppeal(run);
        continue;
      }
      c.appeal = undefined;
      if (c.correction && c.primaryDone && correctionRefusedAsPaid(run)) continue;
      if (c.correction) {
        // Corrected claim after a rejection (resubmit as original) or a denial (replacement,
        // frequency 7, which must name the payer's claim control number; without one the payer has
        // no claim to replace, so it goes as a new original).
        c.frequencyCode = s.status === 'denied' && c.payerControlNumber ? '7' : '1';
        await applyCorrection(run);
        continue mainLoop;
      }
      if (s.status === 'rejected') {
        await waitUntil(run, () => c.correction !== undefined || c.closeRequest !== undefined);
        if (c.correction && c.primaryDone && correctionRefusedAsPaid(run)) continue;
        if (c.correction) await applyCorrection(run);
        continue mainLoop;
      }
      // posted, nothing outstanding
      c.closeRequest = { actor: 'system', reason: 'every dollar posted' };
      break mainLoop;
    }
  }
}

/** SUB-1: scrub errors block submission (the claim waits for a correction or, CRED-7, is held); warnings do not. */
async function scrubPassed(run: ClaimRun): Promise<boolean> {
  const c = run.c;
  const s = c.state;
  const scrub = await db.scrubForSubmission({ claim: c.claim, asOf: today() });
  s.scrub = { status: scrub.status, findings: scrub.findings };
  await summary(run, { claimId: s.claimId, scrub });
  const errors = scrub.findings.filter((f) => f.severity === 'error');
  if (errors.length) {
    const credentialOnly = errors.every((f) => f.ruleId === 'CHG-3');
    if (credentialOnly) {
      // CRED-7: the provider is not credentialed/enrolled with this payer on the DOS: hold, do not send.
      const holdOnce = patched('hold-once');
      if (!holdOnce || s.status !== 'held') await setStatus(run, 'held', 'system', errors.map((f) => f.message).join('; '));
      await workItem(run, holdOnce ? `hold:v${s.version}` : `hold:${s.version}:${s.history.length}`, 'credential_hold', 'CRED-7', 'Claim held: the rendering provider is not credentialed/enrolled with this payer on the date of service', addBusinessDays(today(), 2), { findings: errors });
      addTimer(run, `hold-recheck:${s.history.length}`, 'CRED-7', 'CRED-7 re-check the held claim', Date.now() + 24 * 3600 * 1000);
      c.needsResubmission = false;
      await waitUntil(run, () => c.needsResubmission === true || c.correction !== undefined || c.closeRequest !== undefined || c.timelyFilingPassed);
      cancelTimers(run, (t) => t.id.startsWith('hold-recheck'));
    } else {
      await setStatus(run, 'needs_correction', 'system', `${errors.length} scrub error(s): ${errors.map((f) => f.ruleId).join(', ')}`);
      await workItem(run, `correction:v${s.version}`, 'correction', 'SUB-1', `Scrub errors block submission: ${errors.map((f) => `${f.ruleId}${f.line ? ` line ${f.line}` : ''}`).join(', ')}`, addBusinessDays(today(), 2), { findings: errors });
      await waitUntil(run, () => c.correction !== undefined || c.closeRequest !== undefined || c.timelyFilingPassed);
    }
    if (c.correction) await applyCorrection(run);
    return false;
  }
  if (s.status !== 'scrubbed') await setStatus(run, 'scrubbed', 'system', scrub.status === 'warnings' ? `${scrub.findings.length} warning(s)` : 'clean');
  return true;
}

/** SUB-5: the 837P through the clearinghouse interface, then the AR-1/AR-2 follow-up plan. False: it could not be sent. */
async function submitPrimary(run: ClaimRun): Promise<boolean> {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const attempt = s.submissions.length + 1;
  let sent: SubmitResult;
  // Issue 12: while the 837P is on its way a close is refused, so the payer's answer finds the claim open.
  if (patched('close-refused-while-sending')) c.sending = true;
  try {
    sent = await payer.submitClaim({
      workflowId: run.workflowId,
      step: `submit:${attempt}:v${s.version}`,
      claim,
      version: s.version,
      payerId: claim.payerId,
      coveragePriority: 'primary',
      frequencyCode: c.frequencyCode,
      originalPayerClaimControlNumber: c.frequencyCode === '7' ? c.payerControlNumber : undefined,
      at: new Date().toISOString(),
    });
  } catch (err) {
    c.sending = undefined;
    // The 837P cannot be built from this claim (missing practice data, values X12 cannot carry):
    // a person has to fix it; the claim waits for the correction instead of failing. An outage
    // never lands here (PAYER_ACTIVITY retries until it ends): it is not a data problem.
    if (patched('send-failure-business-only') && !isBusinessFailure(err)) throw err;
    const reason = err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure ? err.cause.message : String(err);
    await setStatus(run, 'needs_correction', 'system', reason);
    await workItem(run, `x12:v${s.version}:${attempt}`, 'correction', 'SUB-5', `The claim could not be sent: ${reason}`, addBusinessDays(today(), 1));
    await waitUntil(run, () => c.correction !== undefined || c.closeRequest !== undefined || c.timelyFilingPassed);
    if (c.correction) await applyCorrection(run);
    return false;
  }
  c.sending = undefined;
  s.submissions.push({ attempt, payerId: claim.payerId, coverage: 'primary', frequencyCode: c.frequencyCode, interchangeControlNumber: sent.interchangeControlNumber, submittedAt: sent.submittedAt });
  await setStatus(run, 'submitted', 'system', `837P ICN ${sent.interchangeControlNumber}, frequency ${c.frequencyCode}`);
  await db.closeWorkItems({ entityType: 'claim', entityId: s.claimId, practiceId: run.c.claim.practiceId, kinds: ['correction', 'denial_correction', 'credential_hold', 'timely_filing_escalation'], reason: 'corrected claim submitted' });
  // SUB-4 keeps running until the payer accepts the claim: a rejection is not a filing.
  const keepTimelyFiling = patched('sub4-until-accepted');
  cancelTimers(run, (t) => (!keepTimelyFiling && t.id.startsWith('sub4')) || t.id.startsWith('den-'));

  // AR-1/AR-2: structured follow-up fixed at submission, high value first at day 15.
  const submittedOn = sent.submittedAt.slice(0, 10);
  const zoned = claimStepsMerged() ? await zonedRules.zonedFollowUpPlan({ submittedOn, claim: { lines: claim.lines }, practiceId: claim.practiceId }) : undefined;
  const plan = zoned ?? (patched('ar-plan-recorded') ? await rules.followUpPlan({ submittedOn, claim: { lines: claim.lines } }) : arTouchPlan(submittedOn, claim));
  s.arTouches = plan.touches.map((t) => ({ kind: t.kind, ruleId: t.rule, dueDate: t.dueDate, state: 'pending' as const }));
  for (const t of plan.touches) addTimer(run, `ar:${t.kind}`, t.rule, `${t.rule} day-${t.day} ${t.kind.replace(/_/g, ' ')}`, t.dueDate);
  if (zoned) placeTimers(run, zoned.days);
  await summary(run);
  return true;
}

async function applyAppeal(run: ClaimRun) {
  const c = run.c;
  const s = c.state;
  const a = c.appeal!;
  c.appeal = undefined;
  cancelTimers(run, (t) => t.id === 'den-appeal' || t.id === 'den-final');
  await db.markDenialStatus({ claimId: s.claimId, practiceId: run.c.claim.practiceId, status: 'appealed' });
  await db.closeWorkItems({ entityType: 'claim', entityId: s.claimId, practiceId: run.c.claim.practiceId, kinds: ['appeal', 'denial_escalation'], reason: `appeal ${a.appealReference} submitted` });
  await setStatus(run, 'appealed', a.actor, `appeal ${a.appealReference} submitted${a.note ? `: ${a.note}` : ''}`);
  if (patched('appeal-follow-up')) {
    // The payer's answer to an appeal is followed up like any AR: no answer in 45 days → a person calls.
    addTimer(run, `payment-expected:appeal:${a.appealReference}`, 'AR-5', `AR-5 appeal ${a.appealReference}: payer answer expected`, addCalendarDays(today(), 45));
    await summary(run);
  }
}

/**
 * Issue 12: a correction accepted while the claim was denied or rejected, and a payment for it that
 * arrived at the same moment (both applied in one workflow task, the payment first): sending the
 * correction would submit a paid claim a second time. The correction is refused instead (the Update
 * answers 409), and the claim goes on as paid.
 */
function correctionRefusedAsPaid(run: ClaimRun): boolean {
  if (!patched('correction-after-payment')) return false;
  const c = run.c;
  c.correctionRefused = `the payer paid this claim (${money(c.state.paidCents)} posted) before the correction could be sent: it was not resubmitted; review the payment instead`;
  log(run, c.state.status, c.correction!.actor, `correction not sent: the claim was paid meanwhile`);
  c.correction = undefined;
  return true;
}

async function applyCorrection(run: ClaimRun) {
  const c = run.c;
  const s = c.state;
  const correction = c.correction!;
  c.claim = correction.claim;
  s.version += 1;
  s.billedCents = c.claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
  await db.recordClaimVersion({ claimId: s.claimId, practiceId: run.c.claim.practiceId, version: s.version, document: c.claim, reason: correction.reason, actor: correction.actor });
  await db.updateClaimSummary({ claimId: s.claimId, practiceId: run.c.claim.practiceId, version: s.version, document: c.claim });
  await setStatus(run, 'charge_entered', correction.actor, `corrected claim v${s.version}: ${correction.reason}`);
  c.correction = undefined;
}
