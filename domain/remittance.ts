/**
 * The remittance model (an X12 835 in JSON form). `POST /api/remittances` accepts it as JSON, the
 * 835 parser produces it, the payer simulator emits it, and claim payment posting consumes it.
 * Money is integer cents (negative for reversals and recoupments). Pure: safe in workflow code.
 */
import { z } from 'zod';
import { IsoDate } from './claim-document';

export const AdjustmentGroup = z.enum(['CO', 'PR', 'OA', 'PI', 'CR']);
export type AdjustmentGroup = z.infer<typeof AdjustmentGroup>;

/** One CAS adjustment: group code + CARC + amount (+ units where the payer gives them). */
export const Adjustment = z.object({
  group: AdjustmentGroup,
  carc: z.string().min(1).max(5),
  amountCents: z.number().int(),
  quantity: z.number().optional(),
});
export type Adjustment = z.infer<typeof Adjustment>;

/** SVC loop: the payer's answer for one service line. */
export const LinePayment = z.object({
  /** 1-based line number of the submitted claim when the payer echoes it (REF*6R), else matched by CPT. */
  lineNumber: z.number().int().min(1).optional(),
  cpt: z.string().min(1),
  modifiers: z.array(z.string()).default([]),
  chargedCents: z.number().int(),
  paidCents: z.number().int(),
  /** Contracted allowable reported by the payer (AMT*B6), when present. */
  allowedCents: z.number().int().optional(),
  units: z.number().default(1),
  serviceDate: IsoDate.optional(),
  adjustments: z.array(Adjustment).default([]),
  /** RARC remark codes (LQ*HE). */
  remarks: z.array(z.string()).default([]),
});
export type LinePayment = z.infer<typeof LinePayment>;

/**
 * CLP02 claim status codes: 1 processed as primary, 2 as secondary, 3 as tertiary, 4 denied,
 * 19/20/21 processed as primary/secondary/tertiary forwarded, 22 reversal of previous payment,
 * 23 not our claim forwarded.
 */
export const ClaimStatusCode = z.enum(['1', '2', '3', '4', '19', '20', '21', '22', '23', '25']);
export type ClaimStatusCode = z.infer<typeof ClaimStatusCode>;

export const ClaimPayment = z.object({
  /** CLP01: the practice's patient control number, i.e. our claimId. */
  claimId: z.string().min(1),
  statusCode: ClaimStatusCode,
  chargedCents: z.number().int(),
  paidCents: z.number().int(),
  patientResponsibilityCents: z.number().int().default(0),
  /** CLP07: the payer's claim control number. */
  payerClaimControlNumber: z.string().optional(),
  /** Claim-level CAS adjustments. */
  adjustments: z.array(Adjustment).default([]),
  /** Claim-level remark codes (MOA/MIA). */
  remarks: z.array(z.string()).default([]),
  lines: z.array(LinePayment).default([]),
});
export type ClaimPayment = z.infer<typeof ClaimPayment>;

/** PLB: provider-level adjustment (interest, recoupment, forward balance...). */
export const ProviderAdjustment = z.object({
  reasonCode: z.string().min(1),
  reference: z.string().optional(),
  /** As in PLB: positive reduces the payment, negative increases it. */
  amountCents: z.number().int(),
});
export type ProviderAdjustment = z.infer<typeof ProviderAdjustment>;

export const Remittance = z.object({
  /** Payer's id as configured in this product (payer policy key), e.g. MEDICARE. */
  payerId: z.string().min(1),
  /** TRN02: check/EFT trace number. Together with payerId it is the idempotency key of the file. */
  traceNumber: z.string().min(1),
  /** BPR02: total actually paid in this remittance. */
  totalPaidCents: z.number().int(),
  /** BPR16: payment effective date. */
  paymentDate: IsoDate,
  /** DTM*405 production date: the date the payer adjudicated; denial clocks start here (DEN-4). */
  adjudicationDate: IsoDate,
  claims: z.array(ClaimPayment),
  providerAdjustments: z.array(ProviderAdjustment).default([]),
  /** N1*PE with XX: the payee's NPI (the practice's billing NPI); routes unmatched payments to a practice. */
  payeeNpi: z.string().regex(/^\d{10}$/).optional(),
});
export type Remittance = z.infer<typeof Remittance>;

/** Stable key of a remittance: never post the same TRN from the same payer twice. */
export function remittanceKey(r: Pick<Remittance, 'payerId' | 'traceNumber'>): string {
  return `${r.payerId}:${r.traceNumber}`;
}
