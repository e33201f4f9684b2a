/**
 * Denial management rules (DEN-2 … DEN-8): classify a denial from its CARCs (+ RARCs), compute
 * its deadlines from the denial date, decide whether a claim payment is a denial, and spot
 * recurring denial patterns.
 *
 * Pure: no I/O, no clock (dates are arguments), safe to import from workflow code. Reference data
 * (`reference-carc.json`, `reference-rarc.json`) is bundled JSON.
 *
 * Decisions where DOMAIN.md is silent:
 * - The primary CARC of a denial is the worst one: hard before soft, then the largest amount, then
 *   the first given. Patient-responsibility and contract-mechanics codes (1, 2, 3, 23, 45, 59, 94,
 *   253) are never denial reasons. A CARC missing from the reference list is hard/other (never throws).
 * - CARC 97 is soft (a modifier such as 59/XS may fix it) unless the caller says no modifier fix
 *   is available (`modifierFixAvailable: false`), then hard/coding.
 * - CARC 29 is not appealable for payer type medicare (traditional Medicare; Medicare Advantage
 *   plans keep their own appeal process). RARC N211 makes any denial not appealable; RARC MA130
 *   (unprocessable claim) makes it soft, fixed by a new claim, not by appeal.
 * - A front-end rejection (999/277CA) is soft/missing_information.
 * - DEN-4: the internal target is denial date + 30 calendar days, but never later than the payer's
 *   own deadline (denial date + appeal window). Calendar-day deadlines are not moved off weekends.
 * - DEN-5: "same business day" of a denial dated on a weekend/holiday is the next business day.
 * - DEN-7: the window is the `windowDays` calendar days ending on `asOf` inclusive
 *   (asOf − windowDays + 1 … asOf); later-dated events are ignored.
 */
import carcReference from './reference-carc.json';
import rarcReference from './reference-rarc.json';
import { addCalendarDays, daysBetween, usFederalBusinessCalendar, type BusinessCalendar } from './business-days';
import type { Adjustment, AdjustmentGroup, ClaimPayment } from './remittance';

/** Same values as `PayerPolicy.type` (domain/payer-policy.ts); upper case is accepted at run time too. */
export type PayerType = 'medicare' | 'medicare_advantage' | 'medicaid' | 'commercial';

function normalizePayerType(t: string): PayerType {
  return String(t).trim().toLowerCase() as PayerType;
}
export type DenialCategory = 'hard' | 'soft';
export type DenialKind =
  | 'medical_necessity'
  | 'authorization'
  | 'non_covered'
  | 'frequency'
  | 'provider_eligibility'
  | 'timely_filing'
  | 'eligibility'
  | 'missing_information'
  | 'coding'
  | 'coordination_of_benefits'
  | 'other';

export interface CarcReference {
  code: string;
  description: string;
  /** false for patient responsibility and contract mechanics (deductible, CO-45, MPR, sequestration). */
  denial: boolean;
  category: DenialCategory | null;
  kind: DenialKind | null;
}
export interface RarcReference {
  code: string;
  description: string;
  effect: 'not_appealable' | 'unprocessable_resubmit' | null;
}

const CARCS: ReadonlyMap<string, CarcReference> = new Map(
  (carcReference.codes as CarcReference[]).map((c) => [c.code, c]),
);
const RARCS: ReadonlyMap<string, RarcReference> = new Map(
  (rarcReference.codes as RarcReference[]).map((r) => [r.code, r]),
);

export function carcInfo(code: string): CarcReference | undefined {
  return CARCS.get(normalizeCode(code));
}
export function rarcInfo(code: string): RarcReference | undefined {
  return RARCS.get(normalizeCode(code));
}

function normalizeCode(code: string): string {
  return String(code).trim().toUpperCase();
}

/** Whether a CARC explains a denial (true for unknown codes: better a false alarm than a missed denial). */
export function isDenialCarc(code: string): boolean {
  return carcInfo(code)?.denial ?? true;
}

/** Procedures for which a medical-necessity denial calls for a peer-to-peer (DEN-5). */
export const INTERVENTIONAL_CPTS: ReadonlySet<string> = new Set([
  '62320', '62321', '62322', '62323',
  '64479', '64480', '64483', '64484',
  '64490', '64491', '64492', '64493', '64494', '64495',
  '64633', '64634', '64635', '64636',
  '63650', '63655', '63685',
]);
export const RFA_CPTS: ReadonlySet<string> = new Set(['64633', '64634', '64635', '64636']);

export interface DenialOverride {
  category?: DenialCategory;
  kind?: DenialKind;
  appealable?: boolean;
}

export interface ClassifyOptions {
  payerType: PayerType;
  /** Per-payer reclassification by CARC. */
  overrides?: Readonly<Record<string, DenialOverride>>;
  /** RARC remarks from the remittance (claim and line). */
  remarks?: readonly string[];
  /** CPTs on the denied claim/line; a medical-necessity denial of an interventional CPT → peer-to-peer. */
  cpts?: readonly string[];
  /** CARC 97: whether a modifier (59/XS/XU/XE/XP) would fix it. Unknown → soft, reviewed on correction. */
  modifierFixAvailable?: boolean;
  /** The denial is a clearinghouse/payer front-end rejection (999/277CA), not an adjudication. */
  frontEndRejection?: boolean;
}

export type DenialAction = 'correct_and_resubmit' | 'appeal' | 'peer_to_peer_and_appeal' | 'write_off_review';

export interface DenialClassification {
  category: DenialCategory;
  kind: DenialKind;
  /** The CARC that drives the classification; null when no denial CARC was given. */
  primaryCarc: string | null;
  primaryGroup: AdjustmentGroup | null;
  appealable: boolean;
  /** What the next step is (DEN-3/DEN-4/DEN-5; AR-6 when nothing can be appealed). */
  action: DenialAction;
  /** Every denial CARC seen, as `GROUP-CARC`, worst first. */
  denialCarcs: string[];
  /** Why, in words (no PHI). */
  notes: string[];
}

interface Candidate {
  group: AdjustmentGroup;
  carc: string;
  amountCents: number;
  order: number;
  category: DenialCategory;
  kind: DenialKind;
  appealable: boolean;
  known: boolean;
}

/** DEN-2: hard or soft, and what kind of denial, before any action is taken. Never throws. */
export function classifyDenial(adjustments: readonly Adjustment[], options: ClassifyOptions): DenialClassification {
  const notes: string[] = [];
  const remarks = (options.remarks ?? []).map(normalizeCode);
  const rarcEffects = new Set(remarks.map((r) => RARCS.get(r)?.effect).filter((e): e is NonNullable<typeof e> => !!e));
  const interventional = (options.cpts ?? []).some((c) => INTERVENTIONAL_CPTS.has(c));

  const candidates: Candidate[] = [];
  adjustments.forEach((adj, order) => {
    const carc = normalizeCode(adj.carc);
    const ref = CARCS.get(carc);
    if (ref && !ref.denial) return;
    let category: DenialCategory = ref?.category ?? 'hard';
    let kind: DenialKind = ref?.kind ?? 'other';
    let appealable = true;
    if (carc === '97' && options.modifierFixAvailable === false) category = 'hard';
    if (carc === '29' && normalizePayerType(options.payerType) === 'medicare') appealable = false;
    const override = options.overrides?.[carc];
    if (override) {
      category = override.category ?? category;
      kind = override.kind ?? kind;
      appealable = override.appealable ?? appealable;
    }
    candidates.push({ group: adj.group, carc, amountCents: adj.amountCents, order, category, kind, appealable, known: !!ref });
  });
  candidates.sort(
    (a, b) =>
      (a.category === 'hard' ? 0 : 1) - (b.category === 'hard' ? 0 : 1) ||
      b.amountCents - a.amountCents ||
      a.order - b.order,
  );
  const denialCarcs = [...new Set(candidates.map((c) => `${c.group}-${c.carc}`))];
  const primary = candidates[0];

  let category: DenialCategory;
  let kind: DenialKind;
  let appealable: boolean;
  if (options.frontEndRejection && !primary) {
    category = 'soft';
    kind = 'missing_information';
    appealable = true;
    notes.push('Front-end rejection: correct and resubmit.');
  } else if (!primary) {
    category = 'hard';
    kind = 'other';
    appealable = true;
    notes.push('No denial reason code given: treated as hard until reviewed.');
  } else {
    category = primary.category;
    kind = primary.kind;
    appealable = primary.appealable;
    if (!primary.known) notes.push(`CARC ${primary.carc} is not in the reference list: treated as hard/other.`);
    if (primary.carc === '29' && !appealable) notes.push('Medicare timely-filing denial (CARC 29) is not appealable.');
    if (primary.carc === '97') {
      notes.push(
        options.modifierFixAvailable === false
          ? 'CARC 97 without a modifier fix: bundled service, hard.'
          : 'CARC 97: check whether a distinct-service modifier (59/XS/XU/XE/XP) applies.',
      );
    }
  }
  if (rarcEffects.has('unprocessable_resubmit')) {
    category = 'soft';
    appealable = false;
    notes.push('RARC MA130: unprocessable claim, submit a corrected claim (no appeal rights).');
  }
  if (rarcEffects.has('not_appealable')) {
    appealable = false;
    notes.push('RARC N211: the payer states the decision cannot be appealed.');
  }

  let action: DenialAction;
  if (category === 'soft') action = 'correct_and_resubmit';
  else if (!appealable) action = 'write_off_review';
  else if (kind === 'medical_necessity' && interventional) action = 'peer_to_peer_and_appeal';
  else action = 'appeal';

  return {
    category,
    kind,
    primaryCarc: primary?.carc ?? null,
    primaryGroup: primary?.group ?? null,
    appealable,
    action,
    denialCarcs,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Deadlines

export type DenialDeadlineKind = 'correction' | 'internal_appeal' | 'payer_appeal_deadline' | 'peer_to_peer';

export interface DenialDeadline {
  rule: 'DEN-3' | 'DEN-4' | 'DEN-5';
  kind: DenialDeadlineKind;
  due: string;
}

export interface DenialDeadlines {
  denialDate: string;
  category: DenialCategory;
  /** DEN-3: soft denials corrected within 5 business days. */
  correctionDue?: string;
  /** DEN-4: hard denials appealed within 30 days of the denial date (capped at the payer deadline). */
  internalAppealDue?: string;
  /** DEN-4: denial date + the payer's appeal window; the last day the payer accepts an appeal. */
  payerAppealDeadline?: string;
  /** DEN-5: medical-necessity denial of an interventional procedure → peer-to-peer the same business day. */
  peerToPeerDue?: string;
  /** All of the above, earliest first. */
  deadlines: DenialDeadline[];
}

export interface DeadlineOptions {
  classification: Pick<DenialClassification, 'category' | 'kind' | 'appealable'>;
  /** Payer appeal window in calendar days from the denial date (default by payer type: DOMAIN §4). */
  appealWindowDays?: number;
  payerType: PayerType;
  /** CPTs on the denied claim/line (DEN-5). */
  cpts?: readonly string[];
  /** Business-day calendar (default: US federal). */
  businessDays?: BusinessCalendar;
  /** DEN-3 default 5. */
  correctionBusinessDays?: number;
  /** DEN-4 default 30. */
  internalAppealDays?: number;
}

/** DOMAIN §4 appeal windows (days from denial); payer policy may override. */
export const DEFAULT_APPEAL_WINDOW_DAYS: Readonly<Record<PayerType, number>> = {
  medicare: 120,
  medicare_advantage: 60,
  medicaid: 90,
  commercial: 180,
};

/**
 * DEN-3/DEN-4/DEN-5 deadlines, always counted from the denial date (the payer's adjudication date,
 * 835 DTM*405), never from when the ERA was received, posted or noticed.
 */
export function denialDeadlines(denialDate: string, options: DeadlineOptions): DenialDeadlines {
  const calendar = options.businessDays ?? usFederalBusinessCalendar;
  const { category, kind, appealable } = options.classification;
  const deadlines: DenialDeadline[] = [];
  const result: DenialDeadlines = { denialDate, category, deadlines };
  addCalendarDays(denialDate, 0); // validates the date

  if (category === 'soft') {
    result.correctionDue = calendar.addBusinessDays(denialDate, options.correctionBusinessDays ?? 5);
    deadlines.push({ rule: 'DEN-3', kind: 'correction', due: result.correctionDue });
  } else if (appealable) {
    const window = options.appealWindowDays ?? DEFAULT_APPEAL_WINDOW_DAYS[normalizePayerType(options.payerType)];
    result.payerAppealDeadline = addCalendarDays(denialDate, window);
    const internal = addCalendarDays(denialDate, options.internalAppealDays ?? 30);
    result.internalAppealDue = internal < result.payerAppealDeadline ? internal : result.payerAppealDeadline;
    deadlines.push({ rule: 'DEN-4', kind: 'internal_appeal', due: result.internalAppealDue });
    deadlines.push({ rule: 'DEN-4', kind: 'payer_appeal_deadline', due: result.payerAppealDeadline });
    if (kind === 'medical_necessity' && (options.cpts ?? []).some((c) => INTERVENTIONAL_CPTS.has(c))) {
      result.peerToPeerDue = calendar.addBusinessDays(denialDate, 0);
      deadlines.push({ rule: 'DEN-5', kind: 'peer_to_peer', due: result.peerToPeerDue });
    }
  }
  deadlines.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  return result;
}

/** The denial date of a remittance: the payer's adjudication date (DTM*405), not the receipt date. */
export function denialDateOf(remittance: { adjudicationDate: string }): string {
  return remittance.adjudicationDate;
}

// ---------------------------------------------------------------------------------------------
// Is it a denial?

const DENIAL_GROUPS: ReadonlySet<AdjustmentGroup> = new Set(['CO', 'PI']);
const hasDenialCarc = (adjs: readonly Adjustment[] | undefined) =>
  (adjs ?? []).some((a) => DENIAL_GROUPS.has(a.group) && isDenialCarc(a.carc) && a.amountCents > 0);

/**
 * DEN-1: a claim payment is a denial when CLP02 = 4, or nothing was paid and every line (or the
 * claim, without line detail) carries a CO/PI denial CARC. Zero paid because of deductible (PR-1)
 * is not a denial; a reversal (CLP02 = 22) is not a denial.
 */
export function isDenied(claimPayment: ClaimPayment): boolean {
  if (claimPayment.statusCode === '4') return true;
  if (claimPayment.statusCode === '22') return false;
  if (claimPayment.paidCents !== 0) return false;
  const lines = claimPayment.lines ?? [];
  if (lines.length === 0) return hasDenialCarc(claimPayment.adjustments);
  return lines.every((l) => l.paidCents === 0 && (hasDenialCarc(l.adjustments) || hasDenialCarc(claimPayment.adjustments)));
}

/** CARCs that reduce a line without denying it (contractual, MPR, sequestration, already adjudicated, processed in excess). */
const NOT_A_LINE_DENIAL: ReadonlySet<string> = new Set(['45', '59', '253', '23', '94']);

/** DEN-1: the lines of a paid claim that the payer denied (nothing paid on a charge, adjusted for a reason other than patient responsibility or a contractual reduction). */
export function deniedLineIndexes(claimPayment: ClaimPayment): number[] {
  const out: number[] = [];
  claimPayment.lines.forEach((l, i) => {
    if (l.paidCents === 0 && l.chargedCents > 0 && l.adjustments.some((a) => a.group !== 'PR' && !NOT_A_LINE_DENIAL.has(a.carc))) out.push(i);
  });
  return out;
}

/** DEN-8: a hard denial is never resubmitted unchanged (it is appealed, or the claim is corrected). */
export function resubmissionAllowed(category: DenialCategory, claimChanged: boolean): boolean {
  return category === 'soft' || claimChanged;
}

/** DEN-6: documents the appeal package must carry, by the denied CPTs. */
export function appealPackageRequirements(cpts: readonly string[], kind: DenialKind): string[] {
  const needs = ['denial_notice', 'claim_copy'];
  if (kind === 'medical_necessity' || kind === 'non_covered' || kind === 'frequency') needs.push('procedure_note', 'coverage_policy_citation');
  if (cpts.some((c) => RFA_CPTS.has(c))) needs.push('diagnostic_mbb_note_1', 'diagnostic_mbb_note_2');
  if (kind === 'authorization') needs.push('authorization_record');
  return needs;
}

// ---------------------------------------------------------------------------------------------
// Patterns

export interface DenialEvent {
  cpt: string;
  payerId: string;
  carc: string;
  denialDate: string;
}

export interface DenialPattern {
  rule: 'DEN-7';
  cpt: string;
  payerId: string;
  carc: string;
  count: number;
  firstDenialDate: string;
  lastDenialDate: string;
}

/**
 * DEN-7: CPT × payer × CARC groups with at least `threshold` denials in the `windowDays` days ending
 * on `asOf` (inclusive). Sorted by count, then most recent, then key.
 */
export function denialPatterns(
  events: readonly DenialEvent[],
  asOf: string,
  options: { threshold?: number; windowDays?: number } = {},
): DenialPattern[] {
  const threshold = options.threshold ?? 3;
  const windowDays = options.windowDays ?? 30;
  const groups = new Map<string, DenialPattern>();
  for (const e of events) {
    const age = daysBetween(e.denialDate, asOf);
    if (age < 0 || age >= windowDays) continue;
    const carc = normalizeCode(e.carc);
    const key = `${e.cpt}\u0000${e.payerId}\u0000${carc}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { rule: 'DEN-7', cpt: e.cpt, payerId: e.payerId, carc, count: 1, firstDenialDate: e.denialDate, lastDenialDate: e.denialDate });
    } else {
      g.count++;
      if (e.denialDate < g.firstDenialDate) g.firstDenialDate = e.denialDate;
      if (e.denialDate > g.lastDenialDate) g.lastDenialDate = e.denialDate;
    }
  }
  const key = (p: DenialPattern) => `${p.cpt}|${p.payerId}|${p.carc}`;
  return [...groups.values()]
    .filter((g) => g.count >= threshold)
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.lastDenialDate > b.lastDenialDate ? -1 : a.lastDenialDate < b.lastDenialDate ? 1 : 0) ||
        (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
    );
}
