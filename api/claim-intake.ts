/**
 * A claim references its patient (issue 13): before a claim workflow starts (POST /api/claims) or a
 * corrected version goes in (`actions/correct`), a claim whose patient is *registered* in master
 * data (GET /api/patients/:patientId) takes from there what the 837P bills:
 *
 * - the coverage of the document's `coverage.priority` in force on the date of service →
 *   `payerId` and `coverage.memberId` (none in force → 422 naming `coverage` and the date);
 * - the patient's birth date and sex → `patient.birthDate`, `patient.sex`;
 * - on a primary claim, the secondary coverage in force on the date of service →
 *   `secondaryCoverage` (POST-6: billed after the primary pays). A document's own secondaryCoverage
 *   is kept when master data has none in force.
 *
 * Master data wins over what the document says; the answer lists the fields it replaced. A claim
 * whose patient is not registered (or a legacy row with no legal name in parts) is taken as the
 * document says: the public contract (CONTRACTS.md "Claim document") stays accepted.
 */
import type { Knex } from 'knex';
import type { ClaimDocument } from '../domain/claim-document';
import { coverageOn, describeRange } from '../domain/patient';
import { loadPatient } from '../db/patients';
import { HttpError } from './errors';

export interface MasterDataUse {
  /** `registered`: payer, member id, birth date, sex (and secondary coverage) come from master data. */
  patient: 'registered' | 'not_registered';
  /** The coverage row used (GET /api/patients/:patientId lists it). */
  coverageId?: number;
  secondaryCoverageId?: number;
  /** Document fields master data replaced (their values differed). */
  replaced: string[];
}

export async function applyPatientMasterData(db: Knex, claim: ClaimDocument): Promise<{ claim: ClaimDocument; masterData: MasterDataUse }> {
  const loaded = await loadPatient(db, claim.practiceId, claim.patient.id);
  if (!loaded?.patient.name) return { claim, masterData: { patient: 'not_registered', replaced: [] } };
  const { patient, coverages } = loaded;
  const dos = claim.serviceDate;
  const priority = claim.coverage.priority;
  const coverage = coverageOn(coverages, dos, priority);
  if (!coverage) {
    const known = coverages.filter((c) => c.priority === priority).map((c) => `${c.payerId} ${describeRange(c)}`);
    const message = `patient ${claim.patient.id} has no ${priority} coverage in force on the date of service ${dos}` +
      (known.length ? ` (${priority} coverages: ${known.join('; ')})` : ` (no ${priority} coverage registered)`) +
      '; add or correct the coverage (POST /api/patients/:patientId/coverages)';
    throw new HttpError(422, 'unprocessable', message, { field: 'coverage', serviceDate: dos, issues: [{ path: 'coverage', message }] });
  }
  const next: ClaimDocument = {
    ...claim,
    payerId: coverage.payerId,
    coverage: { ...claim.coverage, memberId: coverage.memberId },
    patient: { ...claim.patient, birthDate: patient.birthDate, sex: patient.sex ?? claim.patient.sex },
  };
  const secondary = priority === 'primary' ? coverageOn(coverages, dos, 'secondary') : undefined;
  if (secondary) next.secondaryCoverage = { payerId: secondary.payerId, memberId: secondary.memberId };
  const replaced: string[] = [];
  if (next.payerId !== claim.payerId) replaced.push('payerId');
  if (next.coverage.memberId !== claim.coverage.memberId) replaced.push('coverage.memberId');
  if (next.patient.birthDate !== claim.patient.birthDate) replaced.push('patient.birthDate');
  if (next.patient.sex !== claim.patient.sex) replaced.push('patient.sex');
  if (JSON.stringify(next.secondaryCoverage) !== JSON.stringify(claim.secondaryCoverage)) replaced.push('secondaryCoverage');
  return { claim: next, masterData: { patient: 'registered', coverageId: coverage.id, ...(secondary ? { secondaryCoverageId: secondary.id } : {}), replaced } };
}
