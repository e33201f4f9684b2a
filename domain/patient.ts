/**
 * Patient and coverage master data (issue 13): the zod schemas the API validates with and the pure
 * rules the claim intake and the 837P builder use — which coverage is in force on a date of
 * service, and which coverages of one priority overlap. Pure: no I/O, no clock.
 */
import { z } from 'zod';
import { BirthDate, BusinessId, IsoDate, Text } from './primitives';

/** Characters an X12 file uses as delimiters (ours and the usual ones): never inside a name or an address. */
const X12_DELIMITERS = /[*~:^|>\\\r\n\t]/;

/** Free text that goes into an X12 element of at most `max` characters. */
export function X12Text(max: number, min = 1) {
  return Text(max, min).refine((v) => !X12_DELIMITERS.test(v), 'may not contain * ~ : ^ | > \\ or a line break (X12 delimiters)');
}

export const PostalAddress = z.object({
  line1: X12Text(55).pipe(z.string().trim().min(1)),
  line2: X12Text(55, 0).optional(),
  city: X12Text(30).pipe(z.string().trim().min(1)),
  state: z.string().regex(/^[A-Z]{2}$/, 'a 2-letter state code, e.g. IL'),
  zip: z.string().regex(/^\d{5}(\d{4})?$/, 'a ZIP code of 5 or 9 digits'),
});
export type PostalAddress = z.infer<typeof PostalAddress>;

/** A person's legal name in the parts an X12 NM1 holds (NM103 60, NM104 35, NM105 25, NM107 10 characters). */
export const PersonName = z.object({
  last: X12Text(60),
  first: X12Text(35),
  middle: X12Text(25).optional(),
  suffix: X12Text(10).optional(),
});
export type PersonName = z.infer<typeof PersonName>;

export const Sex = z.enum(['F', 'M', 'U']);
export const Phone = z.string().regex(/^\d{10}$/, 'a 10-digit US phone number, digits only');

export const COVERAGE_PRIORITIES = ['primary', 'secondary', 'tertiary'] as const;
export type CoveragePriority = (typeof COVERAGE_PRIORITIES)[number];

/**
 * X12 individual relationship codes (X222A1 SBR02 / PAT01): the patient is the subscriber (18), or
 * the subscriber's spouse (01), child (19), employee (20), unknown (21), organ donor (39), cadaver
 * donor (40), life partner (53), other (G8).
 */
export const RELATIONSHIPS = ['18', '01', '19', '20', '21', '39', '40', '53', 'G8'] as const;

/** The subscriber when the patient is not the subscriber (2010BA from it, the patient in 2000C/2010CA). */
export const Subscriber = z.object({
  name: PersonName,
  birthDate: BirthDate,
  sex: Sex,
  address: PostalAddress,
});
export type Subscriber = z.infer<typeof Subscriber>;

const coverageFields = {
  priority: z.enum(COVERAGE_PRIORITIES),
  payerId: BusinessId,
  memberId: X12Text(80),
  groupNumber: X12Text(50).optional(),
  effectiveDate: IsoDate,
  terminationDate: IsoDate.nullable().optional(),
  relationship: z.enum(RELATIONSHIPS).default('18'),
  subscriber: Subscriber.optional(),
};

/** The rules a whole coverage obeys (create, and a patch merged onto the stored one). */
export function coverageIssues(c: { relationship?: string; subscriber?: unknown; effectiveDate?: string; terminationDate?: string | null }): Array<{ path: string[]; message: string }> {
  const issues: Array<{ path: string[]; message: string }> = [];
  const rel = c.relationship ?? '18';
  if (rel !== '18' && !c.subscriber) issues.push({ path: ['subscriber'], message: `required when the patient is not the subscriber (relationship ${rel}): name, birthDate, sex, address` });
  if (rel === '18' && c.subscriber) issues.push({ path: ['subscriber'], message: 'the patient is the subscriber (relationship 18): leave subscriber out' });
  if (c.terminationDate && c.effectiveDate && c.terminationDate < c.effectiveDate) {
    issues.push({ path: ['terminationDate'], message: `${c.terminationDate} is before effectiveDate ${c.effectiveDate}` });
  }
  return issues;
}

export const CoverageBody = z.object(coverageFields).superRefine((c, ctx) => {
  for (const i of coverageIssues(c)) ctx.addIssue({ code: 'custom', ...i });
});
export type CoverageBody = z.infer<typeof CoverageBody>;
/** A coverage patch: any field; `subscriber: null` removes it (with relationship 18). */
export const CoveragePatch = z
  .object({ ...coverageFields, relationship: z.enum(RELATIONSHIPS).optional(), subscriber: Subscriber.nullable().optional() })
  .partial()
  .strict();

const patientFields = {
  name: PersonName,
  birthDate: BirthDate,
  sex: Sex,
  address: PostalAddress,
  phone: Phone.optional(),
};
export const PatientBody = z.object({ patientId: BusinessId, ...patientFields, coverages: z.array(CoverageBody).max(20).default([]) });
export type PatientBody = z.infer<typeof PatientBody>;
export const PatientPatch = z.object({ ...patientFields, phone: Phone.nullable() }).partial().strict();

/** A stored coverage, as the rules below read it. */
export interface Coverage {
  id?: number | string;
  priority: CoveragePriority;
  payerId: string;
  memberId: string;
  groupNumber?: string;
  effectiveDate: string;
  terminationDate?: string | null;
  relationship: string;
  subscriber?: Subscriber;
}

/** Whether the coverage is in force on `date` (both ends inclusive; no termination date: open). */
export const inForce = (c: Pick<Coverage, 'effectiveDate' | 'terminationDate'>, date: string): boolean =>
  c.effectiveDate <= date && (!c.terminationDate || c.terminationDate >= date);

/** The coverage of `priority` in force on `date` (at most one: overlaps are refused). */
export function coverageOn<C extends Coverage>(coverages: C[], date: string, priority: CoveragePriority): C | undefined {
  return coverages.find((c) => c.priority === priority && inForce(c, date));
}

/** Pairs of coverages of one priority whose date ranges overlap (indexes into `coverages`). */
export function overlappingCoverages(coverages: Array<Pick<Coverage, 'priority' | 'effectiveDate' | 'terminationDate'>>): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < coverages.length; i++) {
    for (let j = i + 1; j < coverages.length; j++) {
      const a = coverages[i];
      const b = coverages[j];
      if (a.priority !== b.priority) continue;
      const aEnd = a.terminationDate ?? '9999-12-31';
      const bEnd = b.terminationDate ?? '9999-12-31';
      if (a.effectiveDate <= bEnd && b.effectiveDate <= aEnd) pairs.push([i, j]);
    }
  }
  return pairs;
}

export const describeRange = (c: Pick<Coverage, 'effectiveDate' | 'terminationDate'>): string => `${c.effectiveDate}–${c.terminationDate ?? 'open'}`;

/** "Last, First Middle Suffix" (the `patients.name` column, claim search). */
export const displayName = (n: PersonName): string => `${n.last}, ${[n.first, n.middle, n.suffix].filter(Boolean).join(' ')}`;
