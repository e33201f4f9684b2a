import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery } from '../contracts/claim';
import { ENCODING } from './codec';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('payload encryption (AES-GCM codec)', () => {
  it('the server-side history holds only ciphertext; the codec client reads plaintext', async () => {
    const claimId = uniqueId('CLM');
    const claim = tfesiClaim(claimId);
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: claim });
    expect(res.statusCode).toBe(201);
    const handle = h.client.workflow.getHandle(`claim:demo-pain:${claimId}`);
    // plaintext through the codec-configured client
    const state = await handle.query(claimStateQuery);
    expect(state.claimId).toBe(claimId);

    // raw history as the server stores it, read with a client that has no codec
    const raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const history = await raw.workflow.getHandle(`claim:demo-pain:${claimId}`).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    expect(payload).toBeDefined();
    expect(Buffer.from(payload!.metadata!.encoding!).toString()).toBe(ENCODING);
    const stored = Buffer.from(payload!.data!).toString('latin1');
    for (const phi of [claim.coverage.memberId, claim.patient.birthDate, claim.patient.id]) {
      expect(stored).not.toContain(phi);
    }
    // the query result through the raw client cannot be read as JSON either
    await expect(raw.workflow.getHandle(`claim:demo-pain:${claimId}`).query(claimStateQuery)).rejects.toThrow();
    await raw.connection.close();
  });

  it('/codec decrypts only for a token whose role may read PHI in every practice: no Origin or loopback exemption', async () => {
    const [encoded] = await h.app.codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"memberId":"X"}') }]);
    const wire = {
      payloads: [{
        metadata: Object.fromEntries(Object.entries(encoded.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(encoded.data!).toString('base64'),
      }],
    };
    const decode = (headers: Record<string, string>) => h.app.inject({ method: 'POST', url: '/codec/decode', headers, payload: wire, remoteAddress: '127.0.0.1' });
    // The Web UI's origin from loopback, without a token: refused (it used to be trusted).
    const uiWithoutToken = await decode({ origin: 'http://localhost:8233' });
    expect(uiWithoutToken.statusCode).toBe(401);
    expect(uiWithoutToken.body).not.toContain('memberId');
    // A token that may read PHI in every practice: plaintext, with CORS for the Web UI.
    const ok = await decode({ origin: 'http://localhost:8233', ...h.auth('admin') });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(Buffer.from(ok.json().payloads[0].data, 'base64').toString()).toBe('{"memberId":"X"}');
    expect((await decode(h.auth('viewer'))).statusCode).toBe(200); // viewer of every practice
    // A provider, or a biller of one practice, may not decrypt payloads of every practice.
    for (const who of ['provider', 'demoBiller'] as const) {
      const refused = await decode(h.auth(who));
      expect(refused.statusCode, who).toBe(403);
      expect(refused.body).not.toContain('memberId');
    }
    expect((await decode({ authorization: 'Bearer rcm_not-a-token' })).statusCode).toBe(401);
  });

  it('a browser signs in at /codec/session: an HttpOnly cookie for /codec, then the Web UI decodes with credentials', async () => {
    const [encoded] = await h.app.codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"birthDate":"1958-03-14"}') }]);
    const wire = { payloads: [{ metadata: Object.fromEntries(Object.entries(encoded.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(encoded.data!).toString('base64') }] };
    const page = await h.app.inject({ method: 'GET', url: '/codec/session' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="token"');
    const refused = await h.app.inject({ method: 'POST', url: '/codec/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${encodeURIComponent(h.tokens.provider)}` });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
    const signIn = await h.app.inject({ method: 'POST', url: '/codec/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${encodeURIComponent(h.tokens.admin)}` });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']);
    expect(cookie).toMatch(/^rcm_codec=[^;]+; Path=\/codec; HttpOnly; SameSite=Strict; Max-Age=28800/);
    const decoded = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: 'http://localhost:8233', cookie: cookie.split(';')[0] }, payload: wire });
    expect(decoded.statusCode).toBe(200);
    expect(Buffer.from(decoded.json().payloads[0].data, 'base64').toString()).toBe('{"birthDate":"1958-03-14"}');
  });
});
