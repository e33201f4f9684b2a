/**
 * Users, roles and tokens through the API (issue 13): an admin adds a user with practices and gets
 * its token once; the token works until it expires or the user is revoked; read-only roles never
 * write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { DEMO_PRACTICE_ID, SECOND_PRACTICE_ID } from '../db/seed';
import { hashToken } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

const addUser = (body: Record<string, unknown>, who: Parameters<Harness['auth']>[0] = 'admin') =>
  h.app.inject({ method: 'POST', url: '/api/users', headers: h.auth(who), payload: body });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('users API', () => {
  it('an admin adds a biller for one practice: 201 with the token once, stored only as its hash; the token reads that practice', async () => {
    const name = uniqueId('biller').toLowerCase();
    const res = await addUser({ name, role: 'biller', practiceIds: [SECOND_PRACTICE_ID] });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name, role: 'biller', practiceIds: [SECOND_PRACTICE_ID] });
    expect(body.token).toMatch(/^rcm_/);
    expect(res.headers['cache-control']).toBe('no-store');
    const stored = await h.db('api_tokens').where({ user_name: name }).select('token_hash');
    expect(stored).toEqual([{ token_hash: hashToken(body.token) }]);
    expect(JSON.stringify(await h.db('api_tokens').where({ user_name: name }).select())).not.toContain(body.token);

    const practices = await h.app.inject({ method: 'GET', url: '/api/practices', headers: bearer(body.token) });
    expect(practices.statusCode).toBe(200);
    expect(practices.json().practices.map((p: { practiceId: string }) => p.practiceId)).toEqual([SECOND_PRACTICE_ID]);

    const list = await h.app.inject({ method: 'GET', url: '/api/users', headers: h.auth('admin') });
    expect(list.json().users.find((u: { name: string }) => u.name === name)).toMatchObject({ role: 'biller', practiceIds: [SECOND_PRACTICE_ID], activeTokens: 1 });
    expect(JSON.stringify(list.json())).not.toContain(body.token);
  });

  it('a user that exists answers 409; a second admin token is not made', async () => {
    const name = uniqueId('twice').toLowerCase();
    expect((await addUser({ name, role: 'viewer', practiceIds: [DEMO_PRACTICE_ID] })).statusCode).toBe(201);
    const again = await addUser({ name, role: 'admin' });
    expect(again.statusCode).toBe(409);
    expect(await h.db('api_tokens').where({ user_name: name }).count({ n: '*' }).first()).toEqual({ n: 1 });
    expect((await h.db('users').where({ name }).first()).role).toBe('viewer');
  });

  it.each([
    ['practiceIds.1', { role: 'biller', practiceIds: [DEMO_PRACTICE_ID, 'no-such-practice'] }, /unknown practice "no-such-practice"/],
    ['practiceIds', { role: 'biller' }, /at least one practice/],
    ['role', { role: 'superuser', practiceIds: [DEMO_PRACTICE_ID] }, /./],
    ['expiresAt', { role: 'viewer', practiceIds: [DEMO_PRACTICE_ID], expiresAt: '2001-01-01' }, /in the past/],
    ['name', { name: 'has space', role: 'viewer', practiceIds: [DEMO_PRACTICE_ID] }, /letters, digits/],
  ])('400 names %s and adds nobody', async (field, over, message) => {
    const name = uniqueId('bad').toLowerCase();
    const res = await addUser({ name, ...over });
    expect(res.statusCode).toBe(400);
    const issue = res.json().issues.find((i: { path: string }) => i.path === field);
    expect(issue?.message).toMatch(message);
    expect(await h.db('users').where({ name: (over as { name?: string }).name ?? name }).first()).toBeUndefined();
  });

  it('a token works until it expires: then 401', async () => {
    const name = uniqueId('temp').toLowerCase();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await addUser({ name, role: 'viewer', practiceIds: [DEMO_PRACTICE_ID], expiresAt });
    expect(res.json().expiresAt).toBe(expiresAt);
    const token = res.json().token;
    expect((await h.app.inject({ method: 'GET', url: '/api/practices', headers: bearer(token) })).statusCode).toBe(200);
    // The hour passes.
    await h.db('api_tokens').where({ user_name: name }).update({ expires_at: new Date(Date.now() - 1000) });
    const after = await h.app.inject({ method: 'GET', url: '/api/practices', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/expired/);
  });

  it('revoking a user stops its tokens on the next request; revoking again is harmless; an unknown user is 404', async () => {
    const name = uniqueId('leaver').toLowerCase();
    const token = (await addUser({ name, role: 'biller', practiceIds: '*' })).json().token;
    expect((await h.app.inject({ method: 'GET', url: '/api/claims', headers: bearer(token) })).statusCode).toBe(200);
    const revoke = await h.app.inject({ method: 'POST', url: `/api/users/${name}/revoke`, headers: h.auth('admin') });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json()).toMatchObject({ name, tokensRevoked: 1 });
    expect((await h.app.inject({ method: 'GET', url: '/api/claims', headers: bearer(token) })).statusCode).toBe(401);
    const again = await h.app.inject({ method: 'POST', url: `/api/users/${name}/revoke`, headers: h.auth('admin') });
    expect(again.json()).toMatchObject({ tokensRevoked: 0 });
    expect((await h.app.inject({ method: 'POST', url: '/api/users/nobody-here/revoke', headers: h.auth('admin') })).statusCode).toBe(404);
  });

  it('only an admin manages users', async () => {
    const name = uniqueId('sneaky').toLowerCase();
    expect((await addUser({ name, role: 'admin' }, 'biller')).statusCode).toBe(403);
    expect(await h.db('users').where({ name }).first()).toBeUndefined();
    expect((await h.app.inject({ method: 'GET', url: '/api/users', headers: h.auth('approver') })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/users/test-biller/revoke', headers: h.auth('biller') })).statusCode).toBe(403);
  });

  it('a provider token reads but never writes', async () => {
    const read = await h.app.inject({ method: 'GET', url: '/api/claims', headers: h.auth('provider') });
    expect(read.statusCode).toBe(200);
    const write = await h.app.inject({ method: 'POST', url: '/api/deposits', headers: h.auth('provider'), payload: { practiceId: DEMO_PRACTICE_ID, depositDate: '2026-01-05', amountCents: 100 } });
    expect(write.statusCode).toBe(403);
    expect(write.json().message).toMatch(/provider/);
  });

  it('GET /api/me answers who the token belongs to and its practices', async () => {
    const north = await h.app.inject({ method: 'GET', url: '/api/me', headers: h.auth('northBiller') });
    expect(north.statusCode).toBe(200);
    expect(north.json()).toEqual({ name: 'test-north-biller', role: 'biller', practiceIds: [SECOND_PRACTICE_ID], practices: [{ practiceId: SECOND_PRACTICE_ID, name: expect.any(String), timeZone: 'America/Los_Angeles' }] });
    const admin = (await h.app.inject({ method: 'GET', url: '/api/me', headers: h.auth('admin') })).json();
    expect(admin).toMatchObject({ role: 'admin', practiceIds: '*' });
    expect(admin.practices.map((p: { practiceId: string }) => p.practiceId)).toEqual(expect.arrayContaining([DEMO_PRACTICE_ID, SECOND_PRACTICE_ID]));
  });
});
