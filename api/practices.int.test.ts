/**
 * Practices through the API (issue 13): an admin onboards a practice without SQL; bad fields are
 * refused naming the field; the clearinghouse ids live on the practice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { DEMO_PRACTICE_ID } from '../db/seed';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

const practice = (practiceId: string, over: Record<string, unknown> = {}) => ({
  practiceId,
  name: 'Lakeside Pain & Spine',
  taxId: '12-3456789',
  billingNpi: '1655443327',
  address: { line1: '12 Lake Shore Dr', city: 'Madison', state: 'WI', zip: '53703' },
  phone: '6085550199',
  timeZone: 'America/Chicago',
  ...over,
});

const post = (body: unknown, role: 'admin' | 'biller' = 'admin') =>
  h.app.inject({ method: 'POST', url: '/api/practices', headers: h.auth(role), payload: body as object });

describe('practices API', () => {
  it('an admin adds a practice: 201 with Location, then GET answers it and the list holds it', async () => {
    const id = uniqueId('lakeside').toLowerCase();
    const res = await post(practice(id));
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/api/practices/${id}`);
    expect(res.json()).toMatchObject({ practiceId: id, taxId: '123456789', billingNpi: '1655443327', timeZone: 'America/Chicago', phone: '6085550199', clearinghouse: { submitterId: null, receiverId: null } });

    const one = await h.app.inject({ method: 'GET', url: `/api/practices/${id}`, headers: h.auth('admin') });
    expect(one.statusCode).toBe(200);
    expect(one.json().address).toEqual({ line1: '12 Lake Shore Dr', city: 'Madison', state: 'WI', zip: '53703' });
    const list = await h.app.inject({ method: 'GET', url: '/api/practices', headers: h.auth('admin') });
    expect(list.json().practices.map((p: { practiceId: string }) => p.practiceId)).toEqual(expect.arrayContaining([id, DEMO_PRACTICE_ID]));
    // The 837P's submitter contact (1000A PER) is read from the address JSON: the phone is there.
    expect((await h.db('practices').where({ id }).first()).address.phone).toBe('6085550199');
  });

  it('a practice that exists answers 409 and is left as it was', async () => {
    const id = uniqueId('dup').toLowerCase();
    expect((await post(practice(id))).statusCode).toBe(201);
    const again = await post(practice(id, { name: 'Someone Else' }));
    expect(again.statusCode).toBe(409);
    expect((await h.db('practices').where({ id }).first()).name).toBe('Lakeside Pain & Spine');
  });

  it.each([
    ['billingNpi', { billingNpi: '1655443328' }, /NPI/],
    ['timeZone', { timeZone: 'America/Springfield' }, /time zone/],
    ['timeZone', { timeZone: 'EST' }, /time zone/],
    ['taxId', { taxId: '12-345678' }, /tax id/],
    ['taxId', { taxId: '07-1234567' }, /tax id/],
    ['address.state', { address: { line1: '1 A St', city: 'Madison', state: 'Wisconsin', zip: '53703' } }, /state/],
    ['phone', { phone: '555-0199' }, /phone/],
    ['name', { name: 'Lakeside*Pain' }, /X12 delimiter/],
    ['address.line1', { address: { line1: '1 A St~', city: 'Madison', state: 'WI', zip: '53703' } }, /X12 delimiter/],
    ['address.city', { address: { line1: '1 A St', city: 'Mad:ison', state: 'WI', zip: '53703' } }, /X12 delimiter/],
  ])('400 names the field %s and stores nothing', async (field, over, message) => {
    const id = uniqueId('bad').toLowerCase();
    const res = await post(practice(id, over));
    expect(res.statusCode).toBe(400);
    const issue = res.json().issues.find((i: { path: string }) => i.path === field);
    expect(issue?.message).toMatch(message);
    expect(await h.db('practices').where({ id }).first()).toBeUndefined();
  });

  it('PATCH changes the time zone and the clearinghouse ids; the rest stays', async () => {
    const id = uniqueId('patch').toLowerCase();
    await post(practice(id));
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/practices/${id}`,
      headers: h.auth('admin'),
      payload: { timeZone: 'America/Denver', clearinghouse: { submitterId: 'LAKESIDE01', receiverId: 'CLEARHOUSE' } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ practiceId: id, timeZone: 'America/Denver', name: 'Lakeside Pain & Spine', clearinghouse: { submitterId: 'LAKESIDE01', receiverId: 'CLEARHOUSE' } });
    const cleared = await h.app.inject({ method: 'PATCH', url: `/api/practices/${id}`, headers: h.auth('admin'), payload: { clearinghouse: { receiverId: null } } });
    expect(cleared.json().clearinghouse).toEqual({ submitterId: 'LAKESIDE01', receiverId: null, receiverName: null, contactName: null, contactPhone: null, contactEmail: null, payerIds: {} });
    const bad = await h.app.inject({ method: 'PATCH', url: `/api/practices/${id}`, headers: h.auth('admin'), payload: { timeZone: 'Nowhere/City' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('timeZone');
    const missing = await h.app.inject({ method: 'PATCH', url: '/api/practices/no-such-practice', headers: h.auth('admin'), payload: { name: 'X' } });
    expect(missing.statusCode).toBe(404);
  });

  it('only an admin adds or changes a practice', async () => {
    const id = uniqueId('nope').toLowerCase();
    const res = await post(practice(id), 'biller');
    expect(res.statusCode).toBe(403);
    expect(await h.db('practices').where({ id }).first()).toBeUndefined();
    const patch = await h.app.inject({ method: 'PATCH', url: `/api/practices/${DEMO_PRACTICE_ID}`, headers: h.auth('biller'), payload: { name: 'Renamed' } });
    expect(patch.statusCode).toBe(403);
  });

  it('the seeded demo practices carry their time zones', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/api/practices/${DEMO_PRACTICE_ID}`, headers: h.auth('admin') });
    expect(res.json()).toMatchObject({ practiceId: DEMO_PRACTICE_ID, timeZone: 'America/Chicago', phone: '2175550100' });
    const north = await h.app.inject({ method: 'GET', url: '/api/practices/demo-north', headers: h.auth('admin') });
    expect(north.json()).toMatchObject({ timeZone: 'America/Los_Angeles' });
  });

  it('the OpenAPI document describes the practice body', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = doc.paths['/api/practices'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['practiceId', 'name', 'taxId', 'billingNpi', 'address', 'phone', 'timeZone']));
    expect(Object.keys(doc.paths)).toContain('/api/practices/{practiceId}');
  });
});
