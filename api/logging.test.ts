import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { buildApp } from './app';

// No PHI in logs: the request log names the route, not the URL with the claim id in it.
describe('request logging', () => {
  it('logs the route pattern, never the claim id from the path', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(chunk.toString()); done(); } });
    const fake = {} as never;
    const app = await buildApp({ db: fake, temporal: fake, codec: fake, inbound: fake, config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' }, logger: { level: 'info', stream } });
    await app.inject({ method: 'GET', url: '/api/claims/PATIENT-ACCT-778899' }); // 401 before any lookup
    await app.close();
    const text = lines.join('');
    expect(text).toContain('/api/claims/:claimId');
    expect(text).not.toContain('PATIENT-ACCT-778899');
  });
});
