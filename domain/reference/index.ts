/**
 * Typed access to the coding reference data (the JSON files beside this module, each with its
 * `_source`). Every file is validated once at load with zod, then exposed as read-only lookup
 * maps so rule code never carries code lists as literals. Pure: safe to import from workflows.
 */
import { z } from 'zod';
import { APPROACHES, FAMILIES, type Family } from '../claim-document';
import procedureCodesJson from './procedure-codes.json';
import addOnCodesJson from './add-on-codes.json';
import bilateralCodesJson from './bilateral-codes.json';
import modifiersJson from './modifiers.json';
import ncciPtpJson from './ncci-ptp.json';
import placeOfServiceJson from './place-of-service.json';
import emLevelsJson from './em-levels.json';
import coveredDiagnosesJson from './covered-diagnoses.json';

/** Families of billing codes. The first four are the ones payer policies key on (§4). */
export const PROCEDURE_FAMILIES = ['esi', 'facet', 'rfa', 'scs'] as const;
export const ProcedureFamily = z.enum(PROCEDURE_FAMILIES);
export type ProcedureFamily = z.infer<typeof ProcedureFamily>;

export const CodeFamily = z.enum([
  ...PROCEDURE_FAMILIES,
  'scs_programming',
  'other',
  'imaging_guidance',
  'em',
]);
export type CodeFamily = z.infer<typeof CodeFamily>;

export const RegionGroup = z.enum(['cervical_thoracic', 'lumbar_sacral']);
export type RegionGroup = z.infer<typeof RegionGroup>;

export const GuidanceModality = z.enum(['fluoroscopy', 'ct', 'ultrasound']);
export type GuidanceModality = z.infer<typeof GuidanceModality>;

const CodeInfoSchema = z.object({
  description: z.string(),
  family: CodeFamily,
  regionGroup: RegionGroup.optional(),
  approaches: z.array(z.enum(APPROACHES)).optional(),
  includesImagingGuidance: z.boolean(),
  guidanceSeparatelyBillable: z.boolean().optional(),
  withImagingCode: z.string().optional(),
  regionCounterpart: z.string().optional(),
  levelOrdinal: z.number().int().min(1).max(3).optional(),
  scsRole: z.enum(['leads', 'implant', 'device']).optional(),
  guidanceModality: GuidanceModality.optional(),
});
export type CodeInfo = z.infer<typeof CodeInfoSchema> & { readonly code: string };

const Sourced = { _source: z.string().min(1) };

const procedureCodes = z
  .object({
    ...Sourced,
    documentationFamilies: z.record(z.enum(FAMILIES), CodeFamily),
    codes: z.record(z.string(), CodeInfoSchema),
    scsImplantDevice: z.object({ ...Sourced, code: z.string(), requiredFromServiceDate: z.string() }),
  })
  .parse(procedureCodesJson);

const addOnCodes = z
  .object({ ...Sourced, addOnToPrimary: z.record(z.string(), z.array(z.string()).min(1)) })
  .parse(addOnCodesJson);

const bilateralCodes = z
  .object({ ...Sourced, bilateralEligible: z.array(z.string()), bilateralPaymentPercent: z.number() })
  .parse(bilateralCodesJson);

const modifiers = z
  .object({
    ...Sourced,
    bilateral: z.string(),
    right: z.string(),
    left: z.string(),
    significantSeparateEm: z.string(),
    distinctProcedural: z.array(z.string()),
  })
  .parse(modifiersJson);

export const PtpEdit = z.object({
  column1: z.string(),
  column2: z.string(),
  modifierIndicator: z.union([z.literal(0), z.literal(1), z.literal(9)]),
});
export type PtpEdit = z.infer<typeof PtpEdit>;
const ncciPtp = z.object({ ...Sourced, edits: z.array(PtpEdit) }).parse(ncciPtpJson);

const posData = z
  .object({ ...Sourced, codes: z.record(z.string(), z.object({ name: z.string(), telehealth: z.boolean() })) })
  .parse(placeOfServiceJson);

export const Mdm = z.enum(['straightforward', 'low', 'moderate', 'high']);
export type Mdm = z.infer<typeof Mdm>;
export const EmLevel = z.object({
  patient: z.enum(['new', 'established']),
  mdm: Mdm,
  minMinutes: z.number().int().min(0),
});
export type EmLevel = z.infer<typeof EmLevel> & { readonly code: string };
const emLevels = z
  .object({
    ...Sourced,
    mdmOrder: z.array(Mdm),
    codes: z.record(z.string(), EmLevel),
    moderateMdmRule: z.object({ minChronicConditions: z.number().int(), requiresPrescriptionDrugManagement: z.boolean() }),
  })
  .parse(emLevelsJson);

export const CoveredDiagnoses = z.record(ProcedureFamily, z.array(z.string()));
export type CoveredDiagnoses = z.infer<typeof CoveredDiagnoses>;
const coveredDiagnoses = z
  .object({
    ...Sourced,
    sets: z.record(z.string(), CoveredDiagnoses),
    payerTypes: z.record(z.string(), z.string()),
  })
  .parse(coveredDiagnosesJson);

// ---------------------------------------------------------------------------------------------
// Lookups

const CODE_INFO: ReadonlyMap<string, CodeInfo> = new Map(
  Object.entries(procedureCodes.codes).map(([code, info]) => [code, Object.freeze({ ...info, code })]),
);

/** Reference facts for a CPT/HCPCS code of the pain code set; undefined for codes outside it. */
export function codeInfo(cpt: string): CodeInfo | undefined {
  return CODE_INFO.get(cpt);
}

/** Every code of the pain code set (used by fee schedules and tests). */
export function painCodeSet(): string[] {
  return [...CODE_INFO.keys()];
}

/** The billing-code family a documented procedure belongs to (facet_mbb → facet, scs_trial → scs). */
export function codeFamilyOfDocumented(family: Family): CodeFamily {
  return procedureCodes.documentationFamilies[family];
}

export const SCS_IMPLANT_DEVICE = Object.freeze({
  code: procedureCodes.scsImplantDevice.code,
  requiredFromServiceDate: procedureCodes.scsImplantDevice.requiredFromServiceDate,
});

const ADD_ON_TO_PRIMARY: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(addOnCodes.addOnToPrimary));
const ADD_ONS_BY_PRIMARY = new Map<string, string[]>();
for (const [addOn, primaries] of ADD_ON_TO_PRIMARY) {
  for (const primary of primaries) {
    ADD_ONS_BY_PRIMARY.set(primary, [...(ADD_ONS_BY_PRIMARY.get(primary) ?? []), addOn]);
  }
}

/** Primary codes an add-on code must be billed with; undefined when the code is not an add-on. */
export function primariesOfAddOn(cpt: string): readonly string[] | undefined {
  return ADD_ON_TO_PRIMARY.get(cpt);
}
export function isAddOnCode(cpt: string): boolean {
  return ADD_ON_TO_PRIMARY.has(cpt);
}
/** Add-on codes that extend a primary code (64483 → [64484]; 64493 → [64494, 64495]). */
export function addOnsOfPrimary(cpt: string): readonly string[] {
  return ADD_ONS_BY_PRIMARY.get(cpt) ?? [];
}

const BILATERAL_ELIGIBLE: ReadonlySet<string> = new Set(bilateralCodes.bilateralEligible);
export function isBilateralEligible(cpt: string): boolean {
  return BILATERAL_ELIGIBLE.has(cpt);
}
export const BILATERAL_PAYMENT_PERCENT = bilateralCodes.bilateralPaymentPercent;

export const MODIFIERS = Object.freeze({
  bilateral: modifiers.bilateral,
  right: modifiers.right,
  left: modifiers.left,
  significantSeparateEm: modifiers.significantSeparateEm,
  distinctProcedural: Object.freeze([...modifiers.distinctProcedural]) as readonly string[],
});
const DISTINCT_MODIFIERS: ReadonlySet<string> = new Set(modifiers.distinctProcedural);
export function isDistinctProceduralModifier(modifier: string): boolean {
  return DISTINCT_MODIFIERS.has(modifier);
}

const PTP = new Map<string, PtpEdit>();
for (const edit of ncciPtp.edits) PTP.set(`${edit.column1}|${edit.column2}`, edit);
/** The NCCI PTP edit for a code pair in either order, if any (column1/column2 as published). */
export function ptpEdit(a: string, b: string): PtpEdit | undefined {
  return PTP.get(`${a}|${b}`) ?? PTP.get(`${b}|${a}`);
}
export function ptpEdits(): readonly PtpEdit[] {
  return ncciPtp.edits;
}

const PLACES_OF_SERVICE = new Map(Object.entries(posData.codes));
export function placeOfService(pos: string): { name: string; telehealth: boolean } | undefined {
  return PLACES_OF_SERVICE.get(pos);
}

const EM_LEVELS: ReadonlyMap<string, EmLevel> = new Map(
  Object.entries(emLevels.codes).map(([code, level]) => [code, Object.freeze({ ...level, code })]),
);
export function emLevel(cpt: string): EmLevel | undefined {
  return EM_LEVELS.get(cpt);
}
/** E/M levels of one patient category, lowest first. */
export function emLevelsFor(patient: 'new' | 'established'): readonly EmLevel[] {
  return EM_LEVELS_BY_PATIENT[patient];
}
export function mdmRank(mdm: Mdm): number {
  return emLevels.mdmOrder.indexOf(mdm);
}
const EM_LEVELS_BY_PATIENT = {
  new: Object.freeze([...EM_LEVELS.values()].filter((l) => l.patient === 'new').sort((a, b) => mdmRank(a.mdm) - mdmRank(b.mdm))),
  established: Object.freeze([...EM_LEVELS.values()].filter((l) => l.patient === 'established').sort((a, b) => mdmRank(a.mdm) - mdmRank(b.mdm))),
};
export const MODERATE_MDM_RULE = Object.freeze({ ...emLevels.moderateMdmRule });

/** Covered-diagnosis prefixes per procedure family for a payer type (DOMAIN.md §4). */
export function coveredDiagnosesForPayerType(payerType: string): CoveredDiagnoses {
  const setName = coveredDiagnoses.payerTypes[payerType] ?? 'medicare_lcd';
  return coveredDiagnosesSet(setName);
}
export function coveredDiagnosesSet(setName: string): CoveredDiagnoses {
  const set = coveredDiagnoses.sets[setName];
  if (!set) throw new Error(`unknown covered-diagnoses set '${setName}'`);
  return set;
}

/** ICD-10-CM codes compare without the dot: M47.816 and M47816 are the same code. */
export function normalizeIcd10(code: string): string {
  const upper = code.toUpperCase();
  return upper.includes('.') ? upper.replace('.', '') : upper;
}

/** Whether `diagnosis` falls under one of the covered prefixes (dots ignored on both sides). */
export function diagnosisCovered(diagnosis: string, coveredPrefixes: readonly string[]): boolean {
  const { prefixes, lengths } = prefixIndex(coveredPrefixes);
  const dx = normalizeIcd10(diagnosis);
  for (const length of lengths) {
    if (length <= dx.length && prefixes.has(dx.slice(0, length))) return true;
  }
  return false;
}
const PREFIX_INDEX = new WeakMap<readonly string[], { prefixes: Set<string>; lengths: number[] }>();
function prefixIndex(covered: readonly string[]): { prefixes: Set<string>; lengths: number[] } {
  let index = PREFIX_INDEX.get(covered);
  if (!index) {
    const prefixes = new Set(covered.map(normalizeIcd10).filter((p) => p.length > 0));
    index = { prefixes, lengths: [...new Set([...prefixes].map((p) => p.length))].sort((a, b) => a - b) };
    PREFIX_INDEX.set(covered, index);
  }
  return index;
}
