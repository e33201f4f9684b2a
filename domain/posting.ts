/**
 * Glue between a payer policy, its fee schedule and the contract comparison (POST-2…5): the
 * ContractTerms a claim's remittance is checked against. Pure.
 */
import type { ContractTerms } from './contract';
import type { PayerPolicy, FeeSchedule } from './payer-policy';
import addOnCodesJson from './reference/add-on-codes.json';

const ADD_ON_CODES: readonly string[] = Object.keys((addOnCodesJson as { addOnToPrimary: Record<string, string[]> }).addOnToPrimary);

/** Device, programming and E/M lines are not surgical procedures: never multiple-procedure reduced. */
const MPR_EXEMPT = ['C1607', '95970', '95971', '95972', '99202', '99203', '99204', '99205', '99212', '99213', '99214', '99215'];

export function contractTermsFor(policy: PayerPolicy, fees: FeeSchedule, imagingCodes?: readonly string[]): ContractTerms {
  return {
    ...(imagingCodes ? { imagingCodes } : {}),
    allowableCents: fees.allowableCents,
    multipleProcedureReductionPercent: policy.multipleProcedureReductionPercent,
    bilateralPercent: policy.bilateralPaymentPercent,
    addOnCodes: ADD_ON_CODES,
    mprExemptCodes: MPR_EXEMPT,
    toleranceCents: policy.underpaymentToleranceCents,
  };
}
