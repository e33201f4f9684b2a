/** Charge-entry rules CHG-3, CHG-4, CHG-5 (DOMAIN.md §3 "Charge entry"). */
import { isValidNpi } from '../npi';
import { BILATERAL_PAYMENT_PERCENT, MODIFIERS, placeOfService } from '../reference';
import type { Finding } from './schemas';
import { type ClaimView, finding, formatCents } from './claim-view';
import { allowableFor } from '../contract';

/** CHG-3: rendering NPI valid, and the provider enrolled with the claim's payer on the date of service. */
export function checkRenderingProvider(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  if (!isValidNpi(view.claim.renderingNpi)) {
    findings.push(
      finding('CHG-3', 'error', 'The rendering NPI fails the NPI check-digit test; it is not a valid NPI.', {
        fix: "Correct the rendering provider's NPI from NPPES.",
      }),
    );
  }
  const enrollment = view.context.providerEnrollment;
  if (!enrollment) return findings;
  const dos = view.claim.serviceDate;
  const hold = `Hold the claim until the provider is enrolled with ${view.policy.name} for the date of service (CRED-6/7).`;
  if (!enrollment.active) {
    findings.push(finding('CHG-3', 'error', `The rendering provider is not actively enrolled with ${view.policy.name}.`, { fix: hold }));
  } else if (enrollment.effectiveDate && dos < enrollment.effectiveDate) {
    findings.push(
      finding('CHG-3', 'error', `The rendering provider's enrollment with ${view.policy.name} starts ${enrollment.effectiveDate}, after the date of service.`, { fix: hold }),
    );
  } else if (enrollment.endDate && dos > enrollment.endDate) {
    findings.push(
      finding('CHG-3', 'error', `The rendering provider's enrollment with ${view.policy.name} ended ${enrollment.endDate}, before the date of service.`, { fix: hold }),
    );
  }
  return findings;
}

/** CHG-4: place of service is a known code, and only E/M may be billed with a telehealth POS (02, 10). */
export function checkPlaceOfService(view: ClaimView): Finding[] {
  const pos = view.claim.placeOfService;
  const known = placeOfService(pos);
  if (!known) {
    return [
      finding('CHG-4', 'warning', `Place of service ${pos} is not one this practice bills (11 office, 22 outpatient hospital, 24 ASC, 10/02 telehealth).`, {
        fix: 'Check the place of service against where the service was rendered.',
      }),
    ];
  }
  if (!known.telehealth) return [];
  return view.lines
    .filter((l) => l.family !== 'em')
    .map((l) =>
      finding('CHG-4', 'error', `${l.cpt} cannot be rendered by telehealth (place of service ${pos}, ${known.name}); only E/M visits may be.`, {
        line: l.number,
        fix: 'Use the place of service where the procedure was performed (11 office, 22 outpatient hospital, 24 ASC).',
      }),
    );
}

/** CHG-5: billed amount ≥ payer allowable × units on the fee schedule of the service year; stale schedule flagged. */
export function checkChargeVsAllowable(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const schedule = view.feeSchedule;
  const serviceYear = Number(view.claim.serviceDate.slice(0, 4));
  const whose = schedule.label ? ` (${schedule.label})` : '';
  if (schedule.year !== serviceYear) {
    findings.push(
      finding('CHG-5', 'warning', `The fee schedule in use is for ${schedule.year}, not the service year ${serviceYear}${whose}.`, {
        fix: `Load the ${serviceYear} fee schedule for ${view.policy.name} and re-check charges.`,
      }),
    );
  }
  for (const l of view.lines) {
    const priced = allowableFor(schedule.allowableCents, l.cpt, l.modifiers);
    if (priced === undefined) continue;
    const allowable = priced.cents;
    const bilateral = l.modifiers.includes(MODIFIERS.bilateral);
    // A price for the code with modifier 50 is the bilateral price itself.
    const expected = priced.pricedModifier === MODIFIERS.bilateral ? allowable : Math.round((allowable * l.line.units * (bilateral ? BILATERAL_PAYMENT_PERCENT : 100)) / 100);
    if (l.line.chargeCents < expected) {
      findings.push(
        finding(
          'CHG-5',
          'warning',
          `${l.cpt} is billed at ${formatCents(l.line.chargeCents)}, below the ${schedule.year} allowable of ${formatCents(expected)}${bilateral && priced.pricedModifier !== MODIFIERS.bilateral ? ' (bilateral 150%)' : ''}${whose}; the payer will pay no more than the charge.`,
          { line: l.number, fix: `Update the charge master: bill ${l.cpt} at ${formatCents(expected)} or more.` },
        ),
      );
    }
  }
  return findings;
}

export const CHARGE_RULES = [checkRenderingProvider, checkPlaceOfService, checkChargeVsAllowable] as const;
