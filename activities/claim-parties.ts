/**
 * Who an 837P names, from master data (issue 14 "The 837P a clearinghouse accepts"): the subscriber
 * and patient (patients / patient_coverages), the billing provider's contact (practice), the
 * rendering provider's name (providers), the payer id as the clearinghouse knows it
 * (payer_identifiers with `outbound`, the practice's row before the installation's), and the
 * interchange ids (practices.clearinghouse_*).
 *
 * Nothing is made up where master data is missing. A claim posted inline for a patient not
 * registered in master data (or a legacy patient row with only a one-piece name) still gets a valid
 * 837P from what the document has — member id, birth date, sex — and each thing it lacks is a
 * **gap**, recorded on the submission row (`submissions.x12_gaps`, shown in GET /api/claims/:id):
 *
 * - subscriber name unknown → NM1*IL NM103 `UNKNOWN` (NM103 is required; a clearinghouse may reject
 *   the claim on its name check — register the patient and correct the claim);
 * - subscriber address unknown → no 2010BA N3/N4 (situational);
 * - rendering provider not in `providers` → NM1*82 NM103 `UNKNOWN` with the NPI;
 * - no outbound payer id mapped → 2010BB NM109 is our payer key;
 * - no clearinghouse submitter/receiver id on the practice → ISA06 the tax id, ISA08 `CLEARINGHOUSE`.
 *
 * Gaps name fields, never values (no PHI).
 */
import type { Knex } from 'knex';
import type { ClaimDocument } from '../domain/claim-document';
import { inForce } from '../domain/patient';
import { loadPatient } from '../db/patients';
import type { Generate837POptions, PersonName837P } from '../x12/generate-837p';

/** The name a gap leaves in a required NM103. */
export const UNKNOWN_NAME = 'UNKNOWN';

/**
 * A provider's display name as the providers table keeps it ("Dr. Avery Demo (Pain Medicine)",
 * "Avery Demo, MD", "Demo, Avery") → NM103 last / NM104 first. Titles, credentials after a comma and
 * parenthesised specialties are dropped.
 */
export function splitPersonName(display: string): PersonName837P {
  let s = display.replace(/\([^)]*\)/g, ' ').replace(/^\s*(dr|mr|mrs|ms|prof)\.?\s+/i, '').trim();
  const CREDENTIAL = /^(md|do|phd|np|pa|pa-c|crna|dnp|rn|aprn|mbbs|dc|dpm)\.?$/i;
  if (s.includes(',')) {
    const [head, ...tail] = s.split(',').map((x) => x.trim());
    if (tail.every((t) => CREDENTIAL.test(t) || t === '')) s = head;
    else return { lastName: head, firstName: tail.join(' ').split(/\s+/)[0] || undefined };
  }
  const words = s.split(/\s+/).filter((w) => w && !CREDENTIAL.test(w));
  if (words.length <= 1) return { lastName: words[0] || UNKNOWN_NAME };
  return { lastName: words[words.length - 1], firstName: words.slice(0, -1).join(' ') };
}

/** The payer id the practice's clearinghouse knows `payerId` by (2010BB / 2330B NM109), if mapped. */
export async function outboundPayerId(db: Knex, practiceId: string, payerId: string): Promise<string | undefined> {
  const row = await db('payer_identifiers')
    .where({ payer_id: payerId, outbound: true })
    .where((w) => w.where({ practice_id: practiceId }).orWhereNull('practice_id'))
    .orderByRaw('practice_id is null')
    .first('identifier');
  return row?.identifier as string | undefined;
}

const upper = (n: { last: string; first?: string; middle?: string; suffix?: string }): PersonName837P => ({
  lastName: n.last,
  ...(n.first ? { firstName: n.first } : {}),
  ...(n.middle ? { middleName: n.middle } : {}),
  ...(n.suffix ? { suffix: n.suffix } : {}),
});

export type PartiesFor837P = Pick<Generate837POptions, 'sender' | 'receiver' | 'billingProvider' | 'payer' | 'subscriber' | 'patient' | 'renderingProvider'>;

/** The parties of the 837P for `claim` billed to `payerId` with `memberId`, and the gaps. */
export async function partiesFor837P(
  db: Knex,
  practice: Record<string, any>,
  claim: ClaimDocument,
  bill: { payerId: string; memberId: string; priority: 'primary' | 'secondary' | 'tertiary'; payerName: string },
): Promise<{ parties: PartiesFor837P; gaps: string[] }> {
  const gaps: string[] = [];
  const address = practice.address ?? { line1: '', city: '', state: '', zip: '' };
  const phone = practice.phone ?? practice.address?.phone;
  const email = practice.address?.email;
  if (!practice.clearinghouse_submitter_id) gaps.push('ISA06/GS02 submitter id not set for the practice (clearinghouse.submitterId): the tax id was sent');
  if (!practice.clearinghouse_receiver_id) gaps.push('ISA08/GS03 receiver id not set for the practice (clearinghouse.receiverId): CLEARINGHOUSE was sent');

  const outbound = await outboundPayerId(db, claim.practiceId, bill.payerId);
  if (!outbound) gaps.push(`2010BB NM109: no clearinghouse payer id mapped for payer ${bill.payerId} (payer_identifiers outbound): the payer key was sent`);

  const provider = await db('providers').where({ npi: claim.renderingNpi }).first('name');
  if (!provider) gaps.push('2310B NM103: rendering provider not in providers: name sent as UNKNOWN');

  const parties: PartiesFor837P = {
    sender: { id: practice.clearinghouse_submitter_id ?? practice.tax_id ?? practice.id, name: practice.name, contactName: 'Billing Office', phone, email },
    receiver: { id: practice.clearinghouse_receiver_id ?? 'CLEARINGHOUSE', name: 'Clearinghouse' },
    billingProvider: {
      npi: practice.billing_npi ?? claim.renderingNpi,
      name: practice.name,
      taxId: practice.tax_id ?? '',
      address: { line1: address.line1, ...(address.line2 ? { line2: address.line2 } : {}), city: address.city, state: address.state, zip: address.zip },
      ...(phone || email ? { contact: { phone, email } } : {}),
    },
    payer: { id: outbound ?? bill.payerId, name: bill.payerName },
    renderingProvider: provider ? splitPersonName(provider.name) : { lastName: UNKNOWN_NAME },
  };

  const loaded = await loadPatient(db, claim.practiceId, claim.patient.id);
  const patient = loaded?.patient;
  if (!patient?.name) {
    // Not registered: the document's patient is the subscriber; names from a legacy row when it has one.
    const legacy = loaded ? ((await db('patients').where({ practice_id: claim.practiceId, id: claim.patient.id }).first('name'))?.name as string | undefined) : undefined;
    parties.subscriber = legacy ? splitPersonName(legacy) : { lastName: UNKNOWN_NAME };
    if (!legacy) gaps.push('2010BA NM103: patient not registered in master data: subscriber name sent as UNKNOWN');
    gaps.push('2010BA N3/N4: patient not registered in master data: no subscriber address');
    return { parties, gaps };
  }
  const dos = claim.serviceDate;
  const same = (loaded!.coverages).filter((c) => c.payerId === bill.payerId && c.memberId === bill.memberId);
  const coverage = same.find((c) => c.priority === bill.priority && inForce(c, dos)) ?? same.find((c) => inForce(c, dos)) ?? same[0];
  const patientName = upper(patient.name);
  if (!coverage || coverage.relationship === '18' || !coverage.subscriber) {
    if (!coverage) gaps.push(`SBR: no coverage in master data for payer ${bill.payerId} with this member id: the patient was sent as the subscriber`);
    if (!patient.address) gaps.push('2010BA N3/N4: the patient has no address in master data');
    parties.subscriber = { ...patientName, ...(patient.address ? { address: patient.address } : {}), ...(coverage?.groupNumber ? { groupNumber: coverage.groupNumber } : {}) };
    return { parties, gaps };
  }
  const sub = coverage.subscriber;
  parties.subscriber = { ...upper(sub.name), address: sub.address, birthDate: sub.birthDate, sex: sub.sex, ...(coverage.groupNumber ? { groupNumber: coverage.groupNumber } : {}) };
  parties.patient = { ...patientName, relationship: coverage.relationship, address: patient.address ?? sub.address };
  return { parties, gaps };
}
