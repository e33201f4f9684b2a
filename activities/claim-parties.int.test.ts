/**
 * The 837P built from master data (issue 14), through the submission activity and the file-drop
 * clearinghouse, against the real database: subscriber and patient names, addresses and birth
 * dates, the patient loop 2000C/PAT for a dependant, billing provider address/tax id/contact,
 * rendering and referring providers, the payer id as the clearinghouse knows it (the practice's
 * outbound payer_identifiers row) and the interchange ids — every file passes the X222A1 pass and
 * round-trips through our parser. A claim of a patient not registered still gets a valid 837P and
 * its gaps are recorded; one the X222A1 pass refuses is a business failure naming segment and
 * element, never a value.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { createDb } from '../db/knex';
import { FileDropClearinghouse } from './gateway/file-drop';
import { submissionActivities } from './submission';
import { claimActivities } from './claims';
import { splitPersonName } from './claim-parties';
import { tfesiClaim } from '../test/fixtures';
import { uniqueId } from '../test/harness';
import { npiCheckDigit } from '../domain/npi';
import { parse837P } from '../x12/parse-837p';
import { validateX222A1 } from '../x12/x222a1';
import type { ClaimDocument } from '../domain/claim-document';

let db: Knex;
let dir: string;
const practiceId = uniqueId('P837');
const zip5Practice = uniqueId('P837Z');
const npi = (() => {
  const nine = `18${String(Date.now() % 1e7).padStart(7, '0')}`;
  return `${nine}${npiCheckDigit(nine)}`;
})();
const home = { line1: '7 Elm St', line2: 'Apt 2', city: 'Springfield', state: 'IL', zip: '62704' };

beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-837-parties-'));
  const practice = { name: 'Parties Test Pain', tax_id: '990000055', billing_npi: '1456789019', phone: '2175550155', address: { line1: '55 Clinic Rd', city: 'Springfield', state: 'IL', zip: '627015555', phone: '2175550155', email: 'billing@parties.example' } };
  await db('practices').insert({ id: practiceId, ...practice, clearinghouse_submitter_id: 'SUBPARTIES', clearinghouse_receiver_id: 'RECVPARTIES' });
  await db('practices').insert({ id: zip5Practice, ...practice, address: { ...practice.address, zip: '62701' } });
  await db('providers').insert({ npi, practice_id: practiceId, name: 'Dr. Morgan Q. Parties (Pain Medicine)' });
  await db('payer_identifiers').insert({ practice_id: practiceId, identifier: 'CH-MCR-P837', payer_id: 'MEDICARE', outbound: true, note: 'test: the clearinghouse id of Medicare for this practice' });
  // A dependant (spouse) on the subscriber's Medicare plan, and the subscriber herself.
  await db('patients').insert({ practice_id: practiceId, id: 'DEP-1', name: 'Parties, Riley', last_name: 'Parties', first_name: 'Riley', sex: 'M', birth_date: '1953-03-03', address: JSON.stringify(home) });
  await db('patient_coverages').insert({
    practice_id: practiceId, patient_id: 'DEP-1', priority: 'primary', payer_id: 'MEDICARE', member_id: 'DEPMBR001', group_number: 'GRP-9', effective_date: '2020-01-01', relationship: '01',
    subscriber: JSON.stringify({ name: { last: 'Parties', first: 'Casey', middle: 'A' }, birthDate: '1951-01-01', sex: 'F', address: home }),
  });
  await db('patients').insert({ practice_id: practiceId, id: 'SELF-1', name: 'Selfsub, Jo', last_name: 'Selfsub', first_name: 'Jo', suffix: 'III', sex: 'F', birth_date: '1949-09-09', address: JSON.stringify(home) });
  await db('patient_coverages').insert({ practice_id: practiceId, patient_id: 'SELF-1', priority: 'primary', payer_id: 'MEDICARE', member_id: 'SELFMBR01', effective_date: '2020-01-01' });
});
afterAll(async () => {
  await db?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function submit(claim: ClaimDocument) {
  const gateway = new FileDropClearinghouse({ dir, sink: { acknowledgement: async () => {}, remittance: async () => ({}) }, log: () => {} });
  await claimActivities(db).recordClaim({ claim, enteredAt: new Date().toISOString(), actor: 'test-biller', workflowId: `claim:${claim.claimId}` });
  const sent = await submissionActivities(db, gateway).submitClaim({ workflowId: `claim:${claim.claimId}`, step: 'submit:1:v1', claim, version: 1, payerId: claim.payerId, coveragePriority: 'primary', frequencyCode: '1' });
  const name = (await readdir(path.join(dir, 'outbox'))).find((f) => f.startsWith(`${sent.interchangeControlNumber}-`))!;
  const x12 = await readFile(path.join(dir, 'outbox', name), 'utf8');
  const row = await db('submissions').where({ id: sent.submissionId }).first('x12_gaps');
  return { x12, gaps: row.x12_gaps as string[] };
}

/** Documentation facts are not carried by an 837P. */
const withoutDocumentation = ({ documentation: _d, ...rest }: ClaimDocument): ClaimDocument => rest;

const multiLine = (claimId: string, patientId: string, memberId: string, practice = practiceId): ClaimDocument =>
  tfesiClaim(claimId, {
    practiceId: practice,
    renderingNpi: npi,
    patient: { id: patientId, birthDate: patientId === 'DEP-1' ? '1953-03-03' : '1949-09-09', sex: patientId === 'DEP-1' ? 'M' : 'F' },
    coverage: { memberId, priority: 'primary' },
    referringProvider: { npi: '1987654328', lastName: 'Sample', firstName: 'Jordan' },
    diagnoses: ['M54.16', 'M51.16', 'G89.29'],
    lines: [
      { cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 185000, diagnosisPointers: [1, 2, 3] },
      { cpt: '01937', units: 45, unitBasis: 'MJ', chargeCents: 52000, diagnosisPointers: [2, 1] },
    ],
  });

describe('the 837P from master data', () => {
  it('a dependant: 2000B the subscriber (name, address, birth date, group), 2000C/PAT/2010CA the patient; providers, payer id and envelope ids from configuration; valid X222A1; round trip', async () => {
    const claim = multiLine(uniqueId('PARTY'), 'DEP-1', 'DEPMBR001');
    const { x12, gaps } = await submit(claim);
    expect(validateX222A1(x12)).toEqual([]);
    expect(gaps).toEqual([]);
    const [back] = parse837P(x12, { practiceId, payerId: 'MEDICARE' });
    expect(back.claim).toEqual(withoutDocumentation(claim));
    expect(back.parties.subscriber).toEqual({ lastName: 'Parties', firstName: 'Casey', middleName: 'A', id: 'DEPMBR001', groupNumber: 'GRP-9', address: home, birthDate: '1951-01-01', sex: 'F' });
    expect(back.parties.patient).toEqual({ lastName: 'Parties', firstName: 'Riley', relationship: '01', address: home, birthDate: '1953-03-03', sex: 'M' });
    expect(back.parties.billingProvider).toEqual({ lastName: 'Parties Test Pain', id: '1456789019', taxId: '990000055', address: { line1: '55 Clinic Rd', city: 'Springfield', state: 'IL', zip: '627015555' }, contact: { phone: '2175550155', email: 'billing@parties.example' } });
    expect(back.parties.payer).toEqual({ lastName: 'Medicare Part B (demo MAC)', id: 'CH-MCR-P837' });
    expect(back.parties.renderingProvider).toEqual({ lastName: 'Parties', firstName: 'Morgan Q.', id: npi });
    expect(back.parties.referringProvider).toEqual({ lastName: 'Sample', firstName: 'Jordan', id: '1987654328' });
    expect(x12).toMatch(/^ISA\*00\*          \*00\*          \*ZZ\*SUBPARTIES     \*ZZ\*RECVPARTIES    \*/);
  });

  it('the patient is the subscriber: no 2000C, SBR02 18, name with suffix and address in 2010BA', async () => {
    const claim = multiLine(uniqueId('PARTY'), 'SELF-1', 'SELFMBR01');
    const { x12, gaps } = await submit(claim);
    expect(validateX222A1(x12)).toEqual([]);
    expect(gaps).toEqual([]);
    expect(x12).toContain('SBR*P*18*******MB~');
    const [back] = parse837P(x12, { practiceId, payerId: 'MEDICARE' });
    expect(back.parties.patient).toBeUndefined();
    expect(back.parties.subscriber).toEqual({ lastName: 'Selfsub', firstName: 'Jo', suffix: 'III', id: 'SELFMBR01', address: home, birthDate: '1949-09-09', sex: 'F' });
  });

  it('a patient not registered: a valid 837P from what the document has; the gaps are recorded by field, without values', async () => {
    const claim = multiLine(uniqueId('PARTY'), 'NOT-REGISTERED-1', 'INLINE001');
    const { x12, gaps } = await submit(claim);
    expect(validateX222A1(x12)).toEqual([]);
    expect(x12).toContain('NM1*IL*1*UNKNOWN*****MI*INLINE001~');
    expect(gaps).toEqual([
      '2010BA NM103: patient not registered in master data: subscriber name sent as UNKNOWN',
      '2010BA N3/N4: patient not registered in master data: no subscriber address',
    ]);
    const [back] = parse837P(x12, { practiceId, payerId: 'MEDICARE' });
    expect(back.claim).toEqual(withoutDocumentation(claim));
  });

  it('an 837P the X222A1 pass refuses (billing provider ZIP without +4) is a business failure naming segment, loop and element, no value', async () => {
    const claim = multiLine(uniqueId('PARTY'), 'NOT-REGISTERED-2', 'INLINE002', zip5Practice);
    const err = await submit(claim).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('X12GenerationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^837P generation failed: segment \d+ \(N4\): X222A1: loop 2010AA N403: the billing provider ZIP must be the 9-digit ZIP\+4/);
    expect(failure.message).not.toContain('62701');
    expect(failure.message).not.toContain('INLINE002');
  });
});

describe('provider names as the providers table keeps them', () => {
  it.each([
    ['Dr. Avery Demo (Pain Medicine)', { lastName: 'Demo', firstName: 'Avery' }],
    ['Dr. Jordan Sample (Anesthesiology, Pain)', { lastName: 'Sample', firstName: 'Jordan' }],
    ['Casey North, MD', { lastName: 'North', firstName: 'Casey' }],
    ['North, Casey', { lastName: 'North', firstName: 'Casey' }],
    ['Madonna', { lastName: 'Madonna' }],
  ])('%s', (display, expected) => {
    expect(splitPersonName(display)).toEqual(expected);
  });
});
