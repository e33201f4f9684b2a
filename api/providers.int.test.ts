/**
 * /api/providers through HTTP on the dev-server harness: POST starts `credential:<npi>` (201/409/400
 * naming the field), GET answers from the workflow query + read model (404), actions are Updates
 * (200 new state; 422 for a credential the provider does not hold). CRED-7: held claims are signalled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { addCalendarDays } from '../domain/business-days';
import { npiCheckDigit } from '../domain/npi';
import { credentialActivities } from '../activities/credentials';
import { tfesiClaim } from '../test/fixtures';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const today = () => new Date().toISOString().slice(0, 10);
let seq = Math.floor(Math.random() * 1e6);
function freshNpi(): string {
  const nine = `18${String(seq++ % 1e7).padStart(7, '0')}`;
  return `${nine}${npiCheckDigit(nine)}`;
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, tries = 100): Promise<Exclude<T, false>> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as Exclude<T, false>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function provider(npi: string, overrides: Record<string, unknown> = {}) {
  const t = today();
  return {
    npi,
    practiceId: 'demo-pain',
    name: 'Dr. Casey Example',
    specialty: 'pain_medicine',
    firstBillingDate: addCalendarDays(t, 100),
    credentials: {
      licenses: [{ state: 'IL', number: '036-555', issueDate: addCalendarDays(t, -400), expiryDate: addCalendarDays(t, 300) }],
      dea: { number: 'FE1234563', expiryDate: addCalendarDays(t, 500) },
      caqh: { caqhId: '11223344', lastAttestationDate: addCalendarDays(t, -10) },
      enrollments: [{ payerId: 'MEDICARE', effectiveDate: addCalendarDays(t, -200) }, { payerId: 'COMMERCIAL' }],
    },
    ...overrides,
  };
}

const post = (payload: unknown, role: 'admin' | 'biller' = 'admin') => h.app.inject({ method: 'POST', url: '/api/providers', headers: h.auth(role), payload: payload as object });
const action = (npi: string, name: string, payload: unknown) =>
  h.app.inject({ method: 'POST', url: `/api/providers/${npi}/actions/${name}`, headers: h.auth(), payload: payload as object });

describe('/api/providers → providerCredentialWorkflow', () => {
  it('201 starts credential:<npi>; GET shows items, statuses, next deadline and the read model', async () => {
    const npi = freshNpi();
    const res = await post(provider(npi));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ npi, workflowId: `credential:${npi}` });
    expect(res.headers.location).toBe(`/api/providers/${npi}`);

    await waitFor(async () => (await h.db('credentials').where({ npi })).length === 5 || undefined, 'credential rows');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body: any = await waitFor(async () => {
      const get = await h.app.inject({ method: 'GET', url: `/api/providers/${npi}`, headers: h.auth() });
      expect(get.statusCode).toBe(200);
      return get.json().nextDeadline ? get.json() : undefined;
    }, 'first pass of the workflow loop');
    expect(body.name).toBe('Dr. Casey Example');
    expect(body.status).toBe('pending'); // CRED-6: COMMERCIAL enrollment not yet effective
    const statusOf = (kind: string, payerId?: string) => body.readModel.find((c: { kind: string; payerId?: string }) => c.kind === kind && c.payerId === payerId)?.status;
    expect(statusOf('license')).toBe('active');
    expect(statusOf('enrollment', 'MEDICARE')).toBe('active');
    expect(statusOf('enrollment', 'COMMERCIAL')).toBe('pending');
    // CRED-6: billing in 100 days is inside the 120-day window: the enrollment work item is open now.
    expect(body.workItems).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'credential_enrollment', rule_id: 'CRED-6' })]));
    // Nearest: CRED-6 escalation 30 days before the first billing date (day 70), before the first
    // CAQH reminder (attested 10 days ago → due on day 110, reminder on day 95).
    expect(body.nextDeadline).toMatchObject({ ruleId: 'CRED-6', action: 'escalation', date: addCalendarDays(today(), 70) });
    expect(body.items.find((i: { key: string }) => i.key === 'caqh').expiryDate).toBe(addCalendarDays(today(), 110));

    const provRow = await h.db('providers').where({ npi }).first();
    expect(provRow).toMatchObject({ practice_id: 'demo-pain', name: 'Dr. Casey Example' });
  });

  it('409 when the provider is already credentialed', async () => {
    const npi = freshNpi();
    expect((await post(provider(npi))).statusCode).toBe(201);
    const again = await post(provider(npi));
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toContain(npi);
  });

  it('400 names the field: invalid NPI, expiry before issue, unknown payer, unknown practice, CAQH attestation in the future', async () => {
    const t = today();
    const pathsOf = (r: { json(): { issues?: Array<{ path: string }> } }) => (r.json().issues ?? []).map((i) => i.path);

    // The name goes into NM1*82 of every 837P of this provider: a delimiter would break them all.
    const delimited = await post(provider(freshNpi(), { name: 'Beta^Testdoctor' }));
    expect(delimited.statusCode).toBe(400);
    expect(pathsOf(delimited)).toEqual(['name']);

    const badNpi = await post(provider('1234567890'));
    expect(badNpi.statusCode).toBe(400);
    expect(pathsOf(badNpi)).toContain('npi');

    const p = provider(freshNpi());
    (p.credentials as { licenses: Array<{ expiryDate: string }> }).licenses[0].expiryDate = addCalendarDays(t, -500);
    const expiry = await post(p);
    expect(expiry.statusCode).toBe(400);
    expect(pathsOf(expiry)).toContain('credentials.licenses.0.expiryDate');

    const q = provider(freshNpi());
    (q.credentials as { enrollments: Array<{ payerId: string }> }).enrollments[1].payerId = 'NOPE_PAYER';
    const payer = await post(q);
    expect(payer.statusCode).toBe(400);
    expect(pathsOf(payer)).toEqual(['credentials.enrollments.1.payerId']);
    expect(payer.json().message).toContain('NOPE_PAYER');

    const practice = await post(provider(freshNpi(), { practiceId: 'no-such-practice' }));
    expect(practice.statusCode).toBe(400);
    expect(pathsOf(practice)).toEqual(['practiceId']);

    const r = provider(freshNpi());
    (r.credentials as { caqh: { lastAttestationDate: string } }).caqh.lastAttestationDate = addCalendarDays(t, 3);
    const caqh = await post(r);
    expect(caqh.statusCode).toBe(400);
    expect(pathsOf(caqh)).toEqual(['credentials.caqh.lastAttestationDate']);
  });

  it('404 for an unknown provider (GET and action)', async () => {
    const npi = freshNpi();
    expect((await h.app.inject({ method: 'GET', url: `/api/providers/${npi}`, headers: h.auth() })).statusCode).toBe(404);
    const act = await action(npi, 'record-caqh-attestation', { attestationDate: today() });
    expect(act.statusCode).toBe(404);
  });

  it('CRED-3 actions: 200 with the new state; 422 renewing a credential the provider does not have; 409 answering no notice', async () => {
    const npi = freshNpi();
    expect((await post(provider(npi))).statusCode).toBe(201);

    const malpractice = await action(npi, 'renew-credential', { kind: 'malpractice', expiryDate: addCalendarDays(today(), 365), documentRef: 'doc://coi' });
    expect(malpractice.statusCode).toBe(422);
    expect(malpractice.json().message).toMatch(/no Malpractice policy/);

    const texas = await action(npi, 'renew-credential', { kind: 'license', state: 'TX', expiryDate: addCalendarDays(today(), 900), documentRef: 'doc://tx' });
    expect(texas.statusCode).toBe(422);

    const newExpiry = addCalendarDays(today(), 1030);
    const renewed = await action(npi, 'renew-credential', { kind: 'dea', expiryDate: newExpiry, documentRef: 'doc://dea-2029' });
    expect(renewed.statusCode).toBe(200);
    const dea = renewed.json().state.items.find((i: { key: string }) => i.key === 'dea');
    expect(dea).toMatchObject({ expiryDate: newExpiry, status: 'active', documentRef: 'doc://dea-2029' });
    // The Update answers once the read model has it.
    expect((await h.db('credentials').where({ npi, kind: 'dea' }).first()).document_ref).toBe('doc://dea-2029');

    const notAfter = await action(npi, 'renew-credential', { kind: 'dea', expiryDate: newExpiry, documentRef: 'doc://again' });
    expect(notAfter.statusCode).toBe(422);

    const noNotice = await action(npi, 'answer-recredentialing-notice', { payerId: 'MEDICARE', answeredDate: today(), documentRef: 'doc://ans' });
    expect(noNotice.statusCode).toBe(409);

    const future = await action(npi, 'record-caqh-attestation', { attestationDate: addCalendarDays(today(), 2) });
    expect(future.statusCode).toBe(400);
    expect(future.json().issues[0].path).toBe('attestationDate');

    const notice = await action(npi, 'record-recredentialing-notice', { payerId: 'MEDICARE', receivedDate: today(), respondBy: addCalendarDays(today(), 30) });
    expect(notice.statusCode).toBe(200);
    const items = await waitFor(async () => {
      const rows = await h.db('work_items').where({ entity_type: 'provider', entity_id: npi, kind: 'credential_recredentialing_notice' });
      return rows.length ? rows : undefined;
    }, 'notice work item');
    expect(items[0]).toMatchObject({ rule_id: 'CRED-5' });
  });

  it('CRED-7 held claims of the provider are signalled credentialChanged', async () => {
    const claimId = uniqueId('CLM-CRED');
    const npi = '1234567893';
    // A payer that never answers: once submitted, the claim workflow writes no further status, so
    // the 'held' status set below stays put and the workflow is still running to receive the signal.
    h.simulator.behaveFor(claimId, { kind: 'silence' });
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth(), payload: tfesiClaim(claimId, { renderingNpi: npi }) });
    expect(res.statusCode).toBe(201);
    await waitFor(async () => {
      const row = await h.db('claims').where({ claim_id: claimId }).first('status');
      return row?.status === 'submitted' ? row : undefined;
    }, 'claim submitted', 200);
    await h.db('claims').where({ claim_id: claimId }).update({ status: 'held' });

    const result = await credentialActivities(h.db, h.client).signalHeldClaims({ npi, at: new Date().toISOString() });
    expect(result.signalled).toBeGreaterThanOrEqual(1);
    const signals = await waitFor(async () => {
      const history = await h.client.workflow.getHandle(`claim:demo-pain:${claimId}`).fetchHistory();
      const found = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'credentialChanged');
      return found.length ? found : undefined;
    }, 'credentialChanged in the claim history');
    expect(signals).toHaveLength(1);
    await h.db('claims').where({ claim_id: claimId }).update({ status: 'closed' });
    await h.client.workflow.getHandle(`claim:demo-pain:${claimId}`).terminate('test done');
  });
});
