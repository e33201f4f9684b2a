/**
 * Property: the engine never throws (and never reports an internal error) on any schema-valid
 * claim and context, and its result always satisfies the ScrubResult schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPROACHES, ClaimDocument, FAMILIES, LATERALITIES, REGIONS } from '../claim-document';
import { BUILT_IN_PAYER_IDS } from '../payer-policy';
import { painCodeSet } from '../reference';
import { ScrubContext, ScrubResult, scrubClaim } from './index';

const isoDate = fc
  .date({ min: new Date('2018-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const cpt = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...painCodeSet()) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z0-9]{5}$/) },
);
const modifier = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('50', 'RT', 'LT', '25', '59', 'XS', 'XU', 'XE', 'XP', 'KX') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z0-9]{2}$/) },
);
const diagnosis = fc.oneof(
  fc.constantFrom('M54.16', 'M54.17', 'M51.16', 'M47.816', 'M47.812', 'M48.062', 'M96.1', 'G89.4', 'G90.511', 'M47816', 'Z00.00'),
  fc.stringMatching(/^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/),
);
const level = fc.oneof(fc.constantFrom('L4-L5', 'L5-S1', 'L4-5', 'C5-C6', 'T8-T9', 'L3-L4', 'S1', 'C6'), fc.string({ minLength: 1, maxLength: 8 }));

const procedure = fc.record(
  {
    family: fc.constantFrom(...FAMILIES),
    approach: fc.constantFrom(...APPROACHES),
    region: fc.constantFrom(...REGIONS),
    levels: fc.array(level, { maxLength: 5 }),
    laterality: fc.constantFrom(...LATERALITIES),
    guidance: fc.constantFrom('fluoroscopy', 'ct', 'ultrasound', 'none'),
    permanentImageRecorded: fc.boolean(),
    separateInterpretation: fc.boolean(),
    reliefPercent: fc.integer({ min: 0, max: 100 }),
    reliefHours: fc.integer({ min: 0, max: 48 }),
  },
  { requiredKeys: ['family', 'region', 'levels', 'laterality'] },
);

const em = fc.record(
  {
    newPatient: fc.boolean(),
    mdm: fc.constantFrom('straightforward', 'low', 'moderate', 'high'),
    totalMinutes: fc.integer({ min: 0, max: 200 }),
    separatelyIdentifiable: fc.boolean(),
    chronicConditions: fc.integer({ min: 0, max: 6 }),
    prescriptionDrugManagement: fc.boolean(),
  },
  { requiredKeys: ['newPatient'] },
);

const claim = fc
  .record({
    diagnoses: fc.array(diagnosis, { minLength: 1, maxLength: 12 }),
    lineSeeds: fc.array(
      fc.record(
        {
          cpt,
          modifiers: fc.array(modifier, { maxLength: 4 }),
          units: fc.integer({ min: 1, max: 999 }),
          chargeCents: fc.integer({ min: 0, max: 10_000_000 }),
          pointerSeeds: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        },
        { requiredKeys: ['cpt', 'units', 'chargeCents', 'pointerSeeds'] },
      ),
      { minLength: 1, maxLength: 12 },
    ),
    payerId: fc.constantFrom(...BUILT_IN_PAYER_IDS, 'ACME_HEALTH'),
    renderingNpi: fc.oneof(fc.constant('1234567893'), fc.stringMatching(/^\d{10}$/)),
    serviceDate: isoDate,
    placeOfService: fc.oneof(fc.constantFrom('02', '10', '11', '22', '24'), fc.stringMatching(/^\d{2}$/)),
    priorAuthNumber: fc.option(fc.constantFrom('PA-1', 'PA-2'), { nil: undefined }),
    documentation: fc.option(
      fc.record({ procedures: fc.array(procedure, { maxLength: 4 }), em }, { requiredKeys: [] }),
      { nil: undefined },
    ),
  })
  .map(({ lineSeeds, diagnoses, ...rest }): ClaimDocument => ({
    claimId: 'CLM-PROP',
    practiceId: 'PRACTICE-1',
    coverage: { memberId: 'SYNTH', priority: 'primary' },
    patient: { id: 'PT', birthDate: '1960-01-01', sex: 'U' },
    diagnoses,
    lines: lineSeeds.map(({ pointerSeeds, ...line }) => ({
      ...line,
      diagnosisPointers: pointerSeeds.map((s) => (s % diagnoses.length) + 1),
    })),
    ...rest,
  }));

const context = fc.record(
  {
    asOf: isoDate,
    payerPolicy: fc.record(
      {
        type: fc.constantFrom('medicare', 'medicare_advantage', 'medicaid', 'commercial'),
        bilateralBilling: fc.constantFrom('50', 'RT_LT'),
        timelyFilingDays: fc.integer({ min: 0, max: 3650 }),
        timelyFilingWarningDays: fc.integer({ min: 0, max: 3650 }),
        esiSessionsPerRegionPer12Months: fc.integer({ min: 0, max: 10 }),
        facetMaxLevelsPerSession: fc.integer({ min: 1, max: 3 }),
        priorAuthFamilies: fc.subarray(['esi', 'facet', 'rfa', 'scs'] as const),
        priorAuthCpts: fc.array(cpt, { maxLength: 3 }),
        coveredDiagnoses: fc.record({ facet: fc.array(fc.constantFrom('M47.81', 'M54.1', '')) }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    providerEnrollment: fc.record({ active: fc.boolean(), effectiveDate: isoDate, endDate: isoDate }, { requiredKeys: ['active'] }),
    authorization: fc.record(
      {
        number: fc.constantFrom('PA-1', 'PA-3'),
        cpts: fc.array(cpt, { minLength: 1, maxLength: 4 }),
        region: fc.constantFrom(...REGIONS),
        approach: fc.constantFrom(...APPROACHES),
        levels: fc.array(level, { maxLength: 3 }),
        laterality: fc.constantFrom(...LATERALITIES),
        validFrom: isoDate,
        validTo: isoDate,
        visitsAuthorized: fc.integer({ min: 0, max: 10 }),
        visitsUsed: fc.integer({ min: 0, max: 10 }),
      },
      { requiredKeys: ['number', 'cpts', 'region', 'levels', 'laterality', 'validFrom', 'validTo'] },
    ),
    priorProcedures: fc.array(fc.record({ family: fc.constantFrom(...FAMILIES), region: fc.constantFrom(...REGIONS), serviceDate: isoDate }), { maxLength: 8 }),
    feeSchedule: fc.record({
      year: fc.integer({ min: 2015, max: 2035 }),
      allowableCents: fc.dictionary(cpt, fc.integer({ min: 0, max: 5_000_000 }), { maxKeys: 8 }),
    }),
  },
  { requiredKeys: [] },
);

describe('scrub engine robustness', () => {
  it('SUB-1 never throws on schema-valid claims and contexts (fast-check)', () => {
    fc.assert(
      fc.property(claim, fc.option(context, { nil: undefined }), (c, ctx) => {
        const claimParse = ClaimDocument.safeParse(c);
        const ctxParse = ctx === undefined ? undefined : ScrubContext.safeParse(ctx);
        fc.pre(claimParse.success && (ctxParse === undefined || ctxParse.success));
        const result = scrubClaim(claimParse.data!, ctxParse?.data);
        expect(ScrubResult.safeParse(result).success).toBe(true);
        expect(result.findings.filter((f) => f.message.startsWith('Internal scrub error'))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  }, 120_000); // a generous timeout: CI machines are shared; the figure is not a speed claim
});
