/**
 * Remittances post exactly once per claim payment (POST-1), whatever door they come through:
 * the idempotency key is what identifies the payment in the file (payer as the file names itself,
 * TRN02, CLP01 + CLP07 + occurrence), a payment whose payer is not the claim's is parked with a
 * work item, and a second transaction set reusing a TRN is posted, not dropped. Then a property
 * test: generated mutations of a valid 835 are either rejected whole with a segment position
 * (nothing stored) or posted exactly once, however often they are sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';
import type { Remittance } from '../domain/remittance';
import { generate835 } from '../x12';
import { x12Mutations, mutateX12 } from '../test/x12-mutations';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const today = () => new Date().toISOString().slice(0, 10);
/** A date of service 10 days ago: never "future", whatever day the suite runs. */
const recentDos = () => new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);

async function submittedClaim(prefix: string, overrides: Partial<ClaimDocument> = {}): Promise<ClaimDocument> {
  // A patient of its own: no earlier ESIs of a shared fixture patient trip AUTH-2 in the scrub.
  const claim = tfesiClaim(uniqueId(prefix), { serviceDate: recentDos(), patient: { id: uniqueId('PT'), birthDate: '1958-03-14', sex: 'F' }, ...overrides });
  h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
  await eventually(async () => ((await h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId)).query(claimStateQuery)).status === 'submitted' ? true : undefined), `${claim.claimId} submitted`);
  return claim;
}

function remittanceFor(claims: ClaimDocument[], payerId = 'MEDICARE', traceNumber = uniqueId('TRN')): Remittance {
  const payments = claims.map((c) => ({ ...h.simulator.claimPayment(c, payerId, { kind: 'pay' }), payerClaimControlNumber: `ICN-${c.claimId}` }));
  return { payerId, traceNumber, totalPaidCents: payments.reduce((s, p) => s + p.paidCents, 0), paymentDate: today(), adjudicationDate: today(), claims: payments, providerAdjustments: [] };
}
const as835 = (r: Remittance, ref2u = r.payerId) =>
  generate835(r, {
    sender: { id: 'SYNTHPAYER', name: 'Synthetic payer' },
    receiver: { id: 'DEMOPAIN', name: 'Demo Pain' },
    payer: { name: 'SYNTHETIC PAYER', companyId: '1999999999', id: ref2u },
    payee: { name: 'DEMO PAIN', npi: '1456789019' },
    controlNumbers: { isa: 601, gs: 601, st: 1 },
    createdAt: new Date().toISOString(),
  });
const post835 = (text: string, query = '') =>
  h.app.inject({ method: 'POST', url: `/api/remittances${query}`, headers: { ...h.auth('biller'), 'content-type': 'text/plain' }, payload: text });
const paymentRows = (claimId: string) => h.db('payments').where({ claim_id: claimId });

describe('POST-1: remittances post exactly once per claim payment', () => {
  it('the same 835 posted again under another ?payerId= posts nothing again (key: payer in the file + TRN + CLP01/CLP07)', async () => {
    const claim = await submittedClaim('IDEM');
    const text = as835(remittanceFor([claim]));
    const first = await post835(text);
    expect(first.statusCode, first.body).toBe(201);
    await eventually(async () => ((await paymentRows(claim.claimId)).length === 1 ? true : undefined), 'first payment posted');
    for (const payerId of ['COMMERCIAL', 'MEDICAID', 'MEDICARE']) {
      const again = await post835(text, `?payerId=${payerId}`);
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json().remittances[0]).toMatchObject({ duplicate: true, duplicatePayments: 1, matched: [] });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await paymentRows(claim.claimId)).toHaveLength(1);
    expect(await h.db('remittance_claims').where({ claim_id: claim.claimId })).toHaveLength(1);
  });

  it('an 835 from an unknown payer (REF*2U not ours, not mapped) is refused whole at N1*PR; nothing stored', async () => {
    const claim = await submittedClaim('UNKNOWN');
    const [before] = await h.db('remittance_claims').count<{ n: string }[]>('* as n');
    const res = await post835(as835(remittanceFor([claim], 'ACME-HEALTH')));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_x12', segmentId: 'N1', segmentPosition: expect.any(Number) });
    const [after] = await h.db('remittance_claims').count<{ n: string }[]>('* as n');
    expect(after.n).toBe(before.n);
    expect(await paymentRows(claim.claimId)).toHaveLength(0);
  });

  it('POST-1: a claim payment from a payer that is not the claim\'s payer is parked with a work item, never posted (835 and JSON)', async () => {
    for (const via of ['835', 'json'] as const) {
      const claim = await submittedClaim('MISMATCH'); // a MEDICARE claim
      const r = remittanceFor([claim], 'COMMERCIAL'); // paid by another of our payers
      const res = via === '835' ? await post835(as835(r)) : await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: r });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().remittances[0]).toMatchObject({ matched: [], unmatched: [], payerMismatch: [claim.claimId] });
      const parked = await h.db('remittance_claims').where({ claim_id: claim.claimId }).first();
      expect(parked.match_status).toBe('payer_mismatch');
      const item = await h.db('work_items').where({ kind: 'remittance_payer_mismatch' }).whereRaw(`detail->>'claimId' = ?`, [claim.claimId]).first();
      expect(item).toMatchObject({ rule_id: 'POST-1', status: 'open', practice_id: 'demo-pain', dollars_at_risk_cents: r.claims[0].paidCents });
      await new Promise((r2) => setTimeout(r2, 500));
      expect(await paymentRows(claim.claimId)).toHaveLength(0);
      expect((await h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId)).query(claimStateQuery)).status).toBe('submitted');
    }
  });

  it('a second transaction set reusing a TRN posts its own claim payments instead of being dropped as a duplicate', async () => {
    const [a, b] = [await submittedClaim('TRNA'), await submittedClaim('TRNB')];
    const trn = uniqueId('TRN');
    const first = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: remittanceFor([a], 'MEDICARE', trn) });
    expect(first.statusCode, first.body).toBe(201);
    const second = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: remittanceFor([a, b], 'MEDICARE', trn) });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().remittances[0]).toMatchObject({ duplicate: false, duplicatePayments: 1, matched: [b.claimId] });
    expect(second.json().remittances[0].remittanceKey).toBe(`MEDICARE:${trn}#2`);
    await eventually(async () => ((await paymentRows(b.claimId)).length === 1 ? true : undefined), 'b posted');
    await new Promise((r) => setTimeout(r, 300));
    expect(await paymentRows(a.claimId)).toHaveLength(1);
  });
});

describe('mutated 835s: rejected whole with a segment position, or posted exactly once', () => {
  it('POST-1: no partial posting and no duplicate payment over generated mutations of a valid 835', async () => {
    const claims = [await submittedClaim('MUT1'), await submittedClaim('MUT2')];
    const claimIds = claims.map((c) => c.claimId);
    const counts = { rejected: 0, postedNew: 0, duplicate: 0, rejectedWithPosition: 0, status: {} as Record<number, number> };
    // Nothing else ingests while this runs (the simulator is silent for these claims), so the
    // stored rows are this test's. Payments are written by the claim workflows asynchronously:
    // they are checked against the stored claim payments once everything has settled.
    const countRows = async () => {
      const [r] = await h.db('remittances').count<{ n: string }[]>('* as n');
      const [rc] = await h.db('remittance_claims').count<{ n: string }[]>('* as n');
      return { remittances: Number(r.n), remittanceClaims: Number(rc.n) };
    };
    await fc.assert(
      fc.asyncProperty(x12Mutations, async (mutations) => {
        const base = as835(remittanceFor(claims, 'MEDICARE', uniqueId('MUT')));
        const text = mutateX12(base, mutations);
        const before = await countRows();
        const res = await post835(text);
        counts.status[res.statusCode] = (counts.status[res.statusCode] ?? 0) + 1;
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode === 400) {
          counts.rejected++;
          const body = res.json();
          // Rejected whole: nothing stored for these claims.
          expect(await countRows()).toEqual(before);
          if (body.error === 'invalid_x12') {
            expect(body.segmentPosition, res.body).toEqual(expect.any(Number));
            expect(body.segmentId, res.body).toEqual(expect.any(String));
            counts.rejectedWithPosition++;
          }
          return;
        }
        expect([200, 201]).toContain(res.statusCode);
        if (res.json().remittances.some((r: { duplicate: boolean }) => !r.duplicate)) counts.postedNew++;
        // Sent again: posts nothing more.
        const storedAfterFirst = await countRows();
        const again = await post835(text);
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json().remittances.every((r: { duplicate: boolean }) => r.duplicate)).toBe(true);
        counts.duplicate++;
        expect((await countRows()).remittanceClaims).toBe(storedAfterFirst.remittanceClaims);
      }),
      { numRuns: 520 },
    );
    // Every stored claim payment reaches its claim's payments exactly once (the workflows post them).
    const matched = await h.db('remittance_claims').whereIn('claim_id', claimIds).whereIn('match_status', ['matched', 'claim_closed']);
    const settled = await eventually(async () => {
      const payments = await h.db('payments').whereIn('claim_id', claimIds);
      const parked = await h.db('remittance_claims').whereIn('claim_id', claimIds).where({ match_status: 'claim_closed' });
      return payments.length + parked.length >= matched.length ? payments : undefined;
    }, 'every matched claim payment posted or parked', 60_000);
    const byPayment = new Map<string, number>();
    for (const p of settled) byPayment.set(`${p.remittance_key}#${p.remittance_seq}`, (byPayment.get(`${p.remittance_key}#${p.remittance_seq}`) ?? 0) + 1);
    const duplicatePayments = [...byPayment.values()].filter((n) => n > 1).length;
    const keys = await h.db('remittance_claims').whereIn('claim_id', claimIds).select('payment_key');
    const duplicateKeys = keys.length - new Set(keys.map((k) => k.payment_key)).size;
    const parkedForClosedClaim = (await h.db('remittance_claims').whereIn('claim_id', claimIds).where({ match_status: 'claim_closed' })).length;
    console.log(
      `mutated-835 run: ${Object.values(counts.status).reduce((a, b) => a + b, 0)} files; by status ${JSON.stringify(counts.status)}; ` +
        `${counts.rejected} rejected whole (${counts.rejectedWithPosition} with segment position), ${counts.postedNew} posted new payments, ` +
        `${counts.duplicate} re-sent as duplicates; ${matched.length} matched claim payments → ${settled.length} payments rows + ${parkedForClosedClaim} parked (claim closed); ` +
        `partial postings 0; duplicate payments ${duplicatePayments}; duplicate payment keys ${duplicateKeys}`,
    );
    expect(duplicatePayments).toBe(0);
    expect(duplicateKeys).toBe(0);
  });
});
