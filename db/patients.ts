/**
 * Patient and coverage master data in PostgreSQL: rows <-> the domain shapes (domain/patient.ts).
 * Used by the patient routes, the claim intake (POST /api/claims) and the 837P submission activity.
 */
import type { Knex } from 'knex';
import type { Coverage, CoveragePriority, PersonName, PostalAddress, Subscriber } from '../domain/patient';

export interface PatientRecord {
  practiceId: string;
  patientId: string;
  /** Set for a registered patient (master data); undefined for a legacy row with only `name`. */
  name?: PersonName;
  birthDate: string;
  sex?: 'F' | 'M' | 'U';
  address?: PostalAddress;
  phone?: string;
  createdAt?: string;
  updatedAt?: string;
}

export type CoverageRecord = Coverage & { id: number; createdAt?: string; updatedAt?: string };

const date = (v: unknown): string | undefined => (v == null ? undefined : typeof v === 'string' ? v.slice(0, 10) : new Date(v as Date).toISOString().slice(0, 10));
const iso = (v: unknown): string | undefined => (v == null ? undefined : new Date(v as string).toISOString());

export function patientFromRow(r: Record<string, any>): PatientRecord {
  return {
    practiceId: r.practice_id,
    patientId: r.id,
    ...(r.last_name ? { name: { last: r.last_name, first: r.first_name ?? '', ...(r.middle_name ? { middle: r.middle_name } : {}), ...(r.suffix ? { suffix: r.suffix } : {}) } } : {}),
    birthDate: date(r.birth_date)!,
    ...(r.sex ? { sex: r.sex } : {}),
    ...(r.address ? { address: r.address } : {}),
    ...(r.phone ? { phone: r.phone } : {}),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function coverageFromRow(r: Record<string, any>): CoverageRecord {
  return {
    id: Number(r.id),
    priority: r.priority as CoveragePriority,
    payerId: r.payer_id,
    memberId: r.member_id,
    ...(r.group_number ? { groupNumber: r.group_number } : {}),
    effectiveDate: date(r.effective_date)!,
    terminationDate: date(r.termination_date) ?? null,
    relationship: r.relationship,
    ...(r.subscriber ? { subscriber: r.subscriber as Subscriber } : {}),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export function coverageColumns(c: Partial<Omit<Coverage, 'subscriber'>> & { subscriber?: Subscriber | null }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.priority !== undefined) out.priority = c.priority;
  if (c.payerId !== undefined) out.payer_id = c.payerId;
  if (c.memberId !== undefined) out.member_id = c.memberId;
  if (c.groupNumber !== undefined) out.group_number = c.groupNumber;
  if (c.effectiveDate !== undefined) out.effective_date = c.effectiveDate;
  if (c.terminationDate !== undefined) out.termination_date = c.terminationDate;
  if (c.relationship !== undefined) out.relationship = c.relationship;
  if (c.subscriber !== undefined) out.subscriber = c.subscriber === null ? null : JSON.stringify(c.subscriber);
  return out;
}

/** A patient with its coverages (oldest first), or undefined. Registered or legacy. */
export async function loadPatient(db: Knex, practiceId: string, patientId: string): Promise<{ patient: PatientRecord; coverages: CoverageRecord[] } | undefined> {
  const row = await db('patients').where({ practice_id: practiceId, id: patientId }).first();
  if (!row) return undefined;
  const coverages = await db('patient_coverages').where({ practice_id: practiceId, patient_id: patientId }).orderBy([{ column: 'effective_date' }, { column: 'id' }]);
  return { patient: patientFromRow(row), coverages: coverages.map(coverageFromRow) };
}
