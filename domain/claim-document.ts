/**
 * The claim document (CONTRACTS.md "Claim document"): the JSON form of an X12 837P professional
 * claim. One zod schema is the single source of truth for the API, the scrub CLI, the workflows
 * and the published JSON Schema. Pure: safe to import from workflow code.
 */
import { z } from 'zod';
import { BirthDate, BusinessId, NonNegativeCents, ServiceDate, Text, X12Text, birthDateIssue, serviceDateIssue } from './primitives';

export const REGIONS = ['cervical', 'thoracic', 'lumbar', 'sacral'] as const;
export const APPROACHES = ['interlaminar', 'transforaminal', 'caudal'] as const;
export const LATERALITIES = ['left', 'right', 'bilateral', 'midline'] as const;
export const FAMILIES = [
  'esi',
  'facet_mbb',
  'facet_injection',
  'rfa',
  'scs_trial',
  'scs_implant',
  'other',
] as const;

export const Region = z.enum(REGIONS);
export const Approach = z.enum(APPROACHES);
export const Laterality = z.enum(LATERALITIES);
export const Family = z.enum(FAMILIES);
export type Region = z.infer<typeof Region>;
export type Approach = z.infer<typeof Approach>;
export type Laterality = z.infer<typeof Laterality>;
export type Family = z.infer<typeof Family>;

export { IsoDate, BusinessId } from './primitives';

export const ClaimLine = z.object({
  cpt: z.string().regex(/^[A-Z0-9]{5}$/, 'CPT/HCPCS is 5 characters, e.g. 64483 or C1607'),
  modifiers: z.array(z.string().regex(/^[A-Z0-9]{2}$/, 'a modifier is 2 characters')).max(4).optional(),
  units: z.number().int().min(1).max(999),
  chargeCents: NonNegativeCents,
  diagnosisPointers: z.array(z.number().int().min(1).max(12)).min(1).max(4),
  /**
   * Optional extension: the line's date of service when it is not the claim's `serviceDate`
   * (a multi-visit claim: E/M or therapy series). The claim-level `serviceDate` stays the default
   * every rule uses; an 837P writes DTP*472 per line from this.
   */
  serviceDate: ServiceDate.optional(),
  /** Optional extension: SV103 unit basis, `UN` units (default) or `MJ` anesthesia minutes (then `units` counts minutes). */
  unitBasis: z.enum(['UN', 'MJ']).optional(),
});
export type ClaimLine = z.infer<typeof ClaimLine>;

export const ProcedureFacts = z.object({
  family: Family,
  approach: Approach.optional(),
  region: Region,
  levels: z.array(Text(10, 1)).max(10),
  laterality: Laterality,
  guidance: z.enum(['fluoroscopy', 'ct', 'ultrasound', 'none']).optional(),
  permanentImageRecorded: z.boolean().optional(),
  separateInterpretation: z.boolean().optional(),
  reliefPercent: z.number().min(0).max(100).optional(),
  reliefHours: z.number().min(0).max(10_000).optional(),
});
export type ProcedureFacts = z.infer<typeof ProcedureFacts>;

export const EmFacts = z.object({
  newPatient: z.boolean(),
  mdm: z.enum(['straightforward', 'low', 'moderate', 'high']).optional(),
  totalMinutes: z.number().int().min(0).max(10_000).optional(),
  separatelyIdentifiable: z.boolean().optional(),
  chronicConditions: z.number().int().min(0).max(100).optional(),
  prescriptionDrugManagement: z.boolean().optional(),
});
export type EmFacts = z.infer<typeof EmFacts>;

export const ClaimDocument = z
  .object({
    /** The patient control number (837P CLM01): at most 38 characters. */
    claimId: BusinessId.max(38, 'a claim id is the 837P patient control number (CLM01): at most 38 characters'),
    practiceId: BusinessId,
    payerId: BusinessId,
    coverage: z.object({
      memberId: X12Text(80, 1),
      priority: z.enum(['primary', 'secondary', 'tertiary']),
    }),
    patient: z.object({
      /** The patient account number (837P 2300 REF*EA / 2010 loops): at most 50 characters, no X12 delimiter. */
      id: X12Text(50, 1),
      birthDate: BirthDate,
      sex: z.enum(['F', 'M', 'U']),
    }),
    renderingNpi: z.string().regex(/^\d{10}$/, 'an NPI is 10 digits'),
    serviceDate: ServiceDate,
    placeOfService: z.string().regex(/^\d{2}$/, 'place of service is 2 digits'),
    priorAuthNumber: X12Text(50, 1).optional(),
    /**
     * Optional extension: the referring provider (837P 2310A NM1*DN), for payers that require one
     * (e.g. a pain consult referred by the primary care physician).
     */
    referringProvider: z
      .object({
        npi: z.string().regex(/^\d{10}$/, 'an NPI is 10 digits'),
        lastName: z.string().min(1).max(60).regex(/^[^*~:^|>\\\r\n]*$/, 'no X12 delimiters'),
        firstName: z.string().min(1).max(35).regex(/^[^*~:^|>\\\r\n]*$/, 'no X12 delimiters').optional(),
      })
      .optional(),
    /** Optional extension: coverage to bill after the primary adjudicates (POST-6). */
    secondaryCoverage: z
      .object({ payerId: BusinessId, memberId: Text(80, 1) })
      .optional(),
    diagnoses: z
      .array(z.string().regex(/^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/, 'not an ICD-10-CM code'))
      .min(1)
      .max(12),
    lines: z.array(ClaimLine).min(1).max(50),
    documentation: z
      .object({
        procedures: z.array(ProcedureFacts).max(20).optional(),
        em: EmFacts.optional(),
      })
      .optional(),
  })
  .superRefine((claim, ctx) => {
    claim.lines.forEach((line, i) => {
      // The claim's serviceDate is its first date of service (timely filing and every rule count from it).
      if (line.serviceDate && line.serviceDate < claim.serviceDate) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'serviceDate'],
          message: `${line.serviceDate} is before the claim's serviceDate ${claim.serviceDate} (the claim's date is its first date of service)`,
        });
      }
      line.diagnosisPointers.forEach((p, j) => {
        if (p > claim.diagnoses.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['lines', i, 'diagnosisPointers', j],
            message: `points at diagnosis ${p} but the claim has ${claim.diagnoses.length}`,
          });
        }
      });
    });
  });
export type ClaimDocument = z.infer<typeof ClaimDocument>;

/** Render zod issues as `path: message` strings a biller can act on (`lines.2.units: ...`). */
export function describeIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/**
 * Bounds relative to today, checked where the clock is read (the API edge): the date of service
 * at most ~2 years ahead, the birth date not in the future. Issues carry the field path.
 */
export function claimDateIssues(claim: Pick<ClaimDocument, 'serviceDate' | 'patient'>, today: string): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  const dos = serviceDateIssue(claim.serviceDate, today);
  if (dos) issues.push({ path: ['serviceDate'], message: dos });
  const birth = birthDateIssue(claim.patient.birthDate, today);
  if (birth) issues.push({ path: ['patient', 'birthDate'], message: birth });
  return issues;
}
