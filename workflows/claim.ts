/**
 * claimWorkflow: one per claim (`claim:<practiceId>:<claimId>`, before issue 13 `claim:<claimId>`), from charge entry until every dollar is posted
 * or the claim is closed. Deterministic orchestration only: time comes from the workflow clock,
 * every side effect (Postgres, payer gateway) from an activity, and rules whose outcome must not
 * change on replay (scrub, denial classification, contract comparison) run inside activities so
 * their results are recorded in history.
 *
 * Shape (workflows/claim/): ALL of the claim's state is one plain-JSON object (state.ts; what
 * continue-as-new carries); signals and updates only deliver to it (handlers.ts, the shared inbox
 * of workflows/inbox.ts); one loop applies them, fires due deadlines and advances the claim
 * (lifecycle.ts, deadlines.ts, answers.ts, remittance.ts, denial.ts, secondary.ts). Every deadline
 * is a durable timer in `state.timers`, computed from the event that starts it (DOS, submission,
 * ERA receipt, the payer's denial date), never from when the workflow noticed it.
 */
import * as wf from '@temporalio/workflow';
import type { ClaimWorkflowInput, ClaimWorkflowState } from '../contracts/claim';
import { CptCodes, DollarsAtRisk, PayerId, PracticeId, ProviderNpi, RcmKind, RcmStatus } from '../contracts/search-attributes';
import { addCalendarDays, daysBetween } from '../domain/business-days';
import { take } from './inbox';
import { batchClaimWrites, claimStepsMerged, db, flushClaimWrites, upsertClaimSearchAttributes } from './claim/activities';
import { registerClaimHandlers } from './claim/handlers';
import { claimLoop } from './claim/lifecycle';
import { applyImportedSubmission } from './claim/imported';
import { addTimer, cancelTimers, log, placeTimers, setStatus, summary, type ClaimRun } from './claim/run';
import { dollarsAtRiskCents, initialClaimState } from './claim/state';
import { PATCHES_DECIDED_AT_START, patched } from './claim/patches';

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimWorkflowState> {
  const run: ClaimRun = { input, workflowId: wf.workflowInfo().workflowId, c: initialClaimState(input), lastSearchAttributes: '' };
  const c = run.c;
  const s = c.state;
  registerClaimHandlers(run);
  // Issue 16: PostgreSQL calls batched into one local activity per step, search attributes once per step.
  if (wf.patched('claim-db-local')) {
    // Issue 16: rule answers fetched with the step's own call (3 local activities fewer per clean
    // claim), and every earlier patch of the claim code implied by this one marker (claim/patches.ts).
    const merged = wf.patched('claim-steps-merged');
    batchClaimWrites(merged);
    // Claims started between the two patches decide these here, before any local activity: a patch
    // first decided right after a local activity in the same workflow task made the history fail to
    // replay under load ("patch marker ... no corresponding change command", bench:claims and
    // api/remittances.int.test.ts). These are the ones a clean, held or line-denied claim reaches, so
    // deciding them early records no marker the claim would not record later.
    if (!merged) for (const id of PATCHES_DECIDED_AT_START) wf.patched(id);
  }

  upsertClaimSearchAttributes([
    { key: RcmKind, value: 'claim' },
    { key: RcmStatus, value: s.status },
    { key: PracticeId, value: c.claim.practiceId },
    { key: PayerId, value: c.claim.payerId },
    { key: ProviderNpi, value: c.claim.renderingNpi },
    { key: CptCodes, value: [...new Set(c.claim.lines.map((l) => l.cpt))] },
    { key: DollarsAtRisk, value: (input.carried ? dollarsAtRiskCents(c) : s.billedCents) / 100 },
  ]);
  if (!input.carried) {
    await enterCharge(run);
    if (input.imported) await applyImportedSubmission(run, input.imported);
  }

  await claimLoop(run);

  // Closed: nothing left to chase.
  const close = c.closeRequest!;
  cancelTimers(run, () => true);
  await db.closeWorkItems({ entityType: 'claim', entityId: s.claimId, practiceId: run.c.claim.practiceId, reason: `claim closed: ${close.reason}` });
  await setStatus(run, 'closed', close.actor, close.reason);
  await summary(run);
  await flushClaimWrites();
  await wf.condition(wf.allHandlersFinished);
  if (patched('park-after-close')) {
    // A payment that arrives while the claim closes is parked for a person, never dropped.
    for (let m = take(c.inbox); m; m = take(c.inbox)) {
      if (m.type === 'remittance') await db.parkClosedClaimPayment({ claimId: s.claimId, practiceId: c.claim.practiceId, delivery: m.delivery });
    }
  }
  await flushClaimWrites();
  return s;
}

/** The charge is recorded (CHG-1 charge lag) and its timely filing window starts (SUB-4). */
async function enterCharge(run: ClaimRun) {
  const { c, input } = run;
  const s = c.state;
  const claim = c.claim;
  await db.recordClaim({ claim, enteredAt: input.enteredAt, actor: input.actor, workflowId: run.workflowId });
  // Issue 13: this claim's deadlines fire when their date begins in the practice's time zone.
  if (patched('deadlines-in-practice-zone')) c.zoneDeadlines = true;
  // Since 'claim-steps-merged' the policy comes with where the SUB-4 dates begin in the practice's zone.
  const charged = claimStepsMerged() ? await db.chargePolicy({ payerId: claim.payerId, practiceId: claim.practiceId, serviceDate: claim.serviceDate }) : undefined;
  const policy = charged ?? (await db.claimPolicy({ payerId: claim.payerId }));
  // CHG-1: charge lag from the DOS to charge entry, measured and recorded per claim.
  s.chargeLagDays = Math.max(0, daysBetween(claim.serviceDate, input.enteredAt.slice(0, 10)));
  if (s.chargeLagDays > 7) log(run, s.status, 'system', `CHG-1: charge entered ${s.chargeLagDays} days after the date of service (target: same week)`);
  // SUB-4: timely filing counted from the date of service with the payer's window.
  s.timelyFilingDeadline = addCalendarDays(claim.serviceDate, policy.timelyFilingDays);
  addTimer(run, 'sub4-warning', 'SUB-4', `SUB-4 timely filing, ${policy.timelyFilingWarningDays} days left`, addCalendarDays(s.timelyFilingDeadline, -policy.timelyFilingWarningDays));
  addTimer(run, 'sub4-expired', 'SUB-4', `SUB-4 timely filing window closes ${s.timelyFilingDeadline}`, addCalendarDays(s.timelyFilingDeadline, 1));
  if (charged) placeTimers(run, charged.days);
  await summary(run, { claimId: s.claimId, chargeLagDays: s.chargeLagDays });
}
