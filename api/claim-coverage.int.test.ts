/**
 * A claim references its patient (issue 13): a registered patient's coverage in force on the date
 * of service is what the claim bills. A patient with two primary coverages by date (payer A until
 * the day before a boundary, payer B from it — "Medicare until June 30, commercial from July 1",
 * with the boundary derived from today's clock) gets the right payer and member id on either side;
 * a date with no coverage in force is 422 naming `coverage` and the date, and starts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import { DEMO_PRACTICE_ID as A } from '../db/seed';

let h: Harness;
const patientId = uniqueId('PT-CLM');
const boundary = addCalendarDays(utcToday(), -30);
const lastDayA = addCalendarDays(boundary, -1);
const address = { line1: '40 Coverage Ct', city: 'Springfield', state: 'IL', zip: '62701' };

beforeAll(async () => {
  h = await startHarness();
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/practices/${A}/patients`,
    headers: h.auth('demoBiller'),
    payload: {
      patientId,
      name: { last: 'Covtest', first: 'Dana' },
      birthDate: '1955-09-09',
      sex: 'M',
      address,
      coverages: [
        { priority: 'primary', payerId: 'MEDICARE', memberId: '9ZZ9ZZ9ZZ99', effectiveDate: addCalendarDays(boundary, -400), terminationDate: lastDayA },
        { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'COMM-445566', groupNumber: 'G-12', effectiveDate: boundary },
        { priority: 'secondary', payerId: 'MEDICAID', memberId: 'MCD-778899', effectiveDate: boundary },
      ],
    },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => h?.close());

const post = (claim: unknown) => h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: claim as object });
// What the front desk sends: the patient id, and whatever (stale) payer and member id it has.
const claimFor = (serviceDate: string) =>
  tfesiClaim(uniqueId('COV'), { serviceDate, patient: { id: patientId, birthDate: '1970-01-01', sex: 'F' }, payerId: 'MEDICARE', coverage: { memberId: 'STALE-ID', priority: 'primary' } });

describe('claims of a registered patient take the coverage in force on the date of service', () => {
  it('the day before the boundary bills payer A with its member id; the boundary day bills payer B (and its secondary)', async () => {
    const before = claimFor(lastDayA);
    const on = claimFor(boundary);
    const r1 = await post(before);
    const r2 = await post(on);
    expect(r1.statusCode, r1.body).toBe(201);
    expect(r2.statusCode, r2.body).toBe(201);
    expect(r1.json()).toMatchObject({ payerId: 'MEDICARE', masterData: { patient: 'registered', replaced: ['coverage.memberId', 'patient.birthDate', 'patient.sex'] } });
    expect(r2.json()).toMatchObject({ payerId: 'COMMERCIAL', masterData: { patient: 'registered', replaced: ['payerId', 'coverage.memberId', 'patient.birthDate', 'patient.sex', 'secondaryCoverage'] } });

    // The claim the workflow runs (read model) carries them.
    for (const [claim, payerId, memberId] of [[before, 'MEDICARE', '9ZZ9ZZ9ZZ99'], [on, 'COMMERCIAL', 'COMM-445566']] as const) {
      const row = await eventually(async () => (await h.db('claims').where({ claim_id: claim.claimId }).first()) ?? undefined, `claim row ${claim.claimId}`);
      expect(row.payer_id).toBe(payerId);
      expect(row.document.coverage.memberId).toBe(memberId);
      expect(row.document.patient).toEqual({ id: patientId, birthDate: '1955-09-09', sex: 'M' });
    }
    // And the 837P the payer received (the commercial ESI waits for its prior authorization, SUB rules).
    const received = await eventually(async () => h.simulator.receivedSubmission(before.claimId), `837P of ${before.claimId}`);
    expect(received.payerId).toBe('MEDICARE');
    expect(received.x12).toContain('*MI*9ZZ9ZZ9ZZ99~');
    // Built from master data: the subscriber's name and address are there; what demo-pain lacks
    // (no clearinghouse ids recorded) is listed on the submission, by field.
    expect(received.x12).toContain('NM1*IL*1*Covtest*Dana****MI*9ZZ9ZZ9ZZ99~\nN3*40 Coverage Ct~\nN4*Springfield*IL*62701~\nDMG*D8*19550909*M~');
    const gaps = await eventually(async () => (await h.app.inject({ method: 'GET', url: `/api/claims/${before.claimId}`, headers: h.auth('demoBiller') })).json().submissions?.[0]?.x12Gaps as string[] | undefined, 'x12Gaps');
    expect(gaps).toEqual([
      'ISA06/GS02 submitter id not set for the practice (clearinghouse.submitterId): the tax id was sent',
      'ISA08/GS03 receiver id not set for the practice (clearinghouse.receiverId): CLEARINGHOUSE was sent',
      '1000B NM103 receiver name not set for the practice (clearinghouse.receiverName): CLEARINGHOUSE was sent',
      '1000A PER02 contact name not set for the practice (clearinghouse.contactName): BILLING OFFICE was sent',
      '2010BB NM109: no clearinghouse payer id mapped for payer MEDICARE (payer_identifiers outbound): the payer key was sent',
    ]);
    const second = await h.db('claims').where({ claim_id: on.claimId }).first('document');
    expect(second.document.secondaryCoverage).toEqual({ payerId: 'MEDICAID', memberId: 'MCD-778899' });
  });

  it('a date of service with no coverage in force: 422 naming coverage and the date; no workflow, no claim row', async () => {
    const dos = addCalendarDays(boundary, -401);
    const claim = claimFor(dos);
    const res = await post(claim);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ field: 'coverage', serviceDate: dos });
    expect(res.json().message).toContain(`no primary coverage in force on the date of service ${dos}`);
    expect(res.json().message).not.toContain('9ZZ9ZZ9ZZ99'); // no member id in an error
    await expect(h.client.workflow.getHandle(`claim:${claim.practiceId}:${claim.claimId}`).describe()).rejects.toThrow();
    expect(await h.db('claims').where({ claim_id: claim.claimId }).first()).toBeUndefined();
    const secondary = await post({ ...claimFor(lastDayA), coverage: { memberId: 'X', priority: 'secondary' } });
    expect(secondary.statusCode).toBe(422);
    expect(secondary.json().message).toContain(`no secondary coverage in force on the date of service ${lastDayA}`);
  });

  it('an 837P the X222A1 pass refuses (the practice has no ZIP+4): the claim waits in needs_correction with a SUB-5 work item naming segment, loop and element, no PHI', async () => {
    const practiceId = uniqueId('P-ZIP5');
    await h.db('practices').insert({ id: practiceId, name: 'Zip Five Pain', tax_id: '990000066', billing_npi: '1456789019', phone: '2175550166', address: { line1: '6 Short Zip Rd', city: 'Springfield', state: 'IL', zip: '62701', phone: '2175550166' } });
    const claim = tfesiClaim(uniqueId('ZIP5'), { practiceId, coverage: { memberId: 'ZIP5MEMBER1', priority: 'primary' } });
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('admin'), payload: claim });
    expect(res.statusCode, res.body).toBe(201);
    const item = await eventually(async () => (await h.db('work_items').where({ entity_type: 'claim', entity_id: claim.claimId, kind: 'correction', status: 'open' }).first()) ?? undefined, 'correction work item');
    expect(item.rule_id).toBe('SUB-5');
    expect(item.title).toMatch(/X222A1: loop 2010AA N403: the billing provider ZIP must be the 9-digit ZIP\+4/);
    for (const phi of ['ZIP5MEMBER1', claim.patient.birthDate.replace(/-/g, ''), '62701']) expect(item.title).not.toContain(phi);
    expect((await h.db('claims').where({ claim_id: claim.claimId }).first('status')).status).toBe('needs_correction');
  });

  it('a patient not registered in master data: the claim is taken as the document says', async () => {
    const claim = tfesiClaim(uniqueId('COV-INLINE'), { patient: { id: uniqueId('PT-INLINE'), birthDate: '1950-01-01', sex: 'F' }, payerId: 'COMMERCIAL', coverage: { memberId: 'INLINE-1', priority: 'primary' } });
    const res = await post(claim);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ payerId: 'COMMERCIAL', masterData: { patient: 'not_registered', replaced: [] } });
  });
});
