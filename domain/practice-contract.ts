/**
 * A practice's contract with a payer for a year (issue 13): the terms as they are sent (JSON or a
 * CSV fee schedule), their validation with row and column, and the effective terms a rule uses —
 * each field from the contract when the contract has it, else from the payer's defaults
 * (DOMAIN.md §4), with the source of each field said.
 *
 * Pure: no I/O, no clock. Safe to import from workflow code (csv-parse is only used by the CSV
 * reader, which runs at the API and CLI edges).
 */
import { z } from 'zod';
import { NonNegativeCents, Text } from './primitives';
import { ProcedureFamily } from './reference';
import type { FeeSchedule, PayerPolicy } from './payer-policy';
import { DEFAULT_IMAGING_GUIDANCE_CODES } from './contract';

export const CPT_PATTERN = /^[A-Z0-9]{5}$/;
export const MODIFIER_PATTERN = /^[A-Z0-9]{2}$/;

const Cpt = z.string().regex(CPT_PATTERN, 'CPT/HCPCS is 5 characters, e.g. 64483 or C1607');
const Modifier = z.string().regex(MODIFIER_PATTERN, 'a modifier is 2 characters, e.g. 50');

export const ContractFee = z.object({
  cpt: Cpt,
  /** Set when the payer prices the code with this modifier apart (e.g. 64483 with 50). */
  modifier: Modifier.optional(),
  /** Contracted allowable per unit, integer cents. */
  allowableCents: NonNegativeCents,
});
export type ContractFee = z.infer<typeof ContractFee>;

export const ImagingGuidanceFee = z.object({ cpt: Cpt, allowableCents: NonNegativeCents });

/** The body of `PUT /api/practices/:practiceId/contracts/:payerId/:year` (JSON). Absent or null → the payer's default. */
export const ContractBody = z
  .object({
    fees: z.array(ContractFee).max(50_000).optional(),
    imagingGuidance: z.array(ImagingGuidanceFee).max(100).optional(),
    multipleProcedureReductionPercent: z.number().min(0).max(100).multipleOf(0.01).nullable().optional(),
    bilateralPaymentPercent: z.number().min(0).max(300).multipleOf(0.01).nullable().optional(),
    timelyFilingDays: z.number().int().min(1).max(3650).nullable().optional(),
    appealWindowDays: z.number().int().min(1).max(3650).nullable().optional(),
    priorAuthFamilies: z.array(ProcedureFamily).max(4).nullable().optional(),
    note: Text(500).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    (body.fees ?? []).forEach((f, i) => {
      const key = `${f.cpt}:${f.modifier ?? ''}`;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['fees', i, 'cpt'], message: `${f.cpt}${f.modifier ? ` with modifier ${f.modifier}` : ''} is already priced at fees.${first}` });
      else seen.set(key, i);
    });
    const imaging = new Set<string>();
    (body.imagingGuidance ?? []).forEach((f, i) => {
      if (imaging.has(f.cpt) || seen.has(`${f.cpt}:`)) ctx.addIssue({ code: 'custom', path: ['imagingGuidance', i, 'cpt'], message: `${f.cpt} is priced twice` });
      imaging.add(f.cpt);
    });
  });
export type ContractBody = z.infer<typeof ContractBody>;

/** The terms a contract version holds, normalized (sorted fees, nulls for absent terms). */
export interface ContractTermsStored {
  fees: Array<{ cpt: string; modifier: string; allowableCents: number; imagingGuidance: boolean }>;
  multipleProcedureReductionPercent: number | null;
  bilateralPaymentPercent: number | null;
  timelyFilingDays: number | null;
  appealWindowDays: number | null;
  priorAuthFamilies: ProcedureFamily[] | null;
}

export function normalizeContract(body: ContractBody): ContractTermsStored {
  const fees = [
    ...(body.fees ?? []).map((f) => ({ cpt: f.cpt, modifier: f.modifier ?? '', allowableCents: f.allowableCents, imagingGuidance: false })),
    ...(body.imagingGuidance ?? []).map((f) => ({ cpt: f.cpt, modifier: '', allowableCents: f.allowableCents, imagingGuidance: true })),
  ].sort((a, b) => a.cpt.localeCompare(b.cpt) || a.modifier.localeCompare(b.modifier));
  return {
    fees,
    multipleProcedureReductionPercent: body.multipleProcedureReductionPercent ?? null,
    bilateralPaymentPercent: body.bilateralPaymentPercent ?? null,
    timelyFilingDays: body.timelyFilingDays ?? null,
    appealWindowDays: body.appealWindowDays ?? null,
    priorAuthFamilies: body.priorAuthFamilies ? [...new Set(body.priorAuthFamilies)].sort() : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Effective terms

export type TermSource = 'contract' | 'payer_default';
export const CONTRACT_FIELDS = ['feeSchedule', 'multipleProcedureReductionPercent', 'bilateralPaymentPercent', 'timelyFilingDays', 'appealWindowDays', 'priorAuthFamilies'] as const;
export type ContractField = (typeof CONTRACT_FIELDS)[number];

export interface StoredContractVersion extends ContractTermsStored {
  contractId: number;
  version: number;
}

export interface EffectiveContract {
  practiceId: string;
  payerId: string;
  year: number;
  /** `contract` when a contract version for the practice × payer × year exists (some fields may still be defaults: see `sources`). */
  source: TermSource;
  contractId: number | null;
  version: number | null;
  /** Where each term came from. */
  sources: Record<ContractField, TermSource>;
  /** Allowables per unit: by CPT, and `CPT:MOD` where the contract prices a modifier apart. `year` is the schedule's own year. */
  feeSchedule: FeeSchedule;
  imagingGuidanceCodes: string[];
  multipleProcedureReductionPercent: number;
  bilateralPaymentPercent: number;
  timelyFilingDays: number;
  appealWindowDays: number;
  priorAuthFamilies: ProcedureFamily[];
}

/** The key a modifier-specific allowable is stored under in `FeeSchedule.allowableCents`. */
export const modifierFeeKey = (cpt: string, modifier: string) => `${cpt}:${modifier}`;

/**
 * The terms in force: the contract's value of each field, else the payer's default. The fee
 * schedule is taken whole: a contract with fees replaces the payer's schedule (a code it does not
 * price has no contracted rate: POST-2 says so), a contract without fees keeps the payer's.
 */
export function effectiveContract(input: {
  practiceId: string;
  payerId: string;
  year: number;
  contract?: StoredContractVersion;
  policy: PayerPolicy;
  defaultFees: FeeSchedule | undefined;
}): EffectiveContract {
  const { contract, policy } = input;
  const pick = <K extends keyof ContractTermsStored>(k: K, fallback: NonNullable<ContractTermsStored[K]>): [NonNullable<ContractTermsStored[K]>, TermSource] => {
    const v = contract?.[k];
    return v === null || v === undefined ? [fallback, 'payer_default'] : [v as NonNullable<ContractTermsStored[K]>, 'contract'];
  };
  const [mpr, mprSource] = pick('multipleProcedureReductionPercent', policy.multipleProcedureReductionPercent);
  const [bilateral, bilateralSource] = pick('bilateralPaymentPercent', policy.bilateralPaymentPercent);
  const [filing, filingSource] = pick('timelyFilingDays', policy.timelyFilingDays);
  const [appeal, appealSource] = pick('appealWindowDays', policy.appealWindowDays);
  const [families, familiesSource] = pick('priorAuthFamilies', policy.priorAuthFamilies);
  const contractFees = contract && contract.fees.length > 0;
  const feeSchedule: FeeSchedule = contractFees
    ? {
        year: input.year,
        allowableCents: Object.fromEntries(contract.fees.map((f) => [f.modifier ? modifierFeeKey(f.cpt, f.modifier) : f.cpt, f.allowableCents])),
        label: `${input.practiceId} × ${input.payerId} ${input.year} contract v${contract.version}`,
      }
    : { ...(input.defaultFees ?? { year: input.year, allowableCents: {} }), label: `${input.payerId} payer default` };
  const imaging = new Set<string>(DEFAULT_IMAGING_GUIDANCE_CODES);
  for (const f of contract?.fees ?? []) if (f.imagingGuidance) imaging.add(f.cpt);
  return {
    practiceId: input.practiceId,
    payerId: input.payerId,
    year: input.year,
    source: contract ? 'contract' : 'payer_default',
    contractId: contract?.contractId ?? null,
    version: contract?.version ?? null,
    sources: {
      feeSchedule: contractFees ? 'contract' : 'payer_default',
      multipleProcedureReductionPercent: mprSource,
      bilateralPaymentPercent: bilateralSource,
      timelyFilingDays: filingSource,
      appealWindowDays: appealSource,
      priorAuthFamilies: familiesSource,
    },
    feeSchedule,
    imagingGuidanceCodes: [...imaging].sort(),
    multipleProcedureReductionPercent: mpr,
    bilateralPaymentPercent: bilateral,
    timelyFilingDays: filing,
    appealWindowDays: appeal,
    priorAuthFamilies: families,
  };
}

/** The payer policy with the contract's terms in place (what the scrub and denial rules read). */
export function policyWithContract(policy: PayerPolicy, c: EffectiveContract): PayerPolicy {
  return {
    ...policy,
    multipleProcedureReductionPercent: c.multipleProcedureReductionPercent,
    bilateralPaymentPercent: c.bilateralPaymentPercent,
    timelyFilingDays: c.timelyFilingDays,
    appealWindowDays: c.appealWindowDays,
    priorAuthFamilies: c.priorAuthFamilies,
  };
}

/** A short, PHI-free description of the terms used, for posting results and audit answers. */
export function contractUsed(c: EffectiveContract): { source: TermSource; contractId: number | null; version: number | null; year: number; sources: Record<ContractField, TermSource> } {
  return { source: c.source, contractId: c.contractId, version: c.version, year: c.year, sources: c.sources };
}
