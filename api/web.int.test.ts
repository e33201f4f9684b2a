/**
 * The web app's door (issue 15), without a browser: sign-in exchanges a token for the HttpOnly
 * SameSite=Strict cookie; /api resolves the cookie exactly like a bearer token (role, practice scope,
 * revocation, failed-authentication limit); a cookie change needs the app's header; the server
 * answers the built app for client-side routes and JSON 404 elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { buildApp } from './app';
import { createUser, revokeUser } from '../db/users';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => h?.close());

const cookieOf = (setCookie: string | string[] | undefined) => String([setCookie].flat()[0]).split(';')[0];

describe('sign-in and the session cookie', () => {
  it('POST /auth/session sets rcm_session HttpOnly, SameSite=Strict, Path=/; a bad token is 401 and sets nothing', async () => {
    const ok = await h.app.inject({ method: 'POST', url: '/auth/session', payload: { token: h.tokens.northBiller } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ name: 'test-north-biller', role: 'biller' });
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/^rcm_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(ok.headers['cache-control']).toBe('no-store');
    const bad = await h.app.inject({ method: 'POST', url: '/auth/session', payload: { token: 'rcm_not_a_token' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const missing = await h.app.inject({ method: 'POST', url: '/auth/session', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().issues[0].path).toBe('token');
  });

  it('the cookie gets the same practice scope as the token: a demo-north biller reads its practice, not demo-pain', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/auth/session', payload: { token: h.tokens.northBiller } });
    const cookie = cookieOf(login.headers['set-cookie']);
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ name: 'test-north-biller', practiceIds: ['demo-north'] });
    expect((await h.app.inject({ method: 'GET', url: '/api/dashboard?practiceId=demo-pain', headers: { cookie } })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/dashboard?practiceId=demo-north', headers: { cookie } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/users', headers: { cookie } })).statusCode).toBe(403);
  });

  it('revoking the user ends the session at the next request; sign-out clears the cookie', async () => {
    const { token } = await createUser(h.db, { name: uniqueId('web-user'), role: 'viewer', practiceIds: ['demo-pain'] });
    const login = await h.app.inject({ method: 'POST', url: '/auth/session', payload: { token } });
    const cookie = cookieOf(login.headers['set-cookie']);
    expect((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    await revokeUser(h.db, login.json().name);
    expect((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
    const out = await h.app.inject({ method: 'DELETE', url: '/auth/session', headers: { cookie } });
    expect(String(out.headers['set-cookie'])).toMatch(/^rcm_session=; .*Max-Age=0/);
  });

  it('a change made with the cookie needs the x-rcm-web header (403 without it, counted as a failed authentication)', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/auth/session', payload: { token: h.tokens.demoBiller } });
    const cookie = cookieOf(login.headers['set-cookie']);
    const without = await h.app.inject({ method: 'POST', url: '/api/work-items/999999999/complete', headers: { cookie }, payload: { outcome: {} } });
    expect(without.statusCode).toBe(403);
    expect(without.json().message).toContain('x-rcm-web');
    const withHeader = await h.app.inject({ method: 'POST', url: '/api/work-items/999999999/complete', headers: { cookie, 'x-rcm-web': '1' }, payload: { outcome: {} } });
    expect(withHeader.statusCode).toBe(404);
  });

  it('failed sign-ins are limited per address like failed /api authentications; a valid token still signs in', async () => {
    const app = await buildApp({ db: h.db, temporal: h.client, inbound: h.inbound, codec: h.app.codec, config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' }, authFailureLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await app.inject({ method: 'POST', url: '/auth/session', payload: { token: `rcm_guess_${i}` }, remoteAddress: '10.7.7.7' })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect((await app.inject({ method: 'POST', url: '/auth/session', payload: { token: h.tokens.viewer }, remoteAddress: '10.7.7.7' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('serving the app', () => {
  it('/ and client-side routes answer the built index.html with the CSP; unknown /api routes stay JSON 404', async () => {
    for (const url of ['/', '/claims/SOME-CLAIM', '/worklist']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec((await h.app.inject({ method: 'GET', url: '/' })).body)![1];
    const js = await h.app.inject({ method: 'GET', url: asset });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    const api = await h.app.inject({ method: 'GET', url: '/api/nothing-here', headers: h.auth() });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ statusCode: 404 });
  });
});
