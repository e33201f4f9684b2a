/**
 * Patients and coverage master data (issue 13): register, search, read and change patients and
 * their coverages per practice; field errors name the field, overlapping coverages of one priority
 * are 422 naming both (nothing written), another practice's patient is 404 on reads and 403 on
 * writes, and every read or change is in the access log under the patient's id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { DEMO_PRACTICE_ID as A, SECOND_PRACTICE_ID as B } from '../db/seed';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => h?.close());

type Who = Parameters<Harness['auth']>[0];
const call = (method: string, url: string, who: Who = 'admin', payload?: unknown) =>
  h.app.inject({ method: method as 'GET', url, headers: h.auth(who), ...(payload !== undefined ? { payload: payload as object } : {}) });

/** A unique synthetic surname per test run (letters only). */
const surname = () => `Zz${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 8)}`;

const address = { line1: '12 Synthetic Ave', line2: 'Apt 3', city: 'Springfield', state: 'IL', zip: '62704' };
function patientBody(patientId: string, last: string, extra: Record<string, unknown> = {}) {
  return {
    patientId,
    name: { last, first: 'Robin', middle: 'Q', suffix: 'Jr' },
    birthDate: '1961-05-20',
    sex: 'F',
    address,
    phone: '2175550123',
    coverages: [
      { priority: 'primary', payerId: 'MEDICARE', memberId: '1AA0AA0AA00', effectiveDate: '2020-01-01', terminationDate: '2024-06-30' },
      { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'XYZ123456', groupNumber: 'GRP-77', effectiveDate: '2024-07-01' },
      {
        priority: 'secondary', payerId: 'MEDICAID', memberId: 'MCD-55', effectiveDate: '2022-01-01', relationship: '01',
        subscriber: { name: { last, first: 'Sam' }, birthDate: '1958-02-11', sex: 'M', address },
      },
    ],
    ...extra,
  };
}

describe('patients: register, read, change', () => {
  it('a biller registers a patient with coverages; the answer and a read show name parts, address, coverages; the access log has both under the patient id', async () => {
    const patientId = uniqueId('PT');
    const last = surname();
    const created = await call('POST', `/api/practices/${A}/patients`, 'demoBiller', patientBody(patientId, last));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(`/api/patients/${patientId}?practiceId=${A}`);
    const read = await call('GET', `/api/patients/${patientId}`, 'demoBiller');
    expect(read.statusCode, read.body).toBe(200);
    const p = read.json();
    expect(p).toMatchObject({ practiceId: A, patientId, registered: true, name: { last, first: 'Robin', middle: 'Q', suffix: 'Jr' }, birthDate: '1961-05-20', sex: 'F', address, phone: '2175550123' });
    expect(p.coverages.map((c: { payerId: string; priority: string; effectiveDate: string; terminationDate: string | null }) => [c.priority, c.payerId, c.effectiveDate, c.terminationDate])).toEqual([
      ['primary', 'MEDICARE', '2020-01-01', '2024-06-30'],
      ['secondary', 'MEDICAID', '2022-01-01', null],
      ['primary', 'COMMERCIAL', '2024-07-01', null],
    ]);
    expect(p.coverages[1]).toMatchObject({ relationship: '01', subscriber: { name: { last, first: 'Sam' }, birthDate: '1958-02-11', sex: 'M' } });

    const log = (await call('GET', `/api/access-log?patientId=${patientId}`)).json().entries;
    expect(log.map((e: { action: string; route: string }) => `${e.action} ${e.route}`)).toEqual([
      'read /api/patients/:patientId',
      'create /api/practices/:practiceId/patients',
    ]);
    expect(log[0]).toMatchObject({ entityType: 'patient', entityId: patientId, patientId, practiceId: A, userName: 'test-demo-biller', statusCode: 200 });
    // Ids only: never the name, birth date or member id.
    const rows = JSON.stringify(await h.db('access_log').where({ patient_id: patientId }).select());
    for (const phi of [last, '1961-05-20', '1AA0AA0AA00']) expect(rows).not.toContain(phi);
  });

  it('PATCH changes the address and name; a second registration of the same id is 409', async () => {
    const patientId = uniqueId('PT');
    const last = surname();
    expect((await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, last, { coverages: [] }))).statusCode).toBe(201);
    const patched = await call('PATCH', `/api/patients/${patientId}`, 'biller', { address: { line1: '9 New Rd', city: 'Peoria', state: 'IL', zip: '61602' }, name: { last: `${last}-Smith`, first: 'Robin' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: { last: `${last}-Smith`, first: 'Robin' }, address: { line1: '9 New Rd', city: 'Peoria' } });
    expect(patched.json().name.middle).toBeUndefined();
    const again = await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, last));
    expect(again.statusCode).toBe(409);
    const log = (await call('GET', `/api/access-log?patientId=${patientId}&practiceId=${A}`)).json().entries;
    expect(log.map((e: { action: string; statusCode: number }) => `${e.action} ${e.statusCode}`)).toEqual(['create 409', 'change 200', 'create 201']);
  });

  it('search by name in the caller\'s practices: "last", "last, first", "first last", prefixes; another practice\'s biller does not find it', async () => {
    const patientId = uniqueId('PT');
    const last = surname();
    expect((await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, last, { coverages: [] }))).statusCode).toBe(201);
    for (const q of [last, last.slice(0, 6).toUpperCase(), `${last}, Rob`, `Robin ${last}`]) {
      const found = await call('GET', `/api/patients?q=${encodeURIComponent(q)}`, 'demoBiller');
      expect(found.statusCode).toBe(200);
      expect(found.json().patients.map((x: { patientId: string }) => x.patientId), q).toEqual([patientId]);
    }
    expect((await call('GET', `/api/patients?q=${last}&practiceId=${A}`, 'viewer')).json().patients).toHaveLength(1);
    expect((await call('GET', `/api/patients?q=${last}`, 'northBiller')).json().patients).toEqual([]);
    expect((await call('GET', `/api/patients?q=${last}&practiceId=${A}`, 'northBiller')).statusCode).toBe(404);
  });
});

describe('demo patients (db/seed.ts)', () => {
  it('the seed registers synthetic patients with coverage in both practices; each practice sees its own', async () => {
    const chen = (await call('GET', `/api/patients?q=${encodeURIComponent('Chen, Morgan')}&practiceId=${A}`, 'demoBiller')).json().patients;
    expect(chen).toEqual([{ practiceId: A, patientId: 'PT-2002', name: { last: 'Chen', first: 'Morgan' }, birthDate: '1960-08-02', sex: 'F', registered: true }]);
    const coverages = (await call('GET', `/api/patients/PT-2002?practiceId=${A}`, 'demoBiller')).json().coverages;
    expect(coverages.map((c: { payerId: string; terminationDate: string | null }) => [c.payerId, c.terminationDate])).toEqual([['COMMERCIAL', '2025-12-31'], ['MEDICARE_ADVANTAGE', null]]);
    const dependant = (await call('GET', `/api/patients/PT-3002`, 'northBiller')).json();
    expect(dependant.coverages[0]).toMatchObject({ relationship: '19', subscriber: { name: { last: 'Baptiste', first: 'Reese' } } });
    expect((await call('GET', `/api/patients/PT-3002`, 'demoBiller')).statusCode).toBe(404);
  });
});

describe('patients: bad input names the field, nothing half written', () => {
  it('400 naming the field: zip, state, sex, birth date in the future, a name with an X12 delimiter, a subscriber missing for a dependant, an unknown payer', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ address: { ...address, zip: '6270' } }, 'address.zip'],
      [{ address: { ...address, state: 'Illinois' } }, 'address.state'],
      [{ sex: 'X' }, 'sex'],
      [{ birthDate: '2099-01-01' }, 'birthDate'],
      [{ name: { last: 'Doe*Smith', first: 'Jo' } }, 'name.last'],
      [{ coverages: [{ priority: 'primary', payerId: 'MEDICARE', memberId: 'M1', effectiveDate: '2020-01-01', relationship: '19' }] }, 'coverages.0.subscriber'],
      [{ coverages: [{ priority: 'primary', payerId: 'MEDICARE', memberId: 'M1', effectiveDate: '2020-01-01', terminationDate: '2019-01-01' }] }, 'coverages.0.terminationDate'],
      [{ coverages: [{ priority: 'primary', payerId: 'NO-SUCH-PAYER', memberId: 'M1', effectiveDate: '2020-01-01' }] }, 'coverages.0.payerId'],
    ];
    for (const [change, path] of cases) {
      const patientId = uniqueId('PT-BAD');
      const res = await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, surname(), change));
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(res.json().issues.map((i: { path: string }) => i.path), res.body).toContain(path);
      expect(await h.db('patients').where({ id: patientId }).first()).toBeUndefined();
    }
  });

  it('two primary coverages whose dates overlap: 422 naming both, and nothing is stored', async () => {
    const patientId = uniqueId('PT-OVL');
    const res = await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, surname(), {
      coverages: [
        { priority: 'primary', payerId: 'MEDICARE', memberId: 'M1', effectiveDate: '2020-01-01', terminationDate: '2024-06-30' },
        { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'C1', effectiveDate: '2024-06-30' },
      ],
    }));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['coverages.0', 'coverages.1']);
    expect(res.json().message).toContain('2020-01-01–2024-06-30');
    expect(await h.db('patients').where({ id: patientId }).first()).toBeUndefined();
  });

  it('adding or changing a coverage into an overlap is 422 naming both; a coverage that fits is added; terminating one lets the next start', async () => {
    const patientId = uniqueId('PT-COV');
    const created = await call('POST', `/api/practices/${A}/patients`, 'biller', patientBody(patientId, surname(), {
      coverages: [{ priority: 'primary', payerId: 'MEDICARE', memberId: 'M1', effectiveDate: '2020-01-01' }],
    }));
    expect(created.statusCode).toBe(201);
    const first = created.json().coverages[0].id;
    const clash = await call('POST', `/api/patients/${patientId}/coverages`, 'biller', { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'C1', effectiveDate: '2025-01-01' });
    expect(clash.statusCode, clash.body).toBe(422);
    expect(clash.json().message).toMatch(new RegExp(`coverage ${first} \\(primary 2020-01-01–open\\) overlaps the new coverage|the new coverage .* overlaps coverage ${first}`));
    expect(await h.db('patient_coverages').where({ patient_id: patientId })).toHaveLength(1);

    const end = await call('PATCH', `/api/patients/${patientId}/coverages/${first}`, 'biller', { terminationDate: '2024-12-31' });
    expect(end.statusCode, end.body).toBe(200);
    const added = await call('POST', `/api/patients/${patientId}/coverages`, 'biller', { priority: 'primary', payerId: 'COMMERCIAL', memberId: 'C1', effectiveDate: '2025-01-01' });
    expect(added.statusCode, added.body).toBe(201);
    const back = await call('PATCH', `/api/patients/${patientId}/coverages/${first}`, 'biller', { terminationDate: null });
    expect(back.statusCode).toBe(422);
    expect(back.json().message).toContain(`coverage ${added.json().id}`);
    expect(back.json().message).toContain(`coverage ${first} as changed`);
    const missing = await call('PATCH', `/api/patients/${patientId}/coverages/999999999`, 'biller', { memberId: 'X' });
    expect(missing.statusCode).toBe(404);
    const dependant = await call('PATCH', `/api/patients/${patientId}/coverages/${first}`, 'biller', { relationship: '19' });
    expect(dependant.statusCode).toBe(400);
    expect(dependant.json().issues[0].path).toBe('subscriber');
  });
});

describe('patients: practice scope and roles', () => {
  it("another practice's patient: 404 on a read, 403 naming the practice on a change or a new coverage; registering in another practice is 403", async () => {
    const patientId = uniqueId('PT-SCOPE');
    expect((await call('POST', `/api/practices/${A}/patients`, 'demoBiller', patientBody(patientId, surname()))).statusCode).toBe(201);
    const read = await call('GET', `/api/patients/${patientId}`, 'northBiller');
    expect(read.statusCode).toBe(404);
    expect(read.json().message).toBe(`patient ${patientId} not found`);
    const write = await call('PATCH', `/api/patients/${patientId}`, 'northBiller', { phone: '9165550000' });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ practiceId: A });
    expect(write.json().message).toContain(`practice ${A}`);
    expect((await call('POST', `/api/patients/${patientId}/coverages`, 'northBiller', { priority: 'tertiary', payerId: 'MEDICARE', memberId: 'X', effectiveDate: '2020-01-01' })).statusCode).toBe(403);
    const into = await call('POST', `/api/practices/${A}/patients`, 'northBiller', patientBody(uniqueId('PT'), surname()));
    expect(into.statusCode).toBe(403);
    expect(into.json().practiceId).toBe(A);
    expect((await h.db('patients').where({ practice_id: A, id: patientId }).first('phone')).phone).toBe('2175550123');
  });

  it('viewer and provider read but never change; the same id in two practices needs ?practiceId= for a caller who sees both', async () => {
    const patientId = uniqueId('PT-TWO');
    expect((await call('POST', `/api/practices/${A}/patients`, 'admin', patientBody(patientId, surname()))).statusCode).toBe(201);
    expect((await call('POST', `/api/practices/${B}/patients`, 'admin', patientBody(patientId, surname()))).statusCode).toBe(201);
    expect((await call('GET', `/api/patients/${patientId}`, 'provider')).json().practiceId).toBe(A);
    expect((await call('GET', `/api/patients/${patientId}`, 'northBiller')).json().practiceId).toBe(B);
    const viewerWrite = await call('PATCH', `/api/patients/${patientId}`, 'viewer', { phone: '2175550000' });
    expect(viewerWrite.statusCode).toBe(403);
    expect(viewerWrite.json().message).toMatch(/viewer token can read, not change/);
    const ambiguous = await call('GET', `/api/patients/${patientId}`, 'admin');
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.json().practiceIds).toEqual([A, B].sort());
    expect((await call('GET', `/api/patients/${patientId}?practiceId=${B}`, 'admin')).json().practiceId).toBe(B);
  });
});
