/**
 * Applying a remittance (835 claim payment) to the claim: posting (POST-1..POST-5), reversal, the
 * payer's denial (DEN-1..DEN-6), denied lines inside a paid claim, and the secondary claim (POST-6).
 * Which rules say a payment is a denial are recorded in history (rules.paymentRules).
 */
import type { ClaimPayment } from '../../domain/remittance';
import type { RemittanceDelivery } from '../../contracts/claim';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import { deniedLineIndexes, isDenied } from '../../domain/denials';
import { claimStepsMerged, db, rules, type Activities } from './activities';
import { addTimer, cancelTimers, log, setStatus, workItem, type ClaimRun } from './run';
import { money } from './state';
import { onDenial, onSecondaryAnswer } from './denial';
import { sendSecondary } from './secondary';
import { patched } from './patches';

const AR_WORK_ITEM_KINDS = ['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path', 'payment_overdue'];

type Posted = Awaited<ReturnType<Activities['postClaimPayment']>>;
type PaymentRules = Awaited<ReturnType<Activities['paymentRules']>>;

export async function onRemittance(run: ClaimRun, d: RemittanceDelivery) {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const cp = d.claimPayment;
  const secondary = cp.statusCode === '2' || cp.statusCode === '20' || (c.secondarySent && d.payerId === claim.secondaryCoverage?.payerId);
  // A payer response at any point cancels the pending follow-up touches (AR-1).
  cancelTimers(run, (t) => t.id.startsWith('ar:') || t.id.startsWith('payment-expected'));
  for (const touch of s.arTouches) if (touch.state === 'pending') touch.state = 'cancelled';
  await db.closeWorkItems({ entityType: 'claim', entityId: s.claimId, practiceId: run.c.claim.practiceId, kinds: AR_WORK_ITEM_KINDS, reason: 'the payer responded' });

  if (cp.payerClaimControlNumber && !secondary) c.payerControlNumber = cp.payerClaimControlNumber; // CLP07: the ICN a replacement claim refers to
  const postInput = { claim, delivery: d, coveragePriority: secondary ? 'secondary' : 'primary', postedAt: new Date().toISOString() };
  const posted: Posted & { paymentRules?: PaymentRules } = claimStepsMerged() ? await db.postPaymentWithRules(postInput) : await db.postClaimPayment(postInput);
  s.payments.push({
    remittanceKey: d.remittanceKey,
    statusCode: cp.statusCode,
    paidCents: cp.paidCents,
    patientResponsibilityCents: cp.patientResponsibilityCents,
    expectedCents: posted.expectedCents,
    underpaidCents: posted.underpaidCents,
    postedAt: new Date().toISOString(),
    findings: posted.findings.map((f) => ({ rule: f.rule, kind: f.kind, message: f.message })),
  });
  s.paidCents += cp.paidCents;
  if (!secondary) s.patientResponsibilityCents += cp.patientResponsibilityCents;
  // Which rules say this payment is a denial, which lines are denied, when a dispute is due: recorded
  // (claims started before 'payment-rules-recorded' compute them here, as they did).
  const recordedRules = posted.paymentRules ?? (patched('payment-rules-recorded') ? await rules.paymentRules({ claimPayment: cp, receivedOn: d.receivedAt.slice(0, 10) }) : undefined);
  const denied = recordedRules ? recordedRules.denied : isDenied(cp);
  const acknowledgedSub = [...s.submissions].reverse().find((x) => !x.ack);
  if (acknowledgedSub) acknowledgedSub.ack = 'accepted'; // a payment is an acceptance, even if the 277CA never came
  if (!secondary) cancelTimers(run, (t) => t.id.startsWith('sub4'));

  if ((cp.statusCode === '23' || cp.statusCode === '25') && patched('clp02-23-25')) {
    if (cp.statusCode === '23') {
      // Not this payer's claim, forwarded to another: coordination of benefits needs a person.
      await workItem(run, `cob:${d.remittanceKey}:${d.seq}`, 'coordination_of_benefits', 'POST-6', `Payer ${d.payerId} says the claim is not theirs (CLP02 23): confirm coverage order and bill the right payer`, addBusinessDays(d.receivedAt.slice(0, 10), 1));
    }
    log(run, s.status, 'payer', cp.statusCode === '23' ? 'CLP02 23: not our claim, forwarded' : 'CLP02 25: predetermination pricing only, no payment');
    return;
  }
  if (cp.statusCode === '22') {
    // Reversal of a previous payment: amounts come back out; the corrected payment follows.
    await setStatus(run, 'acknowledged', 'payer', `payment reversed (${money(cp.paidCents)}); awaiting the corrected payment`);
    c.primaryDone = false;
    if (patched('reversal-follow-up')) {
      // The corrected payment is followed up if it does not come within 30 days of the reversal.
      addTimer(run, `payment-expected:reversal:${d.remittanceKey}`, 'AR-5', 'AR-5 corrected payment expected after a reversal', addCalendarDays(d.receivedAt.slice(0, 10), 30));
    }
    return;
  }

  if (secondary) return onSecondaryAnswer(run, d, denied);
  if (denied) return onDenial(run, d);
  await onPaid(run, d, posted, recordedRules);
}

/** Paid (in full or in part): denied lines are worked, an underpayment disputed, the secondary billed. */
async function onPaid(run: ClaimRun, d: RemittanceDelivery, posted: Posted, recordedRules: PaymentRules | undefined) {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const cp: ClaimPayment = d.claimPayment;
  cancelTimers(run, (t) => t.id.startsWith('den-'));
  await db.closeWorkItems({ entityType: 'claim', entityId: s.claimId, practiceId: run.c.claim.practiceId, kinds: ['correction', 'denial_correction', 'appeal', 'peer_to_peer', 'denial_escalation', 'timely_filing_escalation'], reason: 'the claim has since been paid' });
  if (s.denial) await db.markDenialStatus({ claimId: s.claimId, practiceId: run.c.claim.practiceId, status: 'resolved_paid' });
  const deniedLines = (recordedRules?.deniedLineIndexes ?? deniedLineIndexes(cp)).map((i) => cp.lines[i]);
  if (deniedLines.length && patched('line-denials-worked')) {
    // DEN-1/DEN-2 for the lines the payer denied inside a paid claim: logged, classified, worked.
    const lineDenial = await db.classifyAndLogDenial({
      claim,
      delivery: { ...d, claimPayment: { ...cp, adjustments: [], lines: deniedLines, paidCents: 0, statusCode: '4' } },
    });
    const cls = lineDenial.classification;
    const due = cls.category === 'soft' ? lineDenial.correctionDue : lineDenial.internalAppealDue;
    c.openLineDenials += 1;
    c.lineDeniedCents += deniedLines.reduce((sum, l) => sum + l.chargedCents, 0);
    await workItem(run, `line-denial:${d.remittanceKey}:${d.seq}`, 'line_denial', cls.category === 'soft' ? 'DEN-3' : 'DEN-4', `Line(s) ${deniedLines.map((l) => l.cpt).join(', ')} denied (CARC ${cls.primaryCarc ?? 'unknown'}, ${cls.category}): ${cls.category === 'soft' ? 'correct and resubmit' : 'appeal'} by ${due}`, due, {
      carc: cls.primaryCarc,
      category: cls.category,
      kind: cls.kind,
      cpts: deniedLines.map((l) => l.cpt),
      payerAppealDeadline: lineDenial.payerAppealDeadline,
      appealPackage: lineDenial.appealPackage,
    });
  }
  const partial = posted.disputeRequired || cp.lines.some((l) => l.paidCents === 0 && l.chargedCents > 0);
  await setStatus(run, partial ? 'partially_paid' : 'paid', 'payer', `paid ${money(cp.paidCents)}, patient responsibility ${money(cp.patientResponsibilityCents)}`);
  c.primaryDone = true;
  if (posted.disputeRequired) {
    // POST-5: an underpayment is disputed within 5 business days of the ERA, never adjusted off.
    const due = recordedRules?.disputeDue ?? addBusinessDays(d.receivedAt.slice(0, 10), 5);
    c.openDispute = true;
    await workItem(run, `dispute:${d.remittanceKey}`, 'underpayment_dispute', 'POST-5', `Underpaid by ${money(posted.underpaidCents)} against the contract: open a dispute by ${due}`, due, {
      underpaidCents: posted.underpaidCents,
      findings: posted.findings.filter((f) => f.rule !== 'POST-2' || f.kind !== 'no_contract_rate'),
    });
    addTimer(run, 'post5-dispute', 'POST-5', `POST-5 dispute due ${due}`, addCalendarDays(due, 1));
  }
  await setStatus(run, 'posted', 'system', posted.disputeRequired ? `posted; underpayment of ${money(posted.underpaidCents)} to dispute` : 'posted at contract');
  const crossedOver = cp.statusCode === '19' && patched('crossover-19');
  if (crossedOver && claim.secondaryCoverage) log(run, s.status, 'payer', `CLP02 19: ${d.payerId} forwarded the claim to the secondary payer (crossover); no secondary claim of ours`);
  await sendSecondary(run, d, crossedOver);
}
