import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('POST /api/claims → claimWorkflow (vertical slice)', () => {
  it('201 starts claim:<claimId>, writes the read model, and GET answers from query + read model', async () => {
    const claimId = uniqueId('CLM');
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: tfesiClaim(claimId) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ claimId, workflowId: `claim:demo-pain:${claimId}`, status: 'charge_entered' });
    expect(res.headers.location).toBe(`/api/claims/${claimId}?practiceId=demo-pain`);

    const row = await waitFor(() => h.db('claims').where({ claim_id: claimId }).first(), 'claim row');
    expect(row.billed_cents).toBe(185000);
    expect(row.cpt_codes).toEqual(['64483']);

    const get = await h.app.inject({ method: 'GET', url: `/api/claims/${claimId}`, headers: h.auth() });
    expect(get.statusCode).toBe(200);
    const body = get.json();
    expect(body.claimId).toBe(claimId);
    expect(body.claim.lines[0].cpt).toBe('64483');
    expect(body.events[0]).toMatchObject({ to: 'charge_entered', actor: 'test-biller' });
  });

  it('409 when the claim already exists', async () => {
    const claimId = uniqueId('CLM');
    const first = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(claimId) });
    expect(first.statusCode).toBe(201);
    const again = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(claimId) });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain(claimId);
  });

  it('400 names the failing field paths', async () => {
    const bad = tfesiClaim(uniqueId('CLM'));
    (bad.lines[0] as { units: unknown }).units = 'two';
    bad.serviceDate = '2026-02-30';
    bad.lines[0].diagnosisPointers = [3];
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: bad });
    expect(res.statusCode).toBe(400);
    const paths = res.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['lines.0.units', 'serviceDate']));
  });

  it('400 names an unknown payer or practice', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(uniqueId('CLM'), { payerId: 'NOPE_PAYER' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ issues: [{ path: 'payerId' }] });
    expect(res.json().message).toContain('NOPE_PAYER');
    const res2 = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(uniqueId('CLM'), { practiceId: 'no-such-practice' }) });
    expect(res2.statusCode).toBe(400);
    expect(res2.json()).toMatchObject({ issues: [{ path: 'practiceId' }] });
  });

  it('404 for an unknown claim', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/claims/NEVER-SEEN', headers: h.auth() });
    expect(res.statusCode).toBe(404);
  });

  it('401 without a token or with a wrong one; /health needs none', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/claims' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/claims', headers: { authorization: 'Bearer rcm_wrong' } })).statusCode).toBe(401);
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', dependencies: { postgres: { status: 'ok' }, temporal: { status: 'ok' } } });
  });

  it('a viewer token reads but cannot change anything (403)', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/claims', headers: h.auth('viewer') })).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('viewer'), payload: tfesiClaim(uniqueId('CLM')) });
    expect(res.statusCode).toBe(403);
  });

  it('an action on a closed claim answers 409, not 404', async () => {
    const claimId = uniqueId('CLM');
    await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(claimId) });
    await waitFor(async () => ((await h.db('claims').where({ claim_id: claimId }).first())?.status === 'closed' ? true : undefined), 'claim closed', 300);
    await waitFor(async () => ((await h.client.workflow.getHandle(`claim:demo-pain:${claimId}`).describe()).status.name === 'COMPLETED' ? true : undefined), 'workflow completed', 300);
    const res = await h.app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/close`, headers: h.auth(), payload: { reason: 'again' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toContain('closed');
  });

  it('tokens are stored hashed, never in plain text', async () => {
    const rows = await h.db('api_tokens').select('token_hash');
    const hashes = rows.map((r) => r.token_hash);
    expect(hashes).not.toContain(h.tokens.admin);
    expect(hashes.every((x) => /^[0-9a-f]{64}$/.test(x))).toBe(true);
  });

  it('lists claims from the read model with filters', async () => {
    const claimId = uniqueId('CLM');
    await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(claimId, { payerId: 'COMMERCIAL' }) });
    await waitFor(() => h.db('claims').where({ claim_id: claimId }).first(), 'claim row');
    const res = await h.app.inject({ method: 'GET', url: '/api/claims?payerId=COMMERCIAL&practiceId=demo-pain', headers: h.auth() });
    expect(res.statusCode).toBe(200);
    const ids = res.json().claims.map((c: { claimId: string }) => c.claimId);
    expect(ids).toContain(claimId);
    expect(res.json().claims.every((c: { payerId: string }) => c.payerId === 'COMMERCIAL')).toBe(true);
  });
});

describe('OpenAPI', () => {
  it('GET /openapi.json is generated from the route schemas (ClaimDocument body, list filters)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const post = doc.paths['/api/claims'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['claimId', 'practiceId', 'payerId', 'lines', 'serviceDate']));
    expect(doc.paths['/api/claims'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['status', 'payerId', 'practiceId']));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/work-items', '/api/remittances', '/api/providers', '/api/authorizations', '/api/appointments']));
  });

  // Last in the file: it stops the worker.
  it('GET answers a closed claim from the read model, and an open one from the read model (within seconds) when no worker can answer its query', async () => {
    const closedId = uniqueId('RM');
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: tfesiClaim(closedId) })).statusCode).toBe(201);
    await waitFor(async () => ((await h.db('claims').where({ claim_id: closedId }).first())?.status === 'closed' ? true : undefined), 'claim closed', 300);
    const closed = (await h.app.inject({ method: 'GET', url: `/api/claims/${closedId}`, headers: h.auth() })).json();
    expect(closed).toMatchObject({ claimId: closedId, status: 'closed', liveState: 'read_model' });
    expect(closed.payments).toHaveLength(1);

    const openId = uniqueId('RM');
    h.simulator.behaveFor(openId, { kind: 'silence' });
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: tfesiClaim(openId) })).statusCode).toBe(201);
    await waitFor(async () => ((await h.db('claims').where({ claim_id: openId }).first())?.status === 'submitted' ? true : undefined), 'claim submitted', 300);
    const live = (await h.app.inject({ method: 'GET', url: `/api/claims/${openId}`, headers: h.auth() })).json();
    expect(live).toMatchObject({ status: 'submitted', liveState: 'live' });
    expect(live.timers.length).toBeGreaterThan(0);

    h.worker.shutdown();
    await waitFor(async () => (h.worker.getState() === 'STOPPED' ? true : undefined), 'worker stopped', 300);
    const fallback = await h.app.inject({ method: 'GET', url: `/api/claims/${openId}`, headers: h.auth() });
    expect(fallback.statusCode, fallback.body).toBe(200);
    expect(fallback.json()).toMatchObject({ claimId: openId, status: 'submitted', liveState: 'read_model' });
    expect(fallback.json().submissions).toHaveLength(1);
  });
});
