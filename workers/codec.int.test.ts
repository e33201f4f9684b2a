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
    const handle = h.client.workflow.getHandle(`claim:${claimId}`);
    // plaintext through the codec-configured client
    const state = await handle.query(claimStateQuery);
    expect(state.claimId).toBe(claimId);

    // raw history as the server stores it, read with a client that has no codec
    const raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
    const history = await raw.workflow.getHandle(`claim:${claimId}`).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    expect(payload).toBeDefined();
    expect(Buffer.from(payload!.metadata!.encoding!).toString()).toBe(ENCODING);
    const stored = Buffer.from(payload!.data!).toString('latin1');
    for (const phi of [claim.coverage.memberId, claim.patient.birthDate, claim.patient.id]) {
      expect(stored).not.toContain(phi);
    }
    // the query result through the raw client cannot be read as JSON either
    await expect(raw.workflow.getHandle(`claim:${claimId}`).query(claimStateQuery)).rejects.toThrow();
    await raw.connection.close();
  });

  it('the /codec endpoint decodes for the Web UI origin on loopback and refuses others', async () => {
    const [encoded] = await h.app.codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"memberId":"X"}') }]);
    const wire = {
      payloads: [{
        metadata: Object.fromEntries(Object.entries(encoded.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(encoded.data!).toString('base64'),
      }],
    };
    const ok = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: 'http://localhost:8233' }, payload: wire, remoteAddress: '127.0.0.1' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(Buffer.from(ok.json().payloads[0].data, 'base64').toString()).toBe('{"memberId":"X"}');
    const otherOrigin = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: 'http://evil.example' }, payload: wire, remoteAddress: '127.0.0.1' });
    expect(otherOrigin.statusCode).toBe(401);
    const withToken = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: h.auth(), payload: wire, remoteAddress: '10.1.2.3' });
    expect(withToken.statusCode).toBe(200);
  });
});
