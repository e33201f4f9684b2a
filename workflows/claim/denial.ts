/**
 * The payer's denial of the claim (DEN-1..DEN-6) and the secondary payer's answer (POST-6).
 */
import type { RemittanceDelivery } from '../../contracts/claim';
import { addBusinessDays, addCalendarDays } from '../../domain/business-days';
import { db } from './activities';
import { addTimer, cancelTimers, setStatus, workItem, type ClaimRun } from './run';
import { money, today } from './state';
import { patched } from './patches';

/** The secondary payer answered: paid, or denied (worked before the claim closes). */
export async function onSecondaryAnswer(run: ClaimRun, d: RemittanceDelivery, denied: boolean) {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const cp = d.claimPayment;
  c.secondaryAdjudicated = true;
  cancelTimers(run, (t) => t.id.startsWith('payment-expected:secondary'));
  if (denied && patched('secondary-denial-worked')) {
    // DEN-1/DEN-2 for the secondary payer's denial: logged and worked before the claim closes.
    const secondaryDenial = await db.classifyAndLogDenial({ claim: { ...claim, payerId: d.payerId }, delivery: d });
    const cls = secondaryDenial.classification;
    c.openLineDenials += 1;
    c.lineDeniedCents += s.patientResponsibilityCents;
    await workItem(run, `secondary-denial:${d.remittanceKey}:${d.seq}`, 'line_denial', cls.category === 'soft' ? 'DEN-3' : 'DEN-4', `Secondary payer ${d.payerId} denied the claim (CARC ${cls.primaryCarc ?? 'unknown'}, ${cls.category}): ${cls.category === 'soft' ? 'correct and resubmit' : 'appeal or bill the patient'}`, cls.category === 'soft' ? secondaryDenial.correctionDue : secondaryDenial.internalAppealDue, {
      carc: cls.primaryCarc,
      category: cls.category,
      kind: cls.kind,
      coverage: 'secondary',
      cpts: claim.lines.map((l) => l.cpt),
    });
    await setStatus(run, 'posted', 'system', `secondary claim denied by ${d.payerId} (CARC ${cls.primaryCarc ?? 'unknown'}): being worked`);
    return;
  }
  await setStatus(run, 'posted', 'system', `secondary payment ${money(cp.paidCents)} posted`);
}

/** DEN-1..DEN-6: the denial is classified and logged, and worked by its deadlines. */
export async function onDenial(run: ClaimRun, d: RemittanceDelivery) {
  const c = run.c;
  const s = c.state;
  const claim = c.claim;
  const denial = await db.classifyAndLogDenial({ claim, delivery: d });
  s.denial = {
    carc: denial.classification.primaryCarc,
    category: denial.classification.category,
    kind: denial.classification.kind,
    appealable: denial.classification.appealable,
    denialDate: denial.denialDate,
    correctionDue: denial.correctionDue,
    internalAppealDue: denial.internalAppealDue,
    payerAppealDeadline: denial.payerAppealDeadline,
    peerToPeerDue: denial.peerToPeerDue,
    appealPackage: denial.appealPackage,
    deniedVersion: s.version,
  };
  const carc = denial.classification.primaryCarc ?? 'unknown';
  await setStatus(run, 'denied', 'payer', `denied CARC ${carc} (${denial.classification.category}, ${denial.classification.kind}); denial date ${denial.denialDate}`);
  await db.checkDenialPattern({ practiceId: claim.practiceId, payerId: d.payerId, asOf: d.receivedAt.slice(0, 10) });
  if (denial.classification.category === 'soft') {
    await workItem(run, `denial:${d.remittanceKey}:correct`, 'denial_correction', 'DEN-3', `Soft denial CARC ${carc}: correct and resubmit (frequency 7) by ${denial.correctionDue}`, denial.correctionDue, { carc, rarcs: denial.rarcs });
    if (denial.correctionDue) addTimer(run, 'den-correction', 'DEN-3', `DEN-3 corrected claim due ${denial.correctionDue}`, addCalendarDays(denial.correctionDue, 1));
  } else if (!denial.classification.appealable) {
    await workItem(run, `denial:${d.remittanceKey}:review`, 'write_off_review', 'DEN-2', `Hard denial CARC ${carc} is not appealable: review for write-off`, addBusinessDays(today(), 5), { carc });
  } else {
    await workItem(run, `denial:${d.remittanceKey}:appeal`, 'appeal', 'DEN-4', `Hard denial CARC ${carc}: appeal by ${denial.internalAppealDue} (payer deadline ${denial.payerAppealDeadline})`, denial.internalAppealDue, {
      carc,
      rarcs: denial.rarcs,
      appealPackage: denial.appealPackage, // DEN-6: the two diagnostic MBB notes for an RFA denial
      mbbNotes: denial.mbbNotes,
      payerAppealDeadline: denial.payerAppealDeadline,
    });
    if (denial.peerToPeerDue) {
      await workItem(run, `denial:${d.remittanceKey}:p2p`, 'peer_to_peer', 'DEN-5', `Medical-necessity denial of an interventional procedure: request peer-to-peer today (${denial.peerToPeerDue})`, denial.peerToPeerDue, { carc });
    }
    if (denial.internalAppealDue) addTimer(run, 'den-appeal', 'DEN-4', `DEN-4 appeal due ${denial.internalAppealDue}`, addCalendarDays(denial.internalAppealDue, 1));
    if (denial.payerAppealDeadline) addTimer(run, 'den-final', 'DEN-4', `DEN-4 payer appeal window closes ${denial.payerAppealDeadline}`, addCalendarDays(denial.payerAppealDeadline, 1));
  }
}
