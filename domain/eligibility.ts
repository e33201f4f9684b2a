/**
 * Eligibility and benefits rules (DOMAIN.md ELIG-1…ELIG-7) as pure functions over a 271-shaped
 * answer, the payer policy and our own procedure history. No I/O, no clock: the check date is an
 * argument. Safe to import from workflow code.
 */
import type { Approach, Laterality, Region } from './claim-document';
import { addCalendarDays } from './business-days';
import type { PayerPolicy } from './payer-policy';
import { codeInfo, type RegionGroup } from './reference';
import { FACET_AXIAL_PAIN_MONTHS, frequencyFinding, regionGroupOf, scopeFindings, sessionsInRolling12Months, windowAndVisitFindings, type AuthFamily, type Finding, type PriorProcedure } from './authorization';

/** ELIG-1 default: verify 3 days and again 1 day before the date of service. */
export const ELIGIBILITY_CHECK_DAYS_BEFORE = [3, 1] as const;

export type EligibilityCheckKind = '3_day' | '1_day' | 'rescheduled' | 'intake';

/**
 * ELIG-1: the next check for a date of service, as of `today`, given the checks already done for
 * it. A check whose day has passed runs at once and covers every overdue one (an appointment
 * booked 2 days ahead is verified now, and again 1 day before): never only at intake.
 */
export function nextEligibilityCheck(serviceDate: string, today: string, done: readonly EligibilityCheckKind[]): { kind: EligibilityCheckKind; on: string; covers: EligibilityCheckKind[] } | undefined {
  const pending = ELIGIBILITY_CHECK_DAYS_BEFORE.map((d) => ({ kind: `${d}_day` as EligibilityCheckKind, on: addCalendarDays(serviceDate, -d) })).filter((p) => !done.includes(p.kind));
  if (!pending.length) return undefined;
  const overdue = pending.filter((p) => p.on <= today);
  if (overdue.length) return { kind: overdue[overdue.length - 1].kind, on: today, covers: overdue.map((p) => p.kind) };
  return { kind: pending[0].kind, on: pending[0].on, covers: [pending[0].kind] };
}

/** A 271-shaped eligibility answer (the fields the rules read). */
export type EligibilityAnswer = {
  coverage: { status: 'active' | 'inactive' | 'terminated'; effectiveDate?: string; terminationDate?: string; planName?: string };
  services: Array<{ cpt: string; covered: boolean; authRequired?: boolean; note?: string }>;
  /** Weeks of conservative treatment the payer has on file (ELIG-3). */
  conservativeCareWeeksOnFile?: number;
  /** Sessions the payer counts in the rolling 12 months, per family and region group (ELIG-4). */
  frequencyUsed?: Array<{ family: string; regionGroup: RegionGroup; count: number }>;
  /** Medicare Secondary Payer (ELIG-6). */
  msp?: { status: 'medicare_primary' | 'other_primary' | 'unknown'; otherPayerType?: string };
};

export type ScheduledProcedure = {
  serviceDate: string;
  cpts: string[];
  region?: Region;
  approach?: Approach;
  levels?: string[];
  laterality?: Laterality;
  /** Weeks of documented failed conservative care in our chart (ELIG-3). */
  conservativeCareWeeks?: number;
  axialPainMonths?: number;
};

export type KnownAuthorization = {
  authId: string;
  status: string;
  family: string;
  cpts: string[];
  region: Region;
  approach?: Approach;
  levels: string[];
  laterality: Laterality;
  validFrom?: string;
  validTo?: string;
  visitsAuthorized?: number | null;
  visitsUsed: number;
};

export type EligibilityEvaluation = {
  result: 'verified' | 'flagged';
  findings: Finding[];
  /** ELIG-5: the CPTs that need a prior authorization and have no usable one. */
  authNeeded?: { family: AuthFamily; cpts: string[] };
  /** The authorization that covers the appointment, if any. */
  coveringAuthId?: string;
};

/** The procedure family of the scheduled CPTs (first pain family found). */
export function scheduledFamily(cpts: string[]): { family: 'esi' | 'facet' | 'rfa' | 'scs'; regionGroup?: RegionGroup; approach?: Approach } | undefined {
  for (const cpt of cpts) {
    const info = codeInfo(cpt);
    if (info && (info.family === 'esi' || info.family === 'facet' || info.family === 'rfa' || info.family === 'scs')) {
      return { family: info.family, regionGroup: info.regionGroup, approach: info.approaches?.length === 1 ? info.approaches[0] : undefined };
    }
  }
  return undefined;
}

/** The region of a scheduled procedure: as given, else from the code's region group. */
export function scheduledRegion(p: ScheduledProcedure): Region | undefined {
  if (p.region) return p.region;
  const g = scheduledFamily(p.cpts)?.regionGroup;
  return g === 'lumbar_sacral' ? 'lumbar' : g === 'cervical_thoracic' ? 'cervical' : undefined;
}

const FAMILY_LABEL: Record<string, string> = { esi: 'epidural steroid injection', facet: 'diagnostic facet block', rfa: 'radiofrequency ablation', scs: 'spinal cord stimulation' };

function frequencyLimit(policy: PayerPolicy, family: string): number | undefined {
  if (family === 'esi') return policy.esiSessionsPerRegionPer12Months;
  if (family === 'facet') return policy.facetDiagnosticBlocksPerRegionPer12Months;
  if (family === 'rfa') return policy.rfaSessionsPerRegionPer12Months;
  return undefined;
}

/** ELIG-7: coverage active on the date of service. */
export function coverageFinding(answer: EligibilityAnswer, serviceDate: string): Finding | undefined {
  const c = answer.coverage;
  if (c.terminationDate && c.terminationDate < serviceDate) {
    return { ruleId: 'ELIG-7', message: `coverage terminated on ${c.terminationDate}, before the date of service ${serviceDate}` };
  }
  if (c.status !== 'active' && !(c.terminationDate && c.terminationDate >= serviceDate)) {
    return { ruleId: 'ELIG-7', message: `coverage is ${c.status} for the date of service ${serviceDate}` };
  }
  if (c.effectiveDate && c.effectiveDate > serviceDate) {
    return { ruleId: 'ELIG-7', message: `coverage starts on ${c.effectiveDate}, after the date of service ${serviceDate}` };
  }
  return undefined;
}

/**
 * ELIG-2…ELIG-7 for one check. `prior` is our own procedure history (claims) for the patient;
 * `authorizations` the patient's known authorizations with this payer.
 */
export function evaluateEligibility(input: {
  scheduled: ScheduledProcedure;
  answer: EligibilityAnswer;
  policy: PayerPolicy;
  prior: PriorProcedure[];
  authorizations: KnownAuthorization[];
}): EligibilityEvaluation {
  const { scheduled, answer, policy } = input;
  const findings: Finding[] = [];
  const dos = scheduled.serviceDate;

  const coverage = coverageFinding(answer, dos);
  if (coverage) findings.push(coverage);

  // ELIG-2: each scheduled CPT, not "pain benefits".
  for (const cpt of scheduled.cpts) {
    const svc = answer.services.find((s) => s.cpt === cpt);
    if (!svc) findings.push({ ruleId: 'ELIG-2', field: cpt, message: `the payer did not answer for CPT ${cpt}` });
    else if (!svc.covered) findings.push({ ruleId: 'ELIG-2', field: cpt, message: `CPT ${cpt} is not covered by the plan${svc.note ? ` (${svc.note})` : ''}` });
  }

  const fam = scheduledFamily(scheduled.cpts);
  const region = scheduledRegion(scheduled);

  // ELIG-3: conservative-treatment prerequisite.
  if (fam?.family === 'esi' && policy.conservativeCareWeeksBeforeEsi > 0) {
    const weeks = Math.max(scheduled.conservativeCareWeeks ?? 0, answer.conservativeCareWeeksOnFile ?? 0);
    if (weeks < policy.conservativeCareWeeksBeforeEsi) {
      findings.push({ ruleId: 'ELIG-3', message: `${weeks} weeks of failed conservative care documented; the payer requires ${policy.conservativeCareWeeksBeforeEsi} before an ESI` });
    }
  }
  if (fam?.family === 'facet' && (scheduled.axialPainMonths ?? 0) < FACET_AXIAL_PAIN_MONTHS) {
    findings.push({ ruleId: 'ELIG-3', message: `facet procedures need ≥ ${FACET_AXIAL_PAIN_MONTHS} months of predominantly axial pain; ${scheduled.axialPainMonths ?? 0} documented` });
  }

  // ELIG-4: frequency in the rolling 12 months, our claims and the payer's count.
  if (fam && region) {
    const limit = frequencyLimit(policy, fam.family);
    if (limit !== undefined) {
      const ownCount = sessionsInRolling12Months(input.prior, fam.family, region, dos);
      const payerCount = answer.frequencyUsed?.find((f) => f.family === fam.family && f.regionGroup === regionGroupOf(region))?.count;
      const f = frequencyFinding({ ruleId: 'ELIG-4', familyLabel: FAMILY_LABEL[fam.family], region, ownCount, payerCount, limit });
      if (f) findings.push(f.ruleId === 'ELIG-4' && fam.family === 'esi' ? { ...f, message: `${f.message} (AUTH-2)` } : f);
    }
  }

  // ELIG-6: Medicare Secondary Payer.
  if (policy.type === 'medicare') {
    if (!answer.msp || answer.msp.status === 'unknown') findings.push({ ruleId: 'ELIG-6', message: 'Medicare Secondary Payer status not confirmed' });
    else if (answer.msp.status === 'other_primary') findings.push({ ruleId: 'ELIG-6', message: `Medicare is secondary: ${answer.msp.otherPayerType ?? 'another payer'} is primary; bill the primary first` });
  }

  // ELIG-5: does this payer need prior auth for these CPTs, and is there a usable one?
  const authCpts = scheduled.cpts.filter((cpt) => {
    const info = codeInfo(cpt);
    const family = info?.family;
    const byPolicy = policy.priorAuthCpts.includes(cpt) || (family !== undefined && (policy.priorAuthFamilies as string[]).includes(family));
    const byPayer = answer.services.find((s) => s.cpt === cpt)?.authRequired === true;
    return byPolicy || byPayer;
  });
  let authNeeded: EligibilityEvaluation['authNeeded'];
  let coveringAuthId: string | undefined;
  if (authCpts.length) {
    const usable = input.authorizations.filter((a) => a.status === 'approved' || a.status === 'renewal_started');
    const inScope = usable.filter((a) => scopeFindings(a, { cpts: authCpts, region, approach: scheduled.approach, levels: scheduled.levels, laterality: scheduled.laterality }).length === 0);
    const inWindow = inScope.find((a) => windowAndVisitFindings(a, dos).length === 0);
    if (inWindow) coveringAuthId = inWindow.authId;
    else if (inScope.length) {
      // AUTH-8: there is an authorization for this procedure, but the DOS or the count is outside it.
      findings.push(...windowAndVisitFindings(inScope[0], dos).map((f) => ({ ...f, message: `authorization ${inScope[0].authId}: ${f.message}` })));
    } else {
      const pending = input.authorizations.find((a) => !['denied', 'expired', 'cancelled', 'closed'].includes(a.status) && a.cpts.some((c) => authCpts.includes(c)));
      findings.push({ ruleId: 'ELIG-5', message: pending ? `prior authorization ${pending.authId} is ${pending.status}` : `prior authorization required for ${authCpts.join(', ')}` });
      if (!pending) {
        const family = fam?.family === 'scs' ? 'scs_trial' : (fam?.family ?? 'esi');
        authNeeded = { family, cpts: authCpts };
      }
    }
  }

  return { result: findings.length ? 'flagged' : 'verified', findings, authNeeded, coveringAuthId };
}
