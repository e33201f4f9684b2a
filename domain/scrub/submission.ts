/** Claim-submission rules SUB-2, SUB-3, SUB-4 (SUB-1 is the engine itself: see index.ts). */
import { PROCEDURE_FAMILIES, type ProcedureFamily, diagnosisCovered } from '../reference';
import type { Finding } from './schemas';
import { type ClaimView, type LineView, finding, plural } from './claim-view';
import { addCalendarDays as addDays, toEpochDay as dayNumber } from '../business-days';

const FAMILY_LABEL: Record<ProcedureFamily, string> = {
  esi: 'epidural steroid injections',
  facet: 'facet joint procedures',
  rfa: 'radiofrequency ablation',
  scs: 'spinal cord stimulation',
};

export function procedureFamilyOf(l: LineView): ProcedureFamily | undefined {
  return (PROCEDURE_FAMILIES as readonly string[]).includes(l.family ?? '') ? (l.family as ProcedureFamily) : undefined;
}

/** SUB-2: the diagnoses a procedure line points at support its medical necessity (payer covered diagnoses). */
export function checkDiagnosisSupport(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  for (const l of view.lines) {
    const family = procedureFamilyOf(l);
    if (!family) continue;
    const covered = view.policy.coveredDiagnoses[family];
    if (!covered || covered.length === 0) continue;
    const pointed = l.line.diagnosisPointers.map((p) => view.claim.diagnoses[p - 1]).filter((dx): dx is string => dx !== undefined);
    const supporting = pointed.map((dx) => diagnosisCovered(dx, covered));
    if (!supporting.some(Boolean)) {
      const examples = covered.slice(0, 3).map((c) => `${c}x`).join(', ');
      findings.push(
        finding('SUB-2', 'error', `None of the diagnoses on this line (${pointed.join(', ')}) supports ${FAMILY_LABEL[family]} under ${view.policy.name} coverage policy.`, {
          line: l.number,
          fix: `Point ${l.cpt} at a diagnosis covered for ${FAMILY_LABEL[family]} (e.g. ${examples}) if the record supports one; otherwise the service is not covered.`,
        }),
      );
    } else if (!supporting[0]) {
      const first = pointed[supporting.indexOf(true)];
      findings.push(
        finding('SUB-2', 'warning', `The first diagnosis pointer on this line does not support ${FAMILY_LABEL[family]}; ${first} does.`, {
          line: l.number,
          fix: `Put the pointer to ${first} first on ${l.cpt}.`,
        }),
      );
    }
  }
  return findings;
}

export function requiresPriorAuth(view: ClaimView, l: LineView): boolean {
  if (view.policy.priorAuthCpts.includes(l.cpt)) return true;
  const family = procedureFamilyOf(l);
  return family !== undefined && view.policy.priorAuthFamilies.includes(family);
}

/** SUB-3: an authorization number on every line that needs prior auth (and it is the one on file). */
export function checkAuthorizationNumber(view: ClaimView): Finding[] {
  const needing = view.lines.filter((l) => requiresPriorAuth(view, l));
  if (needing.length === 0) return [];
  const number = view.claim.priorAuthNumber;
  if (!number) {
    return needing.map((l) =>
      finding('SUB-3', 'error', `${view.policy.name} requires prior authorization for ${l.cpt} and the claim has no authorization number.`, {
        line: l.number,
        fix: 'Enter the prior authorization number (REF*G1) from the approved authorization; if none was obtained, hold the claim and open an authorization work item.',
      }),
    );
  }
  const onFile = view.context.authorization?.number;
  if (onFile && onFile !== number) {
    return [
      finding('SUB-3', 'error', 'The authorization number on the claim does not match the authorization on file for this procedure.', {
        fix: 'Enter the authorization number of the approved authorization that covers this date of service.',
      }),
    ];
  }
  return [];
}

/** SUB-4: submission (asOf) within the payer's timely-filing window from the date of service; near the end escalates. */
export function checkTimelyFiling(view: ClaimView): Finding[] {
  const dos = view.claim.serviceDate;
  const policy = view.policy;
  if (view.asOf < dos) {
    return [
      finding('SUB-4', 'error', `The submission date ${view.asOf} is before the date of service ${dos}.`, {
        fix: 'Submit the claim on or after the date of service.',
      }),
    ];
  }
  const daysLeft = dayNumber(dos) + policy.timelyFilingDays - dayNumber(view.asOf);
  if (daysLeft > policy.timelyFilingWarningDays) return [];
  const deadline = addDays(dos, policy.timelyFilingDays);
  const notAppealable = policy.type === 'medicare' ? ' Medicare timely-filing denials (CARC 29) cannot be appealed.' : '';
  if (daysLeft < 0) {
    return [
      finding('SUB-4', 'error', `The ${policy.timelyFilingDays}-day timely-filing window for ${policy.name} closed on ${deadline}.${notAppealable}`, {
        fix: 'Do not submit as a new claim; submit only with proof of timely filing (e.g. an earlier clearinghouse acceptance report), otherwise route to write-off review.',
      }),
    ];
  }
  return [
    finding('SUB-4', 'warning', `Only ${plural(daysLeft, 'day')} left to file with ${policy.name} (deadline ${deadline}).${notAppealable}`, {
      fix: 'Resolve the other findings and submit today.',
    }),
  ];
}

export const SUBMISSION_RULES = [checkDiagnosisSupport, checkAuthorizationNumber, checkTimelyFiling] as const;
