import type { ClaimDocument } from '../domain/claim-document';
import type { Appointment } from '../contracts/eligibility';
import { addCalendarDays } from '../domain/business-days';

/** Today (UTC) on this machine's clock: dev-server suites date their fixtures from it. */
export const utcToday = (): string => new Date().toISOString().slice(0, 10);

/**
 * A clean Medicare bilateral lumbar transforaminal ESI claim (one level), synthetic patient. Its
 * date of service is 12 days before today by default, so it stays inside every filing window
 * whatever day the suite runs (time-skipping suites pass one derived from the server's clock).
 */
export function tfesiClaim(claimId: string, overrides: Partial<ClaimDocument> = {}): ClaimDocument {
  return {
    claimId,
    practiceId: 'demo-pain',
    payerId: 'MEDICARE',
    coverage: { memberId: '1EG4TE5MK73', priority: 'primary' },
    patient: { id: 'PT-1001', birthDate: '1958-03-14', sex: 'F' },
    renderingNpi: '1234567893',
    serviceDate: addCalendarDays(utcToday(), -12),
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

/**
 * A Medicare lumbar transforaminal ESI appointment at demo-pain (the body of POST /api/appointments
 * and the eligibility workflow's input), synthetic patient; callers pick the date of service.
 */
export function tfesiAppointment(appointmentId: string, patientId: string, serviceDate: string, overrides: Partial<Appointment> = {}): Appointment {
  return {
    appointmentId,
    practiceId: 'demo-pain',
    payerId: 'MEDICARE',
    patientId,
    providerNpi: '1234567893',
    serviceDate,
    cpts: ['64483'],
    placeOfService: '24',
    region: 'lumbar',
    approach: 'transforaminal',
    levels: ['L4-L5'],
    laterality: 'left',
    conservativeCareWeeks: 6,
    ...overrides,
  };
}
