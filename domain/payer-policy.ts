/**
 * Payer policies (CONTRACTS.md "Built-in payer policies", DOMAIN.md §4): the per-payer
 * configuration every rule reads instead of constants. The built-in defaults live in
 * reference/payer-policies.json; a scrub context (or a practice's configuration) may override any
 * field. Also the built-in, illustrative fee schedules (reference/fee-schedules.json). Pure.
 */
import { z } from 'zod';
import payerPoliciesJson from './reference/payer-policies.json';
import feeSchedulesJson from './reference/fee-schedules.json';
import { CoveredDiagnoses, ProcedureFamily, coveredDiagnosesSet } from './reference';

export const PayerType = z.enum(['medicare', 'medicare_advantage', 'medicaid', 'commercial']);
export type PayerType = z.infer<typeof PayerType>;

export const BUILT_IN_PAYER_IDS = ['MEDICARE', 'MEDICARE_ADVANTAGE', 'MEDICAID', 'COMMERCIAL'] as const;
export type BuiltInPayerId = (typeof BUILT_IN_PAYER_IDS)[number];

const Days = z.number().int().min(0).max(3650);
const Percent = z.number().min(0).max(1000);

export const PayerPolicy = z.object({
  payerId: z.string().min(1),
  name: z.string().min(1),
  type: PayerType,
  /** CODE-8: one line with modifier 50 (1 unit) or two lines RT + LT. */
  bilateralBilling: z.enum(['50', 'RT_LT']),
  /** SUB-4: days from the date of service. */
  timelyFilingDays: Days,
  /** SUB-4: days left in the window at which the claim escalates (default 30). */
  timelyFilingWarningDays: Days,
  /** DEN-4: days from the denial date. */
  appealWindowDays: Days,
  /** POST-3: reduction of the 2nd and later non-add-on procedures. */
  multipleProcedureReductionPercent: Percent,
  /** POST-3: payment of a bilateral (modifier 50) procedure as a percent of the unilateral fee. */
  bilateralPaymentPercent: Percent,
  /** AUTH-2 / ELIG-4: ESI sessions per patient per region group per rolling 12 months. */
  esiSessionsPerRegionPer12Months: z.number().int().min(0),
  /** AUTH-4: diagnostic facet blocks per region per rolling 12 months. */
  facetDiagnosticBlocksPerRegionPer12Months: z.number().int().min(0),
  /** AUTH-4: RFA sessions per region per rolling 12 months. */
  rfaSessionsPerRegionPer12Months: z.number().int().min(0),
  /** CODE-3: facet levels billable in one session (Medicare 2: 64492/64495 not billable). */
  facetMaxLevelsPerSession: z.number().int().min(1).max(3),
  /** AUTH-4: MBB relief % required before RFA. */
  mbbReliefThresholdPercent: Percent,
  /** AUTH-4: minimum days between the two diagnostic MBBs. */
  mbbMinDaysBetweenBlocks: Days,
  /** ELIG-3: weeks of documented failed conservative care before ESI. */
  conservativeCareWeeksBeforeEsi: z.number().int().min(0),
  /** AUTH-7: renewal request starts this many days before expiry. */
  authRenewalLeadDays: Days,
  /** ELIG-5 / SUB-3: procedure families that need prior authorization. */
  priorAuthFamilies: z.array(ProcedureFamily),
  /** ELIG-5 / SUB-3: individual CPT/HCPCS codes that need prior authorization. */
  priorAuthCpts: z.array(z.string()),
  /** POST-5: paid < expected − tolerance is an underpayment (integer cents, default 100). */
  underpaymentToleranceCents: z.number().int().min(0),
  /** SUB-2: ICD-10-CM prefixes that support medical necessity, per procedure family. */
  coveredDiagnoses: CoveredDiagnoses,
});
export type PayerPolicy = z.infer<typeof PayerPolicy>;

/** What a context may override: any field; coveredDiagnoses per family. */
export const PayerPolicyOverrides = PayerPolicy.extend({
  coveredDiagnoses: z.partialRecord(ProcedureFamily, z.array(z.string())),
})
  .omit({ payerId: true })
  .partial()
  .strict();
export type PayerPolicyOverrides = z.infer<typeof PayerPolicyOverrides>;

const BuiltInPolicyData = PayerPolicy.omit({ payerId: true, coveredDiagnoses: true }).extend({
  coveredDiagnosesSet: z.string(),
});
const payerPoliciesData = z
  .object({ _source: z.string(), policies: z.record(z.enum(BUILT_IN_PAYER_IDS), BuiltInPolicyData) })
  .parse(payerPoliciesJson);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// No structuredClone: this module also runs inside the Temporal workflow sandbox.
function copyCoveredDiagnoses(set: CoveredDiagnoses): CoveredDiagnoses {
  return Object.fromEntries(Object.entries(set).map(([family, codes]) => [family, [...codes]])) as CoveredDiagnoses;
}

const BUILT_IN_POLICIES: ReadonlyMap<string, PayerPolicy> = new Map(
  BUILT_IN_PAYER_IDS.map((payerId) => {
    const { coveredDiagnosesSet: setName, ...rest } = payerPoliciesData.policies[payerId];
    const policy: PayerPolicy = { payerId, ...rest, coveredDiagnoses: copyCoveredDiagnoses(coveredDiagnosesSet(setName)) };
    return [payerId, deepFreeze(PayerPolicy.parse(policy))];
  }),
);

/** The built-in policies, frozen (MEDICARE, MEDICARE_ADVANTAGE, MEDICAID, COMMERCIAL). */
export const MEDICARE = BUILT_IN_POLICIES.get('MEDICARE')!;
export const MEDICARE_ADVANTAGE = BUILT_IN_POLICIES.get('MEDICARE_ADVANTAGE')!;
export const MEDICAID = BUILT_IN_POLICIES.get('MEDICAID')!;
export const COMMERCIAL = BUILT_IN_POLICIES.get('COMMERCIAL')!;

export function isKnownPayer(payerId: string): boolean {
  return BUILT_IN_POLICIES.has(payerId);
}

export class UnknownPayerError extends Error {
  constructor(readonly payerId: string) {
    super(`unknown payer id '${payerId}': expected one of ${BUILT_IN_PAYER_IDS.join(', ')} or a configured payer policy`);
    this.name = 'UnknownPayerError';
  }
}

/** Apply overrides onto a base policy (coveredDiagnoses merge per family). Returns `base` when nothing is overridden. */
export function applyPolicyOverrides(base: PayerPolicy, overrides?: PayerPolicyOverrides): PayerPolicy {
  if (!overrides) return base;
  const { coveredDiagnoses, ...fields } = overrides;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0 && !coveredDiagnoses) return base;
  return {
    ...base,
    ...defined,
    coveredDiagnoses: coveredDiagnoses ? { ...base.coveredDiagnoses, ...dropUndefined(coveredDiagnoses) } : base.coveredDiagnoses,
  };
}
function dropUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/**
 * The effective policy of a payer: the built-in defaults with `overrides` applied, or, for a
 * named payer without built-in defaults, `overrides` when they form a complete policy.
 * Throws UnknownPayerError otherwise.
 */
export function resolvePayerPolicy(payerId: string, overrides?: PayerPolicyOverrides): PayerPolicy {
  const base = BUILT_IN_POLICIES.get(payerId);
  if (base) return applyPolicyOverrides(base, overrides);
  const configured = completePolicy(payerId, overrides);
  if (!configured) throw new UnknownPayerError(payerId);
  return configured;
}

/** A named payer configured in full (every field, e.g. from the practice's payer table), else undefined. */
function completePolicy(payerId: string, overrides?: PayerPolicyOverrides): PayerPolicy | undefined {
  if (!overrides) return undefined;
  const parsed = PayerPolicy.safeParse({ ...overrides, payerId });
  return parsed.success ? parsed.data : undefined;
}

/** Whether a payer has a policy: a built-in id, or a complete configured policy in `overrides`. */
export function hasPayerPolicy(payerId: string, overrides?: PayerPolicyOverrides): boolean {
  return isKnownPayer(payerId) || completePolicy(payerId, overrides) !== undefined;
}

/** The built-in policy of a payer type (used as a fallback when a claim names an unknown payer). */
export function defaultPolicyForType(type: PayerType): PayerPolicy {
  const payerId = { medicare: 'MEDICARE', medicare_advantage: 'MEDICARE_ADVANTAGE', medicaid: 'MEDICAID', commercial: 'COMMERCIAL' }[type];
  return BUILT_IN_POLICIES.get(payerId)!;
}

// ---------------------------------------------------------------------------------------------
// Fee schedules (CHG-5, POST-2)

export const FeeSchedule = z.object({
  year: z.number().int().min(1990).max(2100),
  /** Contracted allowable per unit, integer cents, by CPT/HCPCS. */
  allowableCents: z.record(z.string(), z.number().int().min(0)),
  /** Whose schedule this is, for messages: e.g. "demo-pain × MEDICARE 2026 contract v2", "MEDICARE payer default". */
  label: z.string().optional(),
});
export type FeeSchedule = z.infer<typeof FeeSchedule>;

const feeSchedulesData = z
  .object({
    _source: z.string(),
    schedules: z.record(z.enum(BUILT_IN_PAYER_IDS), z.record(z.string().regex(/^\d{4}$/), FeeSchedule.shape.allowableCents)),
  })
  .parse(feeSchedulesJson);
deepFreeze(feeSchedulesData);
const FEE_SCHEDULE_CACHE = new Map<string, FeeSchedule>();

/**
 * The built-in (illustrative) fee schedule of a payer for `year`: that year's schedule when there
 * is one, else the latest earlier one (else the earliest), and `year` says which year it really is
 * so CHG-5 can flag a schedule not updated for the current year. Throws UnknownPayerError for an
 * unknown payer id.
 */
export function builtInFeeSchedule(payerId: string, year: number): FeeSchedule {
  if (!isKnownPayer(payerId)) throw new UnknownPayerError(payerId);
  const key = `${payerId}|${year}`;
  let schedule = FEE_SCHEDULE_CACHE.get(key);
  if (!schedule) {
    const byYear = feeSchedulesData.schedules[payerId as BuiltInPayerId];
    const years = Object.keys(byYear).map(Number).sort((a, b) => a - b);
    const chosen = [...years].reverse().find((y) => y <= year) ?? years[0];
    schedule = Object.freeze({ year: chosen, allowableCents: byYear[String(chosen)] });
    FEE_SCHEDULE_CACHE.set(key, schedule);
  }
  return schedule;
}
