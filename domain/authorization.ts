/**
 * Prior-authorization rules (DOMAIN.md AUTH-1…AUTH-8) as pure functions: the submission package
 * per procedure family (AUTH-1, AUTH-4, AUTH-6), ESI frequency and per-session shape (AUTH-2),
 * scope matching (AUTH-3), renewal date (AUTH-7), window and visit count (AUTH-8), and the
 * peer-to-peer due date (AUTH-5). No I/O, no clock: every date is an argument. Safe to import from
 * workflow code.
 */
import { z } from 'zod';
import { Text } from './primitives';
import { Approach, IsoDate, Laterality, Region } from './claim-document';
import { addBusinessDays, addCalendarDays, daysBetween } from './business-days';
import type { PayerPolicy } from './payer-policy';
import type { RegionGroup } from './reference';

/** What is being authorized. SCS trial and permanent implant are separate authorizations (AUTH-6). */
export const AUTH_FAMILIES = ['esi', 'facet', 'rfa', 'scs_trial', 'scs_permanent'] as const;
export const AuthFamily = z.enum(AUTH_FAMILIES);
export type AuthFamily = z.infer<typeof AuthFamily>;

/** The payer-policy family (§4 "prior auth required for") of an authorization family. */
export function policyFamilyOf(family: AuthFamily): 'esi' | 'facet' | 'rfa' | 'scs' {
  return family === 'scs_trial' || family === 'scs_permanent' ? 'scs' : family;
}

export type Finding = { ruleId: string; field?: string; message: string };

// ---------------------------------------------------------------------------------------------
// Levels and regions

const LEVEL = /^([CTLS])(\d{1,2})(?:-([CTLS])(\d{1,2}))?$/;
const REGION_LETTER: Record<Region, string> = { cervical: 'C', thoracic: 'T', lumbar: 'L', sacral: 'S' };

/** 'l4-5', 'L4-L5', 'L4/L5' → 'L4-L5'; undefined when it is not a spinal level. */
export function normalizeLevel(level: string): string | undefined {
  const s = level.trim().toUpperCase().replace(/\s+/g, '').replace('/', '-');
  const short = /^([CTLS])(\d{1,2})-(\d{1,2})$/.exec(s);
  const full = short ? `${short[1]}${short[2]}-${short[1]}${short[3]}` : s;
  return LEVEL.test(full) ? full : undefined;
}

/**
 * A level belongs to a region when either vertebra is in it (C7-T1 is cervical or thoracic,
 * L5-S1 lumbar or sacral). 'L4-L5' on a cervical authorization does not match.
 */
export function levelMatchesRegion(level: string, region: Region): boolean {
  const n = normalizeLevel(level);
  if (!n) return false;
  const m = LEVEL.exec(n)!;
  const letter = REGION_LETTER[region];
  return m[1] === letter || m[3] === letter;
}

/** Levels that are not spinal levels or not in the region, with their index (for 400 paths). */
export function levelsOutsideRegion(levels: string[], region: Region): Array<{ index: number; level: string; message: string }> {
  return levels.flatMap((level, index) => {
    if (!normalizeLevel(level)) return [{ index, level, message: `"${level}" is not a spinal level (e.g. L4-L5, C5-C6)` }];
    if (!levelMatchesRegion(level, region)) return [{ index, level, message: `level ${level} is not in the ${region} region` }];
    return [];
  });
}

export function regionGroupOf(region: Region): RegionGroup {
  return region === 'cervical' || region === 'thoracic' ? 'cervical_thoracic' : 'lumbar_sacral';
}

// ---------------------------------------------------------------------------------------------
// Submission package (AUTH-1, AUTH-4, AUTH-6)

export const MbbNote = z.object({
  date: IsoDate,
  reliefPercent: z.number().min(0).max(100),
  /** How long the relief lasted. */
  reliefHours: z.number().min(0).optional(),
  /** Expected duration of the anesthetic used (the default minimum relief duration, AUTH-4). */
  anestheticDurationHours: z.number().min(0).optional(),
  levels: z.array(Text(200)).optional(),
});
export type MbbNote = z.infer<typeof MbbNote>;

export const AuthPackage = z.object({
  diagnoses: z.array(Text(8, 3)).max(12).default([]),
  imagingFindings: Text(2000).optional(),
  conservativeCare: z
    .object({
      weeks: z.number().min(0),
      modalities: z.array(Text(200)).default([]),
      failed: z.boolean(),
    })
    .optional(),
  functionalImpairment: Text(2000).optional(),
  /** Facet procedures: months of predominantly axial pain (ELIG-3: ≥ 3). */
  axialPainMonths: z.number().min(0).optional(),
  /** RFA: the two diagnostic medial branch blocks (AUTH-4). */
  mbbNotes: z.array(MbbNote).optional(),
  /** SCS permanent: the documented trial results (AUTH-6). */
  trialResults: z
    .object({ documentedOn: IsoDate, reliefPercent: z.number().min(0).max(100), functionalImprovement: Text(200).optional() })
    .optional(),
  psychologicalEvaluation: z.boolean().optional(),
});
export type AuthPackage = z.infer<typeof AuthPackage>;

/** Minimum relief duration when the note does not say which anesthetic was used (lidocaine ≈ 2 h). */
export const DEFAULT_ANESTHETIC_DURATION_HOURS = 2;
/** Facet procedures need at least this many months of predominantly axial pain (ELIG-3). */
export const FACET_AXIAL_PAIN_MONTHS = 3;

/**
 * AUTH-1 / AUTH-4 / AUTH-6: what the package for `family` lacks. Empty = complete, may be submitted.
 * ESI: diagnoses, imaging findings, documented failed conservative care (≥ payer weeks),
 * functional impairment. RFA: two positive MBB notes, each ≥ the payer's relief threshold with a
 * relief duration ≥ the anesthetic's, the second ≥ payer minimum days after the first.
 */
export function packageFindings(family: AuthFamily, pkg: AuthPackage, policy: Pick<PayerPolicy, 'mbbReliefThresholdPercent' | 'mbbMinDaysBetweenBlocks' | 'conservativeCareWeeksBeforeEsi'>): Finding[] {
  const out: Finding[] = [];
  const rule = family === 'rfa' ? 'AUTH-4' : family === 'scs_permanent' ? 'AUTH-6' : 'AUTH-1';
  if (!pkg.diagnoses?.length) out.push({ ruleId: rule, field: 'package.diagnoses', message: 'diagnosis codes are missing' });
  if (!pkg.functionalImpairment?.trim()) out.push({ ruleId: rule, field: 'package.functionalImpairment', message: 'functional impairment is not documented' });
  if (family === 'esi') {
    if (!pkg.imagingFindings?.trim()) out.push({ ruleId: 'AUTH-1', field: 'package.imagingFindings', message: 'imaging findings are missing' });
    const cc = pkg.conservativeCare;
    if (!cc || !cc.failed) out.push({ ruleId: 'AUTH-1', field: 'package.conservativeCare', message: 'failed conservative treatment is not documented' });
    else if (cc.weeks < policy.conservativeCareWeeksBeforeEsi)
      out.push({ ruleId: 'AUTH-1', field: 'package.conservativeCare.weeks', message: `conservative treatment documented for ${cc.weeks} weeks; the payer requires ${policy.conservativeCareWeeksBeforeEsi}` });
  }
  if (family === 'facet' && (pkg.axialPainMonths ?? 0) < FACET_AXIAL_PAIN_MONTHS) {
    out.push({ ruleId: 'AUTH-1', field: 'package.axialPainMonths', message: `facet procedures need ≥ ${FACET_AXIAL_PAIN_MONTHS} months of predominantly axial pain` });
  }
  if (family === 'rfa') out.push(...mbbFindings(pkg.mbbNotes ?? [], policy));
  if (family === 'scs_permanent' && !pkg.trialResults) {
    out.push({ ruleId: 'AUTH-6', field: 'package.trialResults', message: 'SCS trial results are not documented' });
  }
  return out;
}

/** AUTH-4: two positive diagnostic MBBs, relief ≥ threshold and ≥ the anesthetic's duration, ≥ N days apart. */
export function mbbFindings(notes: MbbNote[], policy: Pick<PayerPolicy, 'mbbReliefThresholdPercent' | 'mbbMinDaysBetweenBlocks'>): Finding[] {
  const out: Finding[] = [];
  const sorted = [...notes].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (sorted.length < 2) {
    out.push({ ruleId: 'AUTH-4', field: 'package.mbbNotes', message: `RFA needs two diagnostic medial branch block notes; ${sorted.length} documented` });
  }
  sorted.forEach((n, i) => {
    if (n.reliefPercent < policy.mbbReliefThresholdPercent) {
      out.push({ ruleId: 'AUTH-4', field: `package.mbbNotes.${i}.reliefPercent`, message: `MBB ${i + 1} relief ${n.reliefPercent}% is below the payer threshold of ${policy.mbbReliefThresholdPercent}%` });
    }
    const minHours = n.anestheticDurationHours ?? DEFAULT_ANESTHETIC_DURATION_HOURS;
    if (n.reliefHours === undefined) out.push({ ruleId: 'AUTH-4', field: `package.mbbNotes.${i}.reliefHours`, message: `MBB ${i + 1} relief duration is not documented` });
    else if (n.reliefHours < minHours) out.push({ ruleId: 'AUTH-4', field: `package.mbbNotes.${i}.reliefHours`, message: `MBB ${i + 1} relief lasted ${n.reliefHours} h, less than the anesthetic's ${minHours} h` });
  });
  if (sorted.length >= 2) {
    const gap = daysBetween(sorted[0].date, sorted[1].date);
    if (gap < policy.mbbMinDaysBetweenBlocks) {
      out.push({ ruleId: 'AUTH-4', field: 'package.mbbNotes.1.date', message: `the second MBB is ${gap} days after the first; at least ${policy.mbbMinDaysBetweenBlocks} are required` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frequency (AUTH-2, ELIG-4)

export type PriorProcedure = { family: string; region: Region; serviceDate: string };

/** Sessions of `family` in the region group in the rolling 12 months before `serviceDate` (one per date). */
export function sessionsInRolling12Months(prior: PriorProcedure[], family: string, region: Region, serviceDate: string): number {
  const since = addCalendarDays(serviceDate, -365);
  const group = regionGroupOf(region);
  const dates = new Set(
    prior.filter((p) => p.family === family && regionGroupOf(p.region) === group && p.serviceDate > since && p.serviceDate < serviceDate).map((p) => p.serviceDate),
  );
  return dates.size;
}

/**
 * AUTH-2 / ELIG-4: one more session would exceed the payer limit? `used` is the larger of our own
 * count and the payer's (the two sources cannot be de-duplicated against each other).
 */
export function frequencyFinding(input: { ruleId: 'AUTH-2' | 'ELIG-4'; familyLabel: string; region: Region; ownCount: number; payerCount?: number; limit: number }): Finding | undefined {
  const used = Math.max(input.ownCount, input.payerCount ?? 0);
  if (used + 1 <= input.limit) return undefined;
  const group = regionGroupOf(input.region) === 'lumbar_sacral' ? 'lumbar/sacral' : 'cervical/thoracic';
  return {
    ruleId: input.ruleId,
    message: `this would be ${input.familyLabel} session ${used + 1} in the ${group} region in 12 months; the payer allows ${input.limit}`,
  };
}

/** AUTH-2 per session: transforaminal ≤ 2 levels; interlaminar/caudal 1 level and never bilateral. */
export function esiSessionFindings(scope: { approach?: Approach; levels: string[]; laterality: Laterality }): Finding[] {
  const out: Finding[] = [];
  if (scope.approach === 'transforaminal' && scope.levels.length > 2) {
    out.push({ ruleId: 'AUTH-2', field: 'levels', message: `a transforaminal ESI session treats at most 2 levels; ${scope.levels.length} requested` });
  }
  if (scope.approach === 'interlaminar' || scope.approach === 'caudal') {
    if (scope.levels.length > 1) out.push({ ruleId: 'AUTH-2', field: 'levels', message: `an ${scope.approach} ESI session treats 1 level; ${scope.levels.length} requested` });
    if (scope.laterality === 'bilateral') out.push({ ruleId: 'AUTH-2', field: 'laterality', message: `an ${scope.approach} ESI is never bilateral` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scope (AUTH-3), window and visits (AUTH-8), renewal (AUTH-7), peer-to-peer (AUTH-5)

export type AuthScope = { cpts: string[]; region: Region; approach?: Approach; levels: string[]; laterality: Laterality };

/** AUTH-3: the scheduled procedure must be inside what was authorized. */
export function scopeFindings(authorized: AuthScope, scheduled: Partial<AuthScope> & { cpts: string[] }): Finding[] {
  const out: Finding[] = [];
  const notAuthorized = scheduled.cpts.filter((c) => !authorized.cpts.includes(c));
  if (notAuthorized.length) out.push({ ruleId: 'AUTH-3', field: 'cpts', message: `CPT ${notAuthorized.join(', ')} not on the authorization (${authorized.cpts.join(', ')})` });
  if (scheduled.region && regionGroupOf(scheduled.region) !== regionGroupOf(authorized.region)) {
    out.push({ ruleId: 'AUTH-3', field: 'region', message: `authorized for ${authorized.region}, scheduled ${scheduled.region}` });
  }
  if (scheduled.approach && authorized.approach && scheduled.approach !== authorized.approach) {
    out.push({ ruleId: 'AUTH-3', field: 'approach', message: `an ${authorized.approach} authorization never covers a ${scheduled.approach} procedure` });
  }
  if (scheduled.levels?.length && authorized.levels.length) {
    const auth = new Set(authorized.levels.map((l) => normalizeLevel(l) ?? l));
    const missing = scheduled.levels.filter((l) => !auth.has(normalizeLevel(l) ?? l));
    if (missing.length) out.push({ ruleId: 'AUTH-3', field: 'levels', message: `level ${missing.join(', ')} not authorized (authorized: ${authorized.levels.join(', ')})` });
  }
  if (scheduled.laterality && scheduled.laterality !== authorized.laterality) {
    const covered = authorized.laterality === 'bilateral' && (scheduled.laterality === 'left' || scheduled.laterality === 'right');
    if (!covered) out.push({ ruleId: 'AUTH-3', field: 'laterality', message: `authorized ${authorized.laterality}, scheduled ${scheduled.laterality}` });
  }
  return out;
}

/** AUTH-8: a date of service outside the window, or a visit beyond the authorized count. */
export function windowAndVisitFindings(auth: { validFrom?: string; validTo?: string; visitsAuthorized?: number | null; visitsUsed: number }, serviceDate: string): Finding[] {
  const out: Finding[] = [];
  if (auth.validFrom && serviceDate < auth.validFrom) out.push({ ruleId: 'AUTH-8', field: 'serviceDate', message: `date of service ${serviceDate} is before the authorization starts (${auth.validFrom})` });
  if (auth.validTo && serviceDate > auth.validTo) out.push({ ruleId: 'AUTH-8', field: 'serviceDate', message: `date of service ${serviceDate} is after the authorization ends (${auth.validTo})` });
  if (auth.visitsAuthorized != null && auth.visitsUsed >= auth.visitsAuthorized) {
    out.push({ ruleId: 'AUTH-8', field: 'visits', message: `all ${auth.visitsAuthorized} authorized visits are used` });
  }
  return out;
}

/** AUTH-7: the renewal request starts `leadDays` (default 21) calendar days before expiry. */
export function renewalStartDate(validTo: string, leadDays: number): string {
  return addCalendarDays(validTo, -leadDays);
}

/** The renewal's requested window: the day after expiry, same length as the current window. */
export function renewalWindow(validFrom: string, validTo: string): { from: string; to: string } {
  const length = daysBetween(validFrom, validTo);
  const from = addCalendarDays(validTo, 1);
  return { from, to: addCalendarDays(from, length) };
}

/** AUTH-5: a medical-necessity denial's peer-to-peer request is due the same business day. */
export function peerToPeerDueDate(denialDate: string): string {
  return addBusinessDays(denialDate, 0);
}

/** An authorization window must not end before it starts. */
export function windowFinding(from: string, to: string): Finding | undefined {
  return to < from ? { ruleId: 'AUTH-8', field: 'validTo', message: `the window ends (${to}) before it starts (${from})` } : undefined;
}
