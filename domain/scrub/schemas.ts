/**
 * The scrub contract (CONTRACTS.md "Scrub"): ScrubContext, ScrubCase, Finding, ScrubResult.
 * The published JSON Schema (schemas/scrub-case.schema.json) is generated from ScrubCase.
 */
import { z } from 'zod';
import { Approach, ClaimDocument, Family, IsoDate, Laterality, Region } from '../claim-document';
import { FeeSchedule, PayerPolicyOverrides } from '../payer-policy';

export const Authorization = z.object({
  number: z.string().min(1).max(50),
  cpts: z.array(z.string().min(1)).min(1),
  region: Region,
  approach: Approach.optional(),
  levels: z.array(z.string().min(1)),
  laterality: Laterality,
  validFrom: IsoDate,
  validTo: IsoDate,
  /** Optional (addition to CONTRACTS.md): visits authorized and already used, for AUTH-8. */
  visitsAuthorized: z.number().int().min(0).optional(),
  visitsUsed: z.number().int().min(0).optional(),
});
export type Authorization = z.infer<typeof Authorization>;

export const PriorProcedure = z.object({ family: Family, region: Region, serviceDate: IsoDate });
export type PriorProcedure = z.infer<typeof PriorProcedure>;

export const ProviderEnrollment = z.object({
  active: z.boolean(),
  effectiveDate: IsoDate.optional(),
  endDate: IsoDate.optional(),
});
export type ProviderEnrollment = z.infer<typeof ProviderEnrollment>;

export const ScrubContext = z.strictObject({
  /** Submission date, YYYY-MM-DD; defaults to the service date. */
  asOf: IsoDate.optional(),
  /** Overrides of the built-in payer policy. */
  payerPolicy: PayerPolicyOverrides.optional(),
  /** Rendering provider's enrollment with the claim's payer; absent = enrolled. */
  providerEnrollment: ProviderEnrollment.optional(),
  authorization: Authorization.optional(),
  priorProcedures: z.array(PriorProcedure).optional(),
  /** Contracted allowables by CPT; defaults to the built-in schedule of the payer. */
  feeSchedule: FeeSchedule.optional(),
});
export type ScrubContext = z.infer<typeof ScrubContext>;

export const ScrubCase = z.object({ claim: ClaimDocument, context: ScrubContext.optional() });
export type ScrubCase = z.infer<typeof ScrubCase>;

export const Severity = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

export const Finding = z.object({
  /** Rule ID from DOMAIN.md, e.g. 'CODE-6'. */
  ruleId: z.string().regex(/^[A-Z]+-\d+$/),
  severity: Severity,
  /** 1-based service line the finding is about; absent for claim-level findings. */
  line: z.number().int().min(1).optional(),
  message: z.string().min(1),
  fix: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

export const ScrubStatus = z.enum(['clean', 'warnings', 'errors']);
export type ScrubStatus = z.infer<typeof ScrubStatus>;

export const ScrubResult = z.object({
  claimId: z.string(),
  status: ScrubStatus,
  findings: z.array(Finding),
});
export type ScrubResult = z.infer<typeof ScrubResult>;
