/**
 * Realistic interventional-pain claims for tests and the benchmark. Every claim here scrubs
 * `clean` with its context; tests derive triggers and near-misses from them with `variant`.
 * No real patient data: member ids and names are synthetic. NPI 1234567893 has a valid check digit.
 */
import type { ClaimDocument } from '../claim-document';
import type { ScrubContext } from './schemas';

export const VALID_NPI = '1234567893';

export type ScrubFixture = { claim: ClaimDocument; context?: ScrubContext };

function base(overrides: Partial<ClaimDocument> & Pick<ClaimDocument, 'payerId' | 'lines' | 'diagnoses'>): ClaimDocument {
  return {
    claimId: 'CLM-1001',
    practiceId: 'PRACTICE-1',
    coverage: { memberId: 'SYNTH-MEMBER-1', priority: 'primary' },
    patient: { id: 'PT-1', birthDate: '1958-04-12', sex: 'F' },
    renderingNpi: VALID_NPI,
    serviceDate: '2026-03-10',
    placeOfService: '24',
    ...overrides,
  };
}

/** Bilateral lumbar TFESI at L4-L5 and L5-S1 for Medicare: modifier 50, one line per code. */
export function bilateralTfesiMedicare(): ScrubFixture {
  return {
    claim: base({
      payerId: 'MEDICARE',
      diagnoses: ['M54.16', 'M51.16'],
      lines: [
        { cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 95_000, diagnosisPointers: [1, 2] },
        { cpt: '64484', modifiers: ['50'], units: 1, chargeCents: 40_000, diagnosisPointers: [1, 2] },
      ],
      documentation: {
        procedures: [
          {
            family: 'esi',
            approach: 'transforaminal',
            region: 'lumbar',
            levels: ['L4-L5', 'L5-S1'],
            laterality: 'bilateral',
            guidance: 'fluoroscopy',
            permanentImageRecorded: true,
          },
        ],
      },
    }),
  };
}

/** The same procedure for a commercial payer: RT + LT lines and a matching prior authorization. */
export function bilateralTfesiCommercial(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1002',
      payerId: 'COMMERCIAL',
      priorAuthNumber: 'PA-778812',
      diagnoses: ['M54.16', 'M51.16'],
      lines: [
        { cpt: '64483', modifiers: ['RT'], units: 1, chargeCents: 95_000, diagnosisPointers: [1, 2] },
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 95_000, diagnosisPointers: [1, 2] },
        { cpt: '64484', modifiers: ['RT'], units: 1, chargeCents: 40_000, diagnosisPointers: [1, 2] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 40_000, diagnosisPointers: [1, 2] },
      ],
      documentation: {
        procedures: [
          { family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'bilateral', guidance: 'fluoroscopy' },
        ],
      },
    }),
    context: {
      asOf: '2026-03-12',
      authorization: {
        number: 'PA-778812',
        cpts: ['64483', '64484'],
        region: 'lumbar',
        approach: 'transforaminal',
        levels: ['L4-5', 'L5-S1'],
        laterality: 'bilateral',
        validFrom: '2026-03-01',
        validTo: '2026-05-31',
      },
      priorProcedures: [{ family: 'esi', region: 'lumbar', serviceDate: '2025-11-04' }],
    },
  };
}

/** Bilateral lumbar medial branch blocks at two levels for Medicare. */
export function mbbMedicare(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1003',
      payerId: 'MEDICARE',
      placeOfService: '11',
      diagnoses: ['M47.816'],
      lines: [
        { cpt: '64493', modifiers: ['50'], units: 1, chargeCents: 70_000, diagnosisPointers: [1] },
        { cpt: '64494', modifiers: ['50'], units: 1, chargeCents: 35_000, diagnosisPointers: [1] },
      ],
      documentation: {
        procedures: [
          { family: 'facet_mbb', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'bilateral', guidance: 'fluoroscopy', reliefPercent: 85, reliefHours: 6 },
        ],
      },
    }),
  };
}

/** Right lumbar RFA at two joints for a commercial payer, with its authorization. */
export function rfaWithAuthCommercial(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1004',
      payerId: 'COMMERCIAL',
      priorAuthNumber: 'PA-RFA-2231',
      diagnoses: ['M47.816', 'M47.896'],
      lines: [
        { cpt: '64635', modifiers: ['RT'], units: 1, chargeCents: 150_000, diagnosisPointers: [1, 2] },
        { cpt: '64636', modifiers: ['RT'], units: 1, chargeCents: 60_000, diagnosisPointers: [1, 2] },
      ],
      documentation: {
        procedures: [{ family: 'rfa', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'right', guidance: 'fluoroscopy' }],
      },
    }),
    context: {
      asOf: '2026-03-11',
      authorization: {
        number: 'PA-RFA-2231',
        cpts: ['64635', '64636'],
        region: 'lumbar',
        levels: ['L4-L5', 'L5-S1'],
        laterality: 'right',
        validFrom: '2026-02-15',
        validTo: '2026-04-15',
      },
    },
  };
}

/** Percutaneous SCS trial (two lead arrays) for a commercial payer, with the trial authorization. */
export function scsTrialCommercial(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1005',
      payerId: 'COMMERCIAL',
      placeOfService: '11',
      priorAuthNumber: 'PA-SCS-T-90',
      diagnoses: ['M96.1', 'M54.16'],
      lines: [{ cpt: '63650', units: 2, chargeCents: 500_000, diagnosisPointers: [1, 2] }],
      documentation: { procedures: [{ family: 'scs_trial', region: 'thoracic', levels: ['T8-T9'], laterality: 'midline', guidance: 'fluoroscopy' }] },
    }),
    context: {
      asOf: '2026-03-10',
      authorization: {
        number: 'PA-SCS-T-90',
        cpts: ['63650'],
        region: 'thoracic',
        levels: ['T8-T9'],
        laterality: 'midline',
        validFrom: '2026-03-01',
        validTo: '2026-03-31',
      },
    },
  };
}

/** Permanent SCS implant in 2026 for Medicare Advantage: leads, generator and device code C1607. */
export function scsImplant2026MedicareAdvantage(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1006',
      payerId: 'MEDICARE_ADVANTAGE',
      serviceDate: '2026-04-21',
      priorAuthNumber: 'PA-SCS-P-17',
      diagnoses: ['M96.1', 'G89.4'],
      lines: [
        { cpt: '63650', units: 2, chargeCents: 400_000, diagnosisPointers: [1, 2] },
        { cpt: '63685', units: 1, chargeCents: 120_000, diagnosisPointers: [1, 2] },
        { cpt: 'C1607', units: 1, chargeCents: 3_000_000, diagnosisPointers: [1, 2] },
      ],
      documentation: { procedures: [{ family: 'scs_implant', region: 'thoracic', levels: ['T8-T9'], laterality: 'midline', guidance: 'fluoroscopy' }] },
    }),
    context: {
      asOf: '2026-04-23',
      authorization: {
        number: 'PA-SCS-P-17',
        cpts: ['63650', '63685', 'C1607'],
        region: 'thoracic',
        levels: ['T8-T9'],
        laterality: 'midline',
        validFrom: '2026-04-01',
        validTo: '2026-06-30',
      },
    },
  };
}

/** Established-patient E/M (99214-25, moderate MDM) with a same-day right L5-S1 TFESI for Medicare. */
export function emWithProcedureMedicare(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1007',
      payerId: 'MEDICARE',
      placeOfService: '11',
      diagnoses: ['M54.17', 'M47.816', 'G89.4'],
      lines: [
        { cpt: '99214', modifiers: ['25'], units: 1, chargeCents: 20_000, diagnosisPointers: [2, 3] },
        { cpt: '64483', modifiers: ['RT'], units: 1, chargeCents: 80_000, diagnosisPointers: [1] },
      ],
      documentation: {
        procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L5-S1'], laterality: 'right', guidance: 'fluoroscopy' }],
        em: {
          newPatient: false,
          mdm: 'moderate',
          totalMinutes: 32,
          separatelyIdentifiable: true,
          chronicConditions: 2,
          prescriptionDrugManagement: true,
        },
      },
    }),
  };
}

/** Lumbar interlaminar ESI at L5-S1 with fluoroscopy (62323) for Medicaid, with its authorization. */
export function interlaminarMedicaid(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1008',
      payerId: 'MEDICAID',
      priorAuthNumber: 'MCD-5531',
      diagnoses: ['M48.062'],
      lines: [{ cpt: '62323', units: 1, chargeCents: 60_000, diagnosisPointers: [1] }],
      documentation: {
        procedures: [{ family: 'esi', approach: 'interlaminar', region: 'lumbar', levels: ['L5-S1'], laterality: 'midline', guidance: 'fluoroscopy' }],
      },
    }),
    context: {
      authorization: {
        number: 'MCD-5531',
        cpts: ['62323'],
        region: 'lumbar',
        approach: 'interlaminar',
        levels: ['L5-S1'],
        laterality: 'midline',
        validFrom: '2026-03-01',
        validTo: '2026-06-01',
      },
    },
  };
}

/** Right stellate ganglion block with separately billable, fully documented fluoroscopy (77003). */
export function stellateGanglionWithFluoroscopy(): ScrubFixture {
  return {
    claim: base({
      claimId: 'CLM-1009',
      payerId: 'MEDICARE',
      placeOfService: '11',
      diagnoses: ['G90.511'],
      lines: [
        { cpt: '64510', units: 1, chargeCents: 40_000, diagnosisPointers: [1] },
        { cpt: '77003', units: 1, chargeCents: 20_000, diagnosisPointers: [1] },
      ],
      documentation: {
        procedures: [
          {
            family: 'other',
            region: 'cervical',
            levels: ['C6'],
            laterality: 'right',
            guidance: 'fluoroscopy',
            permanentImageRecorded: true,
            separateInterpretation: true,
          },
        ],
      },
    }),
  };
}

export const CLEAN_FIXTURES: Record<string, () => ScrubFixture> = {
  'bilateral TFESI for MEDICARE (64483-50 + 64484-50)': bilateralTfesiMedicare,
  'bilateral TFESI for COMMERCIAL (RT + LT lines, authorized)': bilateralTfesiCommercial,
  'bilateral lumbar MBB for MEDICARE': mbbMedicare,
  'RFA with authorization for COMMERCIAL': rfaWithAuthCommercial,
  'SCS trial for COMMERCIAL': scsTrialCommercial,
  'SCS implant 2026 with C1607 for MEDICARE_ADVANTAGE': scsImplant2026MedicareAdvantage,
  'E/M 99214-25 with same-day TFESI for MEDICARE': emWithProcedureMedicare,
  'interlaminar ESI 62323 for MEDICAID': interlaminarMedicaid,
  'stellate ganglion block with documented fluoroscopy 77003': stellateGanglionWithFluoroscopy,
};

/** A deep copy of a fixture with `change` applied to the copy. */
export function variant(fixture: () => ScrubFixture, change: (f: Required<ScrubFixture>) => void): ScrubFixture {
  const copy = structuredClone(fixture());
  const f = { claim: copy.claim, context: copy.context ?? {} };
  change(f);
  return f;
}
