import type { ClaimDocument } from '../domain/claim-document';

/** A clean Medicare bilateral lumbar transforaminal ESI claim (one level), synthetic patient. */
export function tfesiClaim(claimId: string, overrides: Partial<ClaimDocument> = {}): ClaimDocument {
  return {
    claimId,
    practiceId: 'demo-pain',
    payerId: 'MEDICARE',
    coverage: { memberId: '1EG4TE5MK73', priority: 'primary' },
    patient: { id: 'PT-1001', birthDate: '1958-03-14', sex: 'F' },
    renderingNpi: '1234567893',
    serviceDate: '2026-11-20',
    placeOfService: '24',
    diagnoses: ['M54.16', 'M51.16'],
    lines: [{ cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 185000, diagnosisPointers: [1, 2] }],
    documentation: {
      procedures: [
        { family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5'], laterality: 'bilateral', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true },
      ],
    },
    ...overrides,
  };
}
