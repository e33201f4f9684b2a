/**
 * What a claim does when one of its deadlines comes due (SUB-4 timely filing, AR-1..AR-5 follow-up,
 * DEN-3/DEN-4 denial windows, POST-5 dispute, CRED-7 hold re-check). Every deadline is a durable
 * timer in `state.timers`, computed from the event that starts it, never from when it was noticed.
 */
import type { ClaimTimer } from '../../contracts/claim';
import type { TouchKind } from '../../domain/ar';
import { deliver } from '../inbox';
import { payer } from './activities';
import { log, setStatus, workItem, type ClaimRun } from './run';
import { accepted, awaitingPayer, money, today } from './state';

const AR_TITLES: Record<string, (billedCents: number) => string> = {
  active_payer_contact: (billed) => `Day 15, high-value claim (${money(billed)}): contact the payer and record the status (AR-2)`,
  payer_call: () => 'Day 60, no payment: call the payer, record the representative name and reference number (AR-4)',
  resolution_path: () => 'Day 90: choose the resolution path: payment expected (date), appeal in process, or write-off analysis (AR-5)',
};

export async function onTimer(run: ClaimRun, t: ClaimTimer) {
  const c = run.c;
  const s = c.state;
  if (t.id === 'sub4-warning') {
    if (!accepted(c) && s.status !== 'closed') {
      await workItem(run, 'sub4-warning', 'timely_filing_escalation', 'SUB-4', `Timely filing: ${s.timelyFilingDeadline} is the last day to submit (AR-7 escalation)`, s.timelyFilingDeadline, { deadline: s.timelyFilingDeadline });
      log(run, s.status, 'system', `SUB-4/AR-7 escalated: timely filing ends ${s.timelyFilingDeadline}`);
    }
  } else if (t.id === 'sub4-expired') {
    c.timelyFilingPassed = true;
    if (!accepted(c) && ['needs_correction', 'held', 'rejected', 'charge_entered', 'scrubbed'].includes(s.status)) {
      await workItem(run, 'sub4-expired', 'write_off_review', 'SUB-4', `Timely filing window closed on ${s.timelyFilingDeadline}: submission blocked, review for write-off`, today());
      await setStatus(run, 'timely_filing_expired', 'system', `SUB-4: the filing window (${s.timelyFilingDeadline}) has passed; submission is blocked`);
    }
  } else if (t.id.startsWith('ar:')) {
    await onFollowUp(run, t.id.slice(3) as TouchKind);
  } else if (t.id.startsWith('payment-expected')) {
    if (awaitingPayer(c) || s.status === 'appealed' || (s.status === 'secondary_submitted' && !c.secondaryAdjudicated)) {
      await workItem(run, t.id, 'payment_overdue', 'AR-5', s.status === 'appealed' ? 'No answer to the appeal: call the payer and record the status' : 'The payment the payer promised has not arrived: follow up', today());
    }
  } else if (t.id === 'den-correction') {
    if (s.status === 'denied') await workItem(run, `den-correction-overdue:${s.denial?.denialDate}:v${s.version}`, 'denial_escalation', 'DEN-3', 'Soft denial not corrected within 5 business days: escalate', today());
  } else if (t.id === 'den-appeal') {
    if (s.status === 'denied') {
      await workItem(run, `den-appeal-overdue:${s.denial?.denialDate}:v${s.version}`, 'denial_escalation', 'DEN-4', `Hard denial not appealed within 30 days of the denial date (${s.denial?.denialDate}); payer deadline ${s.denial?.payerAppealDeadline}`, s.denial?.payerAppealDeadline);
    }
  } else if (t.id === 'den-final') {
    if (s.status === 'denied') await workItem(run, `den-final:${s.denial?.denialDate}:v${s.version}`, 'write_off_review', 'DEN-4', `The payer's appeal window closed on ${s.denial?.payerAppealDeadline}: review for write-off`, today());
  } else if (t.id === 'post5-dispute') {
    if (c.openDispute) await workItem(run, `post5-dispute-overdue:${s.payments.length}`, 'dispute_escalation', 'POST-5', 'Underpayment dispute not opened within 5 business days: escalate', today());
  } else if (t.id.startsWith('hold-recheck')) {
    if (s.status === 'held') deliver(c.inbox, { type: 'credential' });
  }
}

/** AR-2..AR-5: a follow-up touch comes due while the payer has not answered. */
async function onFollowUp(run: ClaimRun, kind: TouchKind) {
  const c = run.c;
  const s = c.state;
  const touch = s.arTouches.find((x) => x.kind === kind && x.state === 'pending');
  if (!touch || !awaitingPayer(c)) return;
  if (kind === 'status_inquiry') {
    // AR-3: a 276 status inquiry through the gateway, result documented on the claim.
    const last = s.submissions[s.submissions.length - 1];
    const result = await payer.statusInquiry({ claimId: s.claimId, practiceId: run.c.claim.practiceId, payerId: c.claim.payerId, submittedAt: last.submittedAt });
    touch.state = 'done';
    touch.outcome = { channel: 'edi_276', claimStatus: result.category, note: result.detail, checkedAt: result.checkedAt };
    log(run, s.status, 'system', `AR-3 day-30 276 status inquiry: ${result.category} — ${result.detail}`);
    if (result.category === 'not_found') {
      await workItem(run, `ar:${s.submissions.length}:status_inquiry`, 'status_inquiry', 'AR-3', 'Payer has no record of the claim at day 30: check the portal and resubmit if needed', touch.dueDate, { inquiry: result });
    }
  } else {
    await workItem(run, `ar:${s.submissions.length}:${kind}`, kind, touch.ruleId, AR_TITLES[kind]?.(s.billedCents) ?? kind, touch.dueDate);
  }
}
