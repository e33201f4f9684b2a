/**
 * Applying two kinds of received messages: the payer's acknowledgement (999/277CA, SUB-5) and a
 * staff member's completed work item (AR touches, POST-5 dispute, appeal, denied lines, DEN-5).
 * Remittances have their own module (remittance.ts).
 */
import type { AcknowledgementDelivery, WorkItemCompletion } from '../../contracts/claim';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import { db } from './activities';
import { addTimer, cancelTimers, log, setStatus, workItem, type ClaimRun } from './run';
import { today } from './state';
import { patched } from './patches';

export async function onAck(run: ClaimRun, ack: AcknowledgementDelivery) {
  const c = run.c;
  const s = c.state;
  const sub = [...s.submissions].reverse().find((x) => !ack.interchangeControlNumber || x.interchangeControlNumber === ack.interchangeControlNumber);
  if (!sub || sub.ack) return; // unknown or duplicate acknowledgement: the claim stays as it is
  sub.ack = ack.accepted ? 'accepted' : 'rejected';
  sub.reasons = ack.reasons;
  await db.recordAcknowledgement({ claimId: s.claimId, practiceId: run.c.claim.practiceId, interchangeControlNumber: sub.interchangeControlNumber, accepted: ack.accepted, reasons: ack.reasons, at: ack.at });
  if (ack.payerClaimControlNumber && sub.coverage === 'primary') c.payerControlNumber = ack.payerClaimControlNumber;
  if (ack.accepted) {
    if (sub.coverage === 'primary') cancelTimers(run, (t) => t.id.startsWith('sub4'));
    if (s.status === 'submitted') await setStatus(run, 'acknowledged', 'payer', `accepted (${ack.source})`);
    return;
  }
  if (sub.coverage === 'secondary' && patched('secondary-rejection')) {
    // SUB-5 for the secondary claim: a person corrects the COB data and sends it again.
    await workItem(run, `rejected:${sub.interchangeControlNumber}`, 'secondary_rejection', 'SUB-5', `Secondary claim to ${sub.payerId} rejected: ${ack.reasons.join('; ')}`, addBusinessDays(today(), 2), { reasons: ack.reasons });
    c.openLineDenials += 1;
    return;
  }
  if (s.status !== 'submitted' && s.status !== 'acknowledged') return; // already paid/denied: a late reject changes nothing
  // SUB-5: a front-end rejection is a soft failure that returns to correction.
  cancelTimers(run, (t) => t.id.startsWith('ar:'));
  for (const touch of s.arTouches) if (touch.state === 'pending') touch.state = 'cancelled';
  await setStatus(run, 'rejected', 'payer', `rejected: ${ack.reasons.join('; ')}`);
  await workItem(run, `rejected:${sub.interchangeControlNumber}`, 'correction', 'SUB-5', `Claim rejected by the clearinghouse/payer: ${ack.reasons.join('; ')}`, addBusinessDays(today(), 2), { reasons: ack.reasons });
}

export async function onWorkItem(run: ClaimRun, w: WorkItemCompletion) {
  const c = run.c;
  const s = c.state;
  const touch = s.arTouches.find((t) => t.kind === w.kind && t.state === 'pending');
  if (touch) {
    touch.state = 'done';
    touch.outcome = { ...w.outcome, completedBy: w.completedBy };
    log(run, s.status, w.completedBy, `${touch.ruleId} ${w.kind} recorded`);
    if (w.kind === 'resolution_path') {
      const resolution = String(w.outcome.resolution ?? '');
      s.resolutionPath = { path: resolution, expectedPaymentDate: w.outcome.expectedPaymentDate as string | undefined, note: (w.outcome.note ?? w.outcome.rationale) as string | undefined };
      if (resolution === 'payment_expected' && typeof w.outcome.expectedPaymentDate === 'string') {
        addTimer(run, `payment-expected:${w.outcome.expectedPaymentDate}`, 'AR-5', `AR-5 payment expected by ${w.outcome.expectedPaymentDate}`, addCalendarDays(w.outcome.expectedPaymentDate, 1));
      }
    }
  } else if (w.kind === 'underpayment_dispute') {
    c.openDispute = false;
    cancelTimers(run, (t) => t.id === 'post5-dispute');
    log(run, s.status, w.completedBy, `POST-5 dispute opened: ${String(w.outcome.disputeReference ?? w.outcome.note ?? '')}`);
  } else if (w.kind === 'appeal' && s.status === 'denied' && typeof w.outcome.appealReference === 'string') {
    // Completing the appeal task is submitting the appeal (same as the submit-appeal action).
    c.appeal = { actor: w.completedBy, appealReference: w.outcome.appealReference, note: w.outcome.note as string | undefined };
  } else if (w.kind === 'line_denial' || w.kind === 'secondary_rejection') {
    if (w.kind === 'secondary_rejection') c.secondaryAdjudicated = true; // resolved by a person (resent or billed elsewhere)
    c.openLineDenials = Math.max(0, c.openLineDenials - 1);
    log(run, s.status, w.completedBy, `DEN-1 denied line worked: ${String(w.outcome.resolution ?? w.outcome.note ?? 'resolved')}`);
  } else if (w.kind === 'peer_to_peer') {
    log(run, s.status, w.completedBy, `DEN-5 peer-to-peer: ${String(w.outcome.result ?? w.outcome.note ?? 'requested')}`);
  }
}
