/**
 * The access log (HIPAA audit controls, issue 13): each read or change of a claim, appointment or
 * authorization records who, when, what and from which address — never the PHI itself — and an
 * admin reads it by user and entity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';

let h: Harness;
let claimId: string;
beforeAll(async () => {
  h = await startHarness();
  claimId = uniqueId('LOG');
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(claimId, { serviceDate: addCalendarDays(new Date().toISOString().slice(0, 10), -5) }), remoteAddress: '10.20.30.40' });
  expect(res.statusCode, res.body).toBe(201);
  await eventually(async () => (await h.db('claims').where({ claim_id: claimId }).first('claim_id')) ?? undefined, 'claim row');
});
afterAll(async () => h?.close());

const log = async (query: string, who: Parameters<Harness['auth']>[0] = 'admin') => h.app.inject({ method: 'GET', url: `/api/access-log?${query}`, headers: h.auth(who) });

describe('access log', () => {
  it('a claim created and read by a biller: who, when, what, from which address; an admin finds it by user and entity', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const read = await h.app.inject({ method: 'GET', url: `/api/claims/${claimId}`, headers: h.auth('demoBiller'), remoteAddress: '10.20.30.41' });
    expect(read.statusCode).toBe(200);
    const res = await log(`userName=test-demo-biller&entityId=${claimId}`);
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries;
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ userName: 'test-demo-biller', role: 'biller', action: 'read', method: 'GET', route: '/api/claims/:claimId', entityType: 'claim', entityId: claimId, practiceId: 'demo-pain', statusCode: 200, ip: '10.20.30.41' });
    expect(entries[1]).toMatchObject({ action: 'create', method: 'POST', route: '/api/claims', entityId: claimId, practiceId: 'demo-pain', statusCode: 201, ip: '10.20.30.40' });
    expect(entries[0].at >= before).toBe(true);
    // Never the PHI itself: no patient id, birth date or member id in the log.
    const claim = tfesiClaim(claimId);
    const rows = JSON.stringify(await h.db('access_log').where({ entity_id: claimId }).select());
    for (const phi of [claim.patient.birthDate, claim.coverage.memberId]) expect(rows).not.toContain(phi);
  });

  it('a refused read of another practice is logged too (404), and an action on an authorization is a change', async () => {
    const theirs = await h.app.inject({ method: 'GET', url: `/api/claims/${claimId}`, headers: h.auth('northBiller') });
    expect(theirs.statusCode).toBe(404);
    const entries = (await log(`userName=test-north-biller&entityId=${claimId}`)).json().entries;
    expect(entries[0]).toMatchObject({ action: 'read', statusCode: 404, entityType: 'claim' });

    const authId = uniqueId('AUTH');
    const today = new Date().toISOString().slice(0, 10);
    await h.app.inject({
      method: 'POST',
      url: '/api/authorizations',
      headers: h.auth('biller'),
      payload: { authId, practiceId: 'demo-pain', payerId: 'COMMERCIAL', patientId: uniqueId('PT'), providerNpi: '1234567893', family: 'esi', cpts: ['64483'], region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'bilateral', validFrom: today, validTo: addCalendarDays(today, 90), package: { diagnoses: ['M54.16'] } },
    });
    await h.app.inject({ method: 'POST', url: `/api/authorizations/${authId}/actions/cancel`, headers: h.auth('biller'), payload: { reason: 'patient moved' } });
    const auth = (await log(`entityId=${authId}`)).json().entries;
    expect(auth.map((e: { action: string }) => e.action)).toEqual(['change', 'create']);
    expect(auth[0]).toMatchObject({ entityType: 'authorization', route: '/api/authorizations/:authId/actions/:action', userName: 'test-biller' });
  });

  it('an id refused at the edge (a NUL in the path) answers 400 naming it, and is logged escaped, never looked up', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/authorizations/%00LOGNUL/actions/document-trial-results', headers: h.auth('admin'), payload: { actor: 'x', documentedOn: '2026-01-02', reliefPercent: 1, functionalImprovement: 'x' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(res.body).not.toMatch(/select|invalid byte sequence/i);
    const row = await h.db('access_log').where({ entity_id: '\\u0000LOGNUL' }).first();
    expect(row).toMatchObject({ status_code: 400, practice_id: null, entity_type: 'authorization' });
  });

  it('only an admin reads the access log', async () => {
    expect((await log('limit=5', 'biller')).statusCode).toBe(403);
    expect((await log('limit=5', 'viewer')).statusCode).toBe(403);
  });
});
