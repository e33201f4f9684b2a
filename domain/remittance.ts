/**
 * The remittance model (an X12 835 in JSON form). `POST /api/remittances` accepts it as JSON, the
 * 835 parser produces it, the payer simulator emits it, and claim payment posting consumes it.
 * Money is integer cents (negative for reversals and recoupments). Pure: safe in workflow code.
 */
import { z } from 'zod';
import { Cents, Text, WorkflowDate } from './primitives';
import { IsoDate } from './claim-document';

export const AdjustmentGroup = z.enum(['CO', 'PR', 'OA', 'PI', 'CR']);
export type AdjustmentGroup = z.infer<typeof AdjustmentGroup>;

/** One CAS adjustment: group code + CARC + amount (+ units where the payer gives them). */
export const Adjustment = z.object({
  group: AdjustmentGroup,
  carc: Text(5, 1),
  amountCents: Cents,
  quantity: z.number().optional(),
});
export type Adjustment = z.infer<typeof Adjustment>;

/** SVC loop: the payer's answer for one service line. */
export const LinePayment = z.object({
  /** 1-based line number of the submitted claim when the payer echoes it (REF*6R), else matched by CPT. */
  lineNumber: z.number().int().min(1).optional(),
  cpt: Text(48, 1),
  modifiers: z.array(Text(200)).default([]),
  chargedCents: Cents,
  paidCents: Cents,
  /** Contracted allowable reported by the payer (AMT*B6), when present. */
  allowedCents: Cents.optional(),
  units: z.number().default(1),
  serviceDate: IsoDate.optional(),
  adjustments: z.array(Adjustment).default([]),
  /** RARC remark codes (LQ*HE). */
  remarks: z.array(Text(200)).default([]),
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
  claimId: Text(200, 1),
  statusCode: ClaimStatusCode,
  chargedCents: Cents,
  paidCents: Cents,
  patientResponsibilityCents: Cents.default(0),
  /** CLP07: the payer's claim control number. */
  payerClaimControlNumber: Text(200).optional(),
  /** Claim-level CAS adjustments. */
  adjustments: z.array(Adjustment).default([]),
  /** Claim-level remark codes (MOA/MIA). */
  remarks: z.array(Text(200)).default([]),
  lines: z.array(LinePayment).default([]),
});
export type ClaimPayment = z.infer<typeof ClaimPayment>;

/** PLB: provider-level adjustment (interest, recoupment, forward balance...). */
export const ProviderAdjustment = z.object({
  reasonCode: Text(200, 1),
  reference: Text(200).optional(),
  /** As in PLB: positive reduces the payment, negative increases it. */
  amountCents: Cents,
});
export type ProviderAdjustment = z.infer<typeof ProviderAdjustment>;

export const Remittance = z.object({
  /** Payer's id as configured in this product (payer policy key), e.g. MEDICARE. */
  payerId: Text(200, 1),
  /**
   * The payer as the file names itself (835: REF*2U, else N1*PR N104, else TRN03), whatever payer
   * id of ours `payerId` maps it to. Absent: `payerId`. Half of each claim payment's idempotency key.
   */
  payerInFile: Text(200).optional(),
  /** TRN02: check/EFT trace number. Together with payerId it is the idempotency key of the file. */
  traceNumber: Text(200, 1),
  /** BPR02: total actually paid in this remittance. */
  totalPaidCents: Cents,
  /** BPR16: payment effective date. */
  paymentDate: WorkflowDate,
  /** DTM*405 production date: the date the payer adjudicated; denial clocks start here (DEN-4). */
  adjudicationDate: WorkflowDate,
  claims: z.array(ClaimPayment).max(100_000),
  providerAdjustments: z.array(ProviderAdjustment).default([]),
  /** N1*PE with XX: the payee's NPI (the practice's billing NPI); routes unmatched payments to a practice. */
  payeeNpi: z.string().regex(/^\d{10}$/).optional(),
  /** N1*PE with FI: the payee's tax id, 9 digits; identifies the practice when no NPI does. */
  payeeTaxId: z.string().regex(/^\d{9}$/).optional(),
});
export type Remittance = z.infer<typeof Remittance>;

/** Stable key of a remittance: never post the same TRN from the same payer twice. */
export function remittanceKey(r: Pick<Remittance, 'payerId' | 'traceNumber'>): string {
  return `${r.payerId}:${r.traceNumber}`;
}

/**
 * Idempotency key of one claim payment: the payer as the file names itself, TRN02, CLP01, CLP07
 * (payer claim control number) and its occurrence among the transaction set's claim payments with
 * the same CLP01 and CLP07 (a reversal and its correction may share both). Posting a file again —
 * under any `?payerId=` — finds the same keys and posts nothing twice.
 */
export function claimPaymentKey(payerInFile: string, traceNumber: string, claimId: string, payerClaimControlNumber: string, occurrence: number): string {
  return JSON.stringify([payerInFile, traceNumber, claimId, payerClaimControlNumber, occurrence]);
}

/** The key of every claim payment of a remittance, in file order. */
export function claimPaymentKeys(r: Pick<Remittance, 'payerId' | 'payerInFile' | 'traceNumber' | 'claims'>): string[] {
  const payer = r.payerInFile || r.payerId;
  const seen = new Map<string, number>();
  return r.claims.map((c) => {
    const ccn = c.payerClaimControlNumber ?? '';
    const base = JSON.stringify([c.claimId, ccn]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return claimPaymentKey(payer, r.traceNumber, c.claimId, ccn, n);
  });
}
