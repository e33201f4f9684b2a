/**
 * Issue 13: claim ids are unique per practice. demo-pain (A) and demo-north (B) both have claim
 * "<id>" (one id, shared by the two practices, unique to this file), for different patients. Each
 * practice's biller reads, lists and acts only on its own; an admin who sees both gets 409 without
 * `?practiceId=` and the right claim with it; an ERA paying B (N1*PE) posts to B's claim only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, type ClaimWorkflowState } from '../contracts/claim';
import { DEMO_PRACTICE_ID as A, SECOND_PRACTICE_ID as B, SECOND_PRACTICE_PROVIDERS } from '../db/seed';
import type { ClaimDocument } from '../domain/claim-document';
import type { Remittance } from '../domain/remittance';
import { generate835 } from '../x12';

let h: Harness;
const id = uniqueId('1001'); // the same claim id in both practices
const patientA = uniqueId('PT-A');
const patientB = uniqueId('PT-B');
let claimA: ClaimDocument;
let claimB: ClaimDocument;

const stateOf = (practiceId: string, claimId: string): Promise<ClaimWorkflowState> => h.client.workflow.getHandle(claimWorkflowId(practiceId, claimId)).query(claimStateQuery);
const get = (url: string, who: Parameters<Harness['auth']>[0]) => h.app.inject({ method: 'GET', url, headers: h.auth(who) });
const post = (url: string, who: Parameters<Harness['auth']>[0], payload: unknown) => h.app.inject({ method: 'POST', url, headers: h.auth(who), payload: payload as Record<string, unknown> });

beforeAll(async () => {
  h = await startHarness();
  claimA = tfesiClaim(id, { practiceId: A, patient: { id: patientA, birthDate: '1958-03-14', sex: 'F' } });
  claimB = tfesiClaim(id, { practiceId: B, renderingNpi: SECOND_PRACTICE_PROVIDERS[0].npi, patient: { id: patientB, birthDate: '1961-07-02', sex: 'M' }, lines: [{ cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 172500, diagnosisPointers: [1, 2] }] });
  h.simulator.behaveFor(id, { kind: 'silence' });
  const resA = await post('/api/claims', 'demoBiller', claimA);
  expect(resA.statusCode, resA.body).toBe(201);
  const resB = await post('/api/claims', 'northBiller', claimB);
  expect(resB.statusCode, resB.body).toBe(201);
  expect(resA.json()).toMatchObject({ claimId: id, practiceId: A, workflowId: `claim:${A}:${id}` });
  expect(resB.json()).toMatchObject({ claimId: id, practiceId: B, workflowId: `claim:${B}:${id}` });
  expect(resB.headers.location).toBe(`/api/claims/${id}?practiceId=${B}`);
  for (const p of [A, B]) await eventually(async () => ((await stateOf(p, id)).status === 'submitted' ? true : undefined), `${p} ${id} submitted`);
}, 120_000);
afterAll(async () => h?.close());

describe('claim ids unique per practice', () => {
  it('both practices hold the claim: two read-model rows, two workflows; a second create in the same practice is 409', async () => {
    const rows = await h.db('claims').where({ claim_id: id }).orderBy('practice_id').select('practice_id', 'workflow_id', 'billed_cents');
    expect(rows).toEqual([
      { practice_id: A, workflow_id: `claim:${A}:${id}`, billed_cents: 185000 },
      { practice_id: B, workflow_id: `claim:${B}:${id}`, billed_cents: 172500 },
    ].sort((x, y) => x.practice_id.localeCompare(y.practice_id)));
    const again = await post('/api/claims', 'demoBiller', claimA);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe(`claim ${id} already exists in practice ${A}`);
  });

  it("each practice's biller reads and lists only its own claim", async () => {
    const a = await get(`/api/claims/${id}`, 'demoBiller');
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toMatchObject({ claimId: id, practiceId: A, workflowId: `claim:${A}:${id}`, billedCents: 185000, claim: { patient: { id: patientA } } });
    const b = await get(`/api/claims/${id}`, 'northBiller');
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json()).toMatchObject({ claimId: id, practiceId: B, workflowId: `claim:${B}:${id}`, billedCents: 172500, claim: { patient: { id: patientB } } });
    // Each claim's timeline is its own (one charge entry each).
    expect(b.json().events.filter((e: { to: string }) => e.to === 'charge_entered')).toHaveLength(1);
    // Naming the other practice: as if it did not exist.
    expect((await get(`/api/claims/${id}?practiceId=${B}`, 'demoBiller')).statusCode).toBe(404);
    const listA = (await get('/api/claims?limit=500&status=submitted', 'demoBiller')).json().claims as Array<{ claimId: string; practiceId: string }>;
    expect(listA.filter((c) => c.claimId === id)).toEqual([expect.objectContaining({ practiceId: A })]);
    const listB = (await get('/api/claims?limit=500&status=submitted', 'northBiller')).json().claims as Array<{ claimId: string; practiceId: string }>;
    expect(listB.filter((c) => c.claimId === id)).toEqual([expect.objectContaining({ practiceId: B })]);
    const x12 = await get(`/api/claims/${id}/x12`, 'northBiller');
    expect(x12.statusCode).toBe(200);
    expect(x12.json().practiceId).toBe(B);
    expect(x12.json().documents.filter((d: { kind: string }) => d.kind === '837P')).toHaveLength(1);
  });

  it('an admin who sees both gets 409 naming the practices without practiceId, and the right claim with it', async () => {
    const res = await get(`/api/claims/${id}`, 'admin');
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toBe(`claim id ${id} exists in practices ${[A, B].sort().join(', ')}: add ?practiceId= to say which`);
    const b = await get(`/api/claims/${id}?practiceId=${B}`, 'admin');
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json()).toMatchObject({ practiceId: B, claim: { patient: { id: patientB } } });
    const a = await get(`/api/claims/${id}?practiceId=${A}`, 'admin');
    expect(a.json()).toMatchObject({ practiceId: A, claim: { patient: { id: patientA } } });
    const action = await post(`/api/claims/${id}/actions/submit-appeal`, 'admin', { appealReference: 'APL-1' });
    expect(action.statusCode).toBe(409);
    expect(action.json().message).toContain(`exists in practices ${[A, B].sort().join(', ')}`);
  });

  it("an action reaches only the caller's claim; another practice's claim is 403 naming it", async () => {
    const res = await post(`/api/claims/${id}/actions/request-write-off`, 'demoBiller', { amountCents: 1000, rationale: 'small balance' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ claimId: id, practiceId: A });
    expect((await stateOf(A, id)).writeOff).toMatchObject({ amountCents: 1000 });
    expect((await stateOf(B, id)).writeOff).toBeUndefined();
    expect(await h.db('write_off_requests').where({ claim_id: id }).select('practice_id', 'status')).toEqual([{ practice_id: A, status: 'pending' }]);
    // A claim id only demo-pain holds: demo-north's biller may not act on it.
    const onlyA = uniqueId('ONLY-A');
    expect((await post('/api/claims', 'demoBiller', tfesiClaim(onlyA, { patient: { id: patientA, birthDate: '1958-03-14', sex: 'F' } }))).statusCode).toBe(201);
    await eventually(async () => ((await h.db('claims').where({ claim_id: onlyA }).first('claim_id')) ? true : undefined), `${onlyA} recorded`);
    const refused = await post(`/api/claims/${onlyA}/actions/close`, 'northBiller', { reason: 'not ours' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain(`practice ${A}`);
    expect((await get(`/api/claims/${onlyA}`, 'northBiller')).statusCode).toBe(404);
  });

  it("the access log records each read with the claim's practice", async () => {
    const rows = await h.db('access_log').where({ entity_type: 'claim', entity_id: id, method: 'GET', status_code: 200 }).whereIn('user_name', ['test-demo-biller', 'test-north-biller']).distinct('user_name', 'practice_id', 'patient_id');
    expect(rows).toEqual(expect.arrayContaining([
      { user_name: 'test-demo-biller', practice_id: A, patient_id: patientA },
      { user_name: 'test-north-biller', practice_id: B, patient_id: patientB },
    ]));
    expect(rows.filter((r) => r.user_name === 'test-demo-biller' && r.practice_id === B)).toEqual([]);
  });

  it("an ERA paying demo-north (N1*PE) posts to demo-north's claim only", async () => {
    const payment = { ...h.simulator.claimPayment(claimB, 'MEDICARE', { kind: 'pay' }), payerClaimControlNumber: `ICN-${id}` };
    const r: Remittance = { payerId: 'MEDICARE', traceNumber: uniqueId('TRN'), totalPaidCents: payment.paidCents, paymentDate: utcToday(), adjudicationDate: utcToday(), claims: [payment], providerAdjustments: [] };
    const text = generate835(r, {
      sender: { id: 'SYNTHPAYER', name: 'Synthetic payer' },
      receiver: { id: 'DEMONORTH', name: 'Demo North' },
      payer: { name: 'SYNTHETIC MEDICARE', companyId: '1999999999', id: 'MEDICARE' },
      payee: { name: 'DEMO NORTH', npi: '1456789027' },
      controlNumbers: { isa: 611, gs: 611, st: 1 },
      createdAt: new Date().toISOString(),
    });
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('northBiller'), 'content-type': 'text/plain' }, payload: text });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().remittances[0]).toMatchObject({ payeePracticeId: B, matched: [id], unmatched: [], payeeMismatch: [] });
    await eventually(async () => ((await h.db('payments').where({ claim_id: id })).length ? true : undefined), `${B} ${id} posted`);
    await eventually(async () => (['paid', 'posted', 'closed', 'partially_paid'].includes((await stateOf(B, id)).status) ? true : undefined), `${B} ${id} paid`);
    expect(await h.db('payments').where({ claim_id: id }).distinct('practice_id')).toEqual([{ practice_id: B }]);
    expect(await h.db('remittance_claims').where({ claim_id: id }).select('practice_id', 'match_status')).toEqual([{ practice_id: B, match_status: 'matched' }]);
    expect((await stateOf(A, id)).status).toBe('submitted');
    const a = (await get(`/api/claims/${id}`, 'demoBiller')).json();
    expect(a.payments).toEqual([]);
    expect((await get(`/api/claims/${id}`, 'northBiller')).json().payments).toHaveLength(1);
  });

  it("a 277CA reaches the submitting practice's claim (found by the 837P's interchange control number), never the other's", async () => {
    const subs = await h.db('submissions').where({ claim_id: id }).orderBy('practice_id').select('practice_id', 'interchange_control_number', 'status');
    expect(subs.map((x) => x.practice_id).sort()).toEqual([A, B].sort());
    const icnA = Number(subs.find((x) => x.practice_id === A)!.interchange_control_number);
    const statusB = subs.find((x) => x.practice_id === B)!.status;
    // Without the interchange control number the id is ambiguous: nothing is signalled.
    await h.inbound.acknowledgement({ claimId: id, accepted: false, reasons: ['A7:21'], at: new Date().toISOString(), source: '277CA' });
    await h.inbound.acknowledgement({ claimId: id, interchangeControlNumber: icnA, accepted: true, reasons: [], at: new Date().toISOString(), source: '277CA' });
    await eventually(async () => ((await h.db('submissions').where({ practice_id: A, claim_id: id }).first('status')).status === 'accepted' ? true : undefined), `${A} ${id} acknowledged`);
    expect((await stateOf(A, id)).status).toBe('acknowledged');
    expect((await h.db('submissions').where({ practice_id: B, claim_id: id }).first('status')).status).toBe(statusB);
  });
});
