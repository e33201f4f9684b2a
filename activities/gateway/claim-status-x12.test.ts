/**
 * AR-3 over X12: the payer simulator answers a status inquiry by reading a real 276 generated
 * from the request and answering with a real 277 that goes through parse277, so the claim
 * workflow's result comes from the real readers.
 */
import { describe, expect, it } from 'vitest';
import { generate837P, parse276, parse277 } from '../../x12';
import { PayerSimulator } from './simulator';
import { request276, resultFrom277 } from './claim-status-x12';
import { generate277 } from '../../x12/claim-status';
import { X12Error } from '../../x12/errors';
import { tfesiClaim } from '../../test/fixtures';
import type { ClaimSubmission } from './types';

const now = new Date('2026-11-20T09:00:00Z');

function submission(claimId: string): ClaimSubmission {
  const claim = tfesiClaim(claimId);
  const x12 = generate837P(claim, {
    sender: { id: 'DEMOPAIN', name: 'DEMO PAIN', contactName: 'Billing', phone: '5555550100' },
    receiver: { id: 'CLEARINGHOUSE', name: 'Clearinghouse' },
    billingProvider: { npi: '1234567893', name: 'DEMO PAIN', taxId: '999999999', address: { line1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } },
    payer: { id: 'MEDICARE', name: 'MEDICARE' },
    controlNumbers: { isa: 4711, gs: 4711, st: 1 },
    createdAt: now.toISOString(),
  });
  return { submissionId: 1, claim, coveragePriority: 'primary', payerId: 'MEDICARE', frequencyCode: '1', interchangeControlNumber: 4711, x12 };
}

describe('AR-3 status inquiry over 276/277 (simulator)', () => {
  it('AR-3: a submitted claim: the 276 names the claim (REF*EJ), member and charge; the 277 P1:20 maps to pending with the payer claim number', async () => {
    const sim = new PayerSimulator({ now: () => now });
    await sim.submitClaim(submission('AR3-1'));
    const r = await sim.statusInquiry({ claimId: 'AR3-1', payerId: 'MEDICARE', submittedAt: '2026-10-20T10:00:00Z' });
    expect(r).toEqual({
      category: 'pending',
      detail: '277 P1:20 pending: in process; payer claim SIM4711',
      checkedAt: now.toISOString(),
      statusCodes: ['P1:20'],
      payerClaimControlNumber: 'SIM4711',
    });
    const [asked] = parse276(sim.lastStatusExchange!.x276);
    expect(asked).toMatchObject({ traceNumber: 'AR3-1-20261020', patientAccountNumber: 'AR3-1', chargeCents: 185000, subscriber: { memberId: '1EG4TE5MK73' }, providerNpi: '1234567893' });
    expect(parse277(sim.lastStatusExchange!.x277)[0].traceNumber).toBe('AR3-1-20261020');
  });

  it('AR-3: a claim the payer never received: 277 A4:35 → not_found', async () => {
    const sim = new PayerSimulator({ now: () => now });
    const r = await sim.statusInquiry({ claimId: 'AR3-NONE', payerId: 'MEDICARE', submittedAt: '2026-10-20T10:00:00Z', memberId: 'M-1', providerNpi: '1234567893' });
    expect(r).toMatchObject({ category: 'not_found', statusCodes: ['A4:35'] });
    expect(r.payerClaimControlNumber).toBeUndefined();
  });

  it('AR-3: a scripted finalized answer (F1:65 with payment) is finalized with paid amount and check number', async () => {
    const sim = new PayerSimulator({ now: () => now });
    await sim.submitClaim(submission('AR3-2'));
    sim.statusFor('AR3-2', { statuses: [{ category: 'F1', code: '65' }], paidCents: 91234, adjudicationDate: '2026-11-15', checkNumber: 'EFT77', checkDate: '2026-11-18' });
    const r = await sim.statusInquiry({ claimId: 'AR3-2', payerId: 'MEDICARE', submittedAt: '2026-10-20T10:00:00Z' });
    expect(r).toMatchObject({ category: 'finalized', paidCents: 91234, adjudicationDate: '2026-11-15', checkNumber: 'EFT77', detail: expect.stringContaining('paid 912.34') });
  });

  it('no member id and no record: nothing can be sent, not_found says so', async () => {
    const sim = new PayerSimulator({ now: () => now });
    expect(await sim.statusInquiry({ claimId: 'X', payerId: 'MEDICARE', submittedAt: '' })).toMatchObject({ category: 'not_found', detail: expect.stringContaining('no 276 sent') });
  });

  it('a 277 answering another inquiry, or malformed, is refused with its segment', () => {
    const q = { claimId: 'C-1', payerId: 'MEDICARE', submittedAt: '2026-10-20T00:00:00Z', memberId: 'M1', providerNpi: '1234567893' };
    const parties = { payer: { name: 'MEDICARE', id: 'MEDICARE' }, receiver: { name: 'P', id: 'P' }, provider: { name: 'P', npi: '1234567893' } };
    const o = { sender: { id: 'MEDICARE', name: 'M' }, receiver: { id: 'P', name: 'P' }, controlNumbers: { isa: 1, gs: 1, st: 1 }, createdAt: now.toISOString() };
    const other = generate277(parties, [{ traceNumber: 'OTHER', patientAccountNumber: 'C-2', statuses: [{ category: 'P1', code: '20' }], subscriber: { memberId: 'M2' } }], o);
    expect(() => resultFrom277(other, q, now.toISOString())).toThrow(/segment 13 \(TRN\): the 277 answers trace OTHER, not this inquiry \(C-1-20261020\)/);
    const broken = other.replace('STC*P1:20', 'STC*P1');
    expect(() => resultFrom277(broken, q, now.toISOString())).toThrow(X12Error);
    expect(() => resultFrom277(broken, q, now.toISOString())).toThrow(/segment 14 \(STC\): STC01 has no status code/);
    expect(request276(q, o)).toMatch(/^TRN\*1\*C-1-20261020~$/m);
  });
});

describe('AR-3: a status inquiry that cannot be completed over X12', () => {
  it('a member id holding an X12 delimiter: no 276 is written, the result is pending naming the segment, not the value (no PHI, no retry loop)', async () => {
    const sim = new PayerSimulator({ now: () => now });
    const r = await sim.statusInquiry({ claimId: 'AR3-X', payerId: 'MEDICARE', submittedAt: '2026-10-20T10:00:00Z', memberId: 'M*1', providerNpi: '1234567893' });
    expect(r).toEqual({ category: 'pending', detail: expect.stringMatching(/^276\/277 status inquiry not completed: X12 CONTENT error at segment \d+ \(NM1\)$/), checkedAt: now.toISOString() });
    expect(sim.lastStatusExchange).toBeUndefined();
  });
});
