import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../test/harness';
import { startEligAuthHarness, waitFor } from '../test/eligibility-auth-harness';
import { addCalendarDays } from '../domain/business-days';

let h: Awaited<ReturnType<typeof startEligAuthHarness>>;
beforeAll(async () => {
  h = await startEligAuthHarness();
});
afterAll(async () => h?.close());

const today = () => new Date().toISOString().slice(0, 10);
const body = (over: Record<string, unknown> = {}) => ({
  authId: uniqueId('AUTH'),
  practiceId: 'demo-pain',
  payerId: 'COMMERCIAL',
  patientId: uniqueId('PT'),
  providerNpi: '1234567893',
  family: 'esi',
  cpts: ['64483'],
  region: 'lumbar',
  approach: 'transforaminal',
  levels: ['L4-L5'],
  laterality: 'bilateral',
  validFrom: today(),
  validTo: addCalendarDays(today(), 90),
  visitsRequested: 1,
  package: {
    diagnoses: ['M54.16'],
    imagingFindings: 'MRI: foraminal stenosis',
    conservativeCare: { weeks: 8, modalities: ['PT'], failed: true },
    functionalImpairment: 'cannot stand',
  },
  ...over,
});
const get = async (authId: string) => (await h.app.inject({ method: 'GET', url: `/api/authorizations/${authId}`, headers: h.auth() })).json();
const until = (authId: string, status: string) => waitFor(async () => ((await get(authId)).status === status ? get(authId) : undefined), `${authId} ${status}`);

describe('/api/authorizations → priorAuthorizationWorkflow', () => {
  it('201 starts auth:<authId>; GET shows the approved authorization; record-visit 200, outside the window 422, over the count 422', async () => {
    const b = body();
    const res = await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth('biller'), payload: b });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ authId: b.authId, workflowId: `auth:${b.authId}`, status: 'draft' });
    expect(res.headers.location).toBe(`/api/authorizations/${b.authId}`);
    const got = await until(b.authId, 'approved');
    expect(got).toMatchObject({ validFrom: b.validFrom, validTo: b.validTo, visitsAuthorized: 1, nextDeadline: { ruleId: 'AUTH-7' } });
    expect(got.requests).toEqual([expect.objectContaining({ kind: 'submit', decision: 'approved' })]);

    const outside = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/record-visit`, headers: h.auth(), payload: { serviceDate: addCalendarDays(b.validTo, 5) } });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().message).toContain('AUTH-8');
    const ok = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/record-visit`, headers: h.auth(), payload: { serviceDate: addCalendarDays(today(), 3) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().state.visitsUsed).toBe(1);
    const over = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/record-visit`, headers: h.auth(), payload: { serviceDate: addCalendarDays(today(), 4) } });
    expect(over.statusCode).toBe(422);
    expect(over.json().message).toContain('visits');
  });

  it('400 names the field: window ending before it starts, L4-L5 on a cervical auth, unknown payer', async () => {
    const win = await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: body({ validTo: addCalendarDays(today(), -5) }) });
    expect(win.statusCode).toBe(400);
    expect(win.json().issues.map((i: { path: string }) => i.path)).toEqual(['validTo']);
    const lv = await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: body({ region: 'cervical', cpts: ['64479'], levels: ['L4-L5'] }) });
    expect(lv.statusCode).toBe(400);
    expect(lv.json().issues).toEqual([expect.objectContaining({ path: 'levels.0', message: expect.stringContaining('cervical') })]);
    const payer = await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: body({ payerId: 'NOPE' }) });
    expect(payer.statusCode).toBe(400);
    expect(payer.json().issues[0].path).toBe('payerId');
    const action = await h.app.inject({ method: 'POST', url: `/api/authorizations/X/actions/record-visit`, headers: h.auth(), payload: { serviceDate: 'tomorrow' } });
    expect(action.statusCode).toBe(400);
    expect(action.json().issues[0].path).toBe('serviceDate');
  });

  it('409 when the authorization exists or the action does not fit its state; 404 for an unknown one', async () => {
    const b = body({ package: { diagnoses: ['M54.16'] } }); // incomplete → not submitted (AUTH-1)
    expect((await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: b })).statusCode).toBe(201);
    const incomplete = await until(b.authId, 'incomplete');
    expect(incomplete.workItems).toEqual([expect.objectContaining({ rule_id: 'AUTH-1', kind: 'auth_package_incomplete' })]);
    expect((await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: b })).statusCode).toBe(409);
    const p2p = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/record-peer-to-peer`, headers: h.auth(), payload: { outcome: 'upheld' } });
    expect(p2p.statusCode).toBe(409);
    expect(p2p.json().message).toContain('incomplete');
    expect((await h.app.inject({ method: 'GET', url: '/api/authorizations/NEVER-SEEN', headers: h.auth() })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: '/api/authorizations/NEVER-SEEN/actions/cancel', headers: h.auth(), payload: { reason: 'x' } })).statusCode).toBe(404);
  });

  it('AUTH-1: the "package incomplete" work item closes once the package is completed and approved; a superseded one closes too', async () => {
    const b = body({ package: { diagnoses: ['M54.16'] } }); // incomplete → not submitted (AUTH-1)
    expect((await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: b })).statusCode).toBe(201);
    await until(b.authId, 'incomplete');
    const items = () => h.db('work_items').where({ entity_type: 'authorization', entity_id: b.authId, kind: 'auth_package_incomplete' }).orderBy('id');
    expect((await items()).map((i) => i.status)).toEqual(['open']);
    // Still incomplete: a new item for the new package version; the first one no longer holds.
    const still = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/update-package`, headers: h.auth(), payload: { package: { diagnoses: ['M54.16'], imagingFindings: 'MRI: foraminal stenosis' } } });
    expect(still.statusCode, still.body).toBe(200);
    const two = await waitFor(async () => {
      const rows = await items();
      return rows.length === 2 && rows[0].status === 'closed' ? rows : undefined;
    }, 'the first item superseded');
    expect(two.map((i) => i.status)).toEqual(['closed', 'open']);
    const complete = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/update-package`, headers: h.auth(), payload: { package: body().package } });
    expect(complete.statusCode, complete.body).toBe(200);
    const approved = await until(b.authId, 'approved');
    expect(approved.workItems.filter((w: { kind: string }) => w.kind === 'auth_package_incomplete')).toEqual([]);
    const after = await items();
    expect(after.map((i) => i.status)).toEqual(['closed', 'closed']);
    expect(after[1].closed_reason).toMatch(/package complete/);
  });

  it('AUTH-5 denial for medical necessity shows the P2P work item due today; record-peer-to-peer overturned → approved', async () => {
    const b = body();
    h.sim.forAuthorization(b.authId, [{ decision: 'denied', denialReason: 'medical_necessity' }]);
    await h.app.inject({ method: 'POST', url: '/api/authorizations', headers: h.auth(), payload: b });
    const denied = await until(b.authId, 'peer_to_peer');
    expect(denied.workItems).toEqual([expect.objectContaining({ rule_id: 'AUTH-5', kind: 'peer_to_peer' })]);
    const res = await h.app.inject({ method: 'POST', url: `/api/authorizations/${b.authId}/actions/record-peer-to-peer`, headers: h.auth(), payload: { outcome: 'overturned', authNumber: 'P2P-9' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().state).toMatchObject({ status: 'approved', authNumber: 'P2P-9' });
  });

  it('a payer answer for an unknown request is parked (202), never an error', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/authorizations/payer-responses', headers: h.auth(), payload: { requestId: 'UNKNOWN-REQ-1', payerId: 'COMMERCIAL', decision: 'approved', decidedOn: today() } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ delivered: false, parked: true });
    expect(await h.db('parked_payer_responses').where({ request_id: 'UNKNOWN-REQ-1' })).toHaveLength(1);
  });
});
