/**
 * Issue 13: an ERA is matched only to the claims of the practice its payee identifies (N1*PE with
 * the practice's billing NPI, XX, or its tax id, FI). A claim payment for another practice's claim
 * is parked with a work item on the payee practice's worklist and never posted; the payee's own
 * claims post as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import { DEMO_PRACTICE_ID as A, SECOND_PRACTICE_ID as B, SECOND_PRACTICE_PROVIDERS } from '../db/seed';
import type { ClaimDocument } from '../domain/claim-document';
import type { Remittance } from '../domain/remittance';
import { generate835, parse835 } from '../x12';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const NORTH_NPI = '1456789027';
const NORTH_TAX_ID = '950000002';

async function submittedClaim(practiceId: string): Promise<ClaimDocument> {
  const claim = tfesiClaim(uniqueId(`PAYEE-${practiceId}`), {
    practiceId,
    patient: { id: uniqueId('PT'), birthDate: '1958-03-14', sex: 'F' },
    ...(practiceId === B ? { renderingNpi: SECOND_PRACTICE_PROVIDERS[0].npi } : {}),
  });
  h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('admin'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
  await eventually(async () => ((await h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId)).query(claimStateQuery)).status === 'submitted' ? true : undefined), `${claim.claimId} submitted`);
  return claim;
}

function remittanceFor(claims: ClaimDocument[], payee: Partial<Pick<Remittance, 'payeeNpi' | 'payeeTaxId'>>): Remittance {
  const payments = claims.map((c) => ({ ...h.simulator.claimPayment(c, 'MEDICARE', { kind: 'pay' }), payerClaimControlNumber: `ICN-${c.claimId}` }));
  return { payerId: 'MEDICARE', traceNumber: uniqueId('TRN'), totalPaidCents: payments.reduce((s, p) => s + p.paidCents, 0), paymentDate: utcToday(), adjudicationDate: utcToday(), claims: payments, providerAdjustments: [], ...payee };
}
const as835 = (r: Remittance) =>
  generate835(r, {
    sender: { id: 'SYNTHPAYER', name: 'Synthetic payer' },
    receiver: { id: 'DEMONORTH', name: 'Demo North' },
    payer: { name: 'SYNTHETIC MEDICARE', companyId: '1999999999', id: r.payerId },
    payee: { name: 'DEMO NORTH', npi: NORTH_NPI },
    controlNumbers: { isa: 601, gs: 601, st: 1 },
    createdAt: new Date().toISOString(),
  });

async function expectParkedAndPosted(res: Awaited<ReturnType<Harness['app']['inject']>>, theirs: ClaimDocument, own: ClaimDocument, paid: number) {
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().remittances[0]).toMatchObject({ payeePracticeId: B, matched: [own.claimId], payeeMismatch: [theirs.claimId], unmatched: [], payerMismatch: [] });
  expect((await h.db('remittance_claims').where({ claim_id: theirs.claimId }).first()).match_status).toBe('payee_mismatch');
  const item = await h.db('work_items').where({ kind: 'remittance_payee_mismatch' }).whereRaw(`detail->>'claimId' = ?`, [theirs.claimId]).first();
  expect(item).toMatchObject({ practice_id: B, rule_id: 'POST-1', status: 'open', dollars_at_risk_cents: paid });
  // The payee's own claim posts; the other practice's claim never does.
  await eventually(async () => ((await h.db('payments').where({ claim_id: own.claimId })).length ? true : undefined), `${own.claimId} posted`);
  await new Promise((r) => setTimeout(r, 500));
  expect(await h.db('payments').where({ claim_id: theirs.claimId })).toHaveLength(0);
  expect((await h.client.workflow.getHandle(claimWorkflowId(theirs.practiceId, theirs.claimId)).query(claimStateQuery)).status).toBe('submitted');
}

describe('ERAs post only to the payee practice', () => {
  it("an 835 paying demo-north (N1*PE XX its billing NPI): demo-pain's claim in it is parked with a work item, demo-north's posts", async () => {
    const theirs = await submittedClaim(A);
    const own = await submittedClaim(B);
    const r = remittanceFor([theirs, own], {});
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('admin'), 'content-type': 'text/plain' }, payload: as835(r) });
    await expectParkedAndPosted(res, theirs, own, r.claims[0].paidCents);
  });

  it('the payee named by tax id (N1*PE FI) identifies the practice the same way', async () => {
    const theirs = await submittedClaim(A);
    const own = await submittedClaim(B);
    const r = remittanceFor([theirs, own], {});
    const text = as835(r).replace(`N1*PE*DEMO NORTH*XX*${NORTH_NPI}`, `N1*PE*DEMO NORTH*FI*95-0000002`);
    expect(parse835(text)).toMatchObject({ payeeTaxId: NORTH_TAX_ID });
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('admin'), 'content-type': 'text/plain' }, payload: text });
    await expectParkedAndPosted(res, theirs, own, r.claims[0].paidCents);
  });

  it('a JSON remittance without a payee matches claims of any practice, as before', async () => {
    const claim = await submittedClaim(A);
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('admin'), payload: remittanceFor([claim], {}) });
    expect(res.json().remittances[0]).toMatchObject({ payeePracticeId: null, matched: [claim.claimId], payeeMismatch: [] });
  });
});
