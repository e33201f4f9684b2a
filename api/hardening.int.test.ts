/**
 * Hardening the door (issue 13): security headers on every answer, no caching of /api, failed
 * authentication rate-limited per address (valid tokens never counted), and /health that tells
 * why a dependency is down (internal hosts and ports) only to a caller with a token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startHarness, type Harness } from '../test/harness';
import { buildApp } from './app';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => h?.close());

describe('security headers', () => {
  it.each([
    ['GET', '/api/claims', 'admin', 200],
    ['GET', '/api/claims', undefined, 401],
    ['GET', '/api/claims/NO-SUCH-CLAIM', 'admin', 404],
  ] as const)('%s %s (%s) → %i carries nosniff and Cache-Control: no-store', async (method, url, who, status) => {
    const res = await h.app.inject({ method, url, headers: who ? h.auth(who) : {} });
    expect(res.statusCode).toBe(status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('/health and /codec answers carry nosniff; /codec is never cached', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const codec = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: h.auth('admin'), payload: { payloads: [] } });
    expect(codec.statusCode).toBe(200);
    expect(codec.headers['x-content-type-options']).toBe('nosniff');
    expect(codec.headers['cache-control']).toBe('no-store');
  });
});

describe('failed authentication is rate-limited', () => {
  it('after the limit of bad tokens from one address: 429, while valid tokens and other addresses go on', async () => {
    const app = await buildApp({ db: h.db, temporal: h.client, inbound: h.inbound, codec: h.app.codec, config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' }, authFailureLimit: { max: 5, timeWindowMs: 60_000 } });
    try {
      const attempt = (token: string, remoteAddress: string) => app.inject({ method: 'GET', url: '/api/claims', headers: { authorization: `Bearer ${token}` }, remoteAddress });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await attempt(`rcm_guess_${i}`, '10.9.8.7')).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      const limited = await attempt('rcm_guess_again', '10.9.8.7');
      expect(limited.json()).toMatchObject({ error: 'rate_limited' });
      expect(limited.json().message).toMatch(/too many failed authentications/);
      // A missing token counts as a failure too.
      expect((await app.inject({ method: 'GET', url: '/api/claims', remoteAddress: '10.9.8.7' })).statusCode).toBe(429);
      // A valid token from the same address is not refused, and never counted.
      for (let i = 0; i < 10; i++) expect((await attempt(h.tokens.viewer, '10.9.8.7')).statusCode).toBe(200);
      // Another address has its own count.
      expect((await attempt('rcm_guess_x', '10.9.8.6')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('failed codec authentication is rate-limited too', () => {
  it('bad tokens to /codec/decode and to the sign-in form count; then 429; a valid token still decodes', async () => {
    const app = await buildApp({ db: h.db, temporal: h.client, inbound: h.inbound, codec: h.app.codec, config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' }, authFailureLimit: { max: 4, timeWindowMs: 60_000 } });
    try {
      const remoteAddress = '10.9.8.5';
      const statuses: number[] = [];
      for (let i = 0; i < 2; i++) statuses.push((await app.inject({ method: 'POST', url: '/codec/decode', headers: { authorization: `Bearer rcm_guess_${i}` }, payload: { payloads: [] }, remoteAddress })).statusCode);
      for (let i = 0; i < 2; i++) statuses.push((await app.inject({ method: 'POST', url: '/codec/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=rcm_guess_form_${i}`, remoteAddress })).statusCode);
      statuses.push((await app.inject({ method: 'POST', url: '/codec/decode', headers: { authorization: 'Bearer rcm_guess_x' }, payload: { payloads: [] }, remoteAddress })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      const valid = await app.inject({ method: 'POST', url: '/codec/decode', headers: h.auth('admin'), payload: { payloads: [] }, remoteAddress });
      expect(valid.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('/health', () => {
  it('tells why a dependency is down only to a caller with a token', async () => {
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9', connectTimeout: 500 }), namespace: 'default' });
    const app = await buildApp({ db: h.db, temporal: deadTemporal, inbound: h.inbound, codec: h.app.codec, config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' } });
    try {
      const anonymous = await app.inject({ method: 'GET', url: '/health' });
      expect(anonymous.statusCode).toBe(503);
      expect(anonymous.json()).toEqual({ status: 'degraded', dependencies: { postgres: { status: 'ok' }, temporal: { status: 'down' } } });
      expect(anonymous.body).not.toContain('127.0.0.1');
      const operator = await app.inject({ method: 'GET', url: '/health', headers: h.auth('viewer') });
      expect(operator.statusCode).toBe(503);
      expect(operator.json().dependencies.temporal).toMatchObject({ status: 'down', error: expect.any(String) });
      const bad = await app.inject({ method: 'GET', url: '/health', headers: { authorization: 'Bearer rcm_nope' } });
      expect(bad.json().dependencies.temporal).toEqual({ status: 'down' });
    } finally {
      await app.close();
      await deadTemporal.connection.close().catch(() => undefined);
    }
  });
});
