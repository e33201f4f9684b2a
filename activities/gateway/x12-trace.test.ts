/**
 * SUB-5 acknowledgements name the exact submission: the 837P carries our interchange control
 * number in REF*D9 and the clearinghouse echoes it in the 277CA, so a late primary 277CA can never
 * be applied to the secondary claim or a resubmission.
 */
import { describe, expect, it } from 'vitest';
import { generate277CA, generate837P, parse837P } from '../../x12';
import { ingestX12 } from '../../ingest/x12-inbound';
import type { Acknowledgement, InboundSink } from './types';
import { tfesiClaim } from '../../test/fixtures';

describe('277CA ↔ submission trace (REF*D9)', () => {
  it('the 837P carries the trace and still parses back to the claim', () => {
    const claim = tfesiClaim('TRACE-1');
    const x12 = generate837P(claim, {
      sender: { id: 'DEMOPAIN', name: 'DEMO PAIN', contactName: 'Billing', phone: '5555550100' },
      receiver: { id: 'CLEARINGHOUSE', name: 'Clearinghouse' },
      billingProvider: { npi: '1234567893', name: 'DEMO PAIN', taxId: '999999999', address: { line1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } },
      payer: { id: 'MEDICARE', name: 'MEDICARE' },
      controlNumbers: { isa: 4711, gs: 4711, st: 1 },
      createdAt: '2026-11-20T09:00:00Z',
      claimTraceNumber: '4711',
    });
    expect(x12).toMatch(/\bREF\*D9\*4711~/);
    expect(parse837P(x12, { practiceId: 'demo-pain' })[0].claim.claimId).toBe('TRACE-1');
  });

  it('a 277CA echoing REF*D9 is delivered with that interchange control number', async () => {
    const acks: Acknowledgement[] = [];
    const sink: InboundSink = { acknowledgement: async (a) => void acks.push(a), remittance: async () => undefined };
    const text = generate277CA(
      [{ claimId: 'TRACE-1', status: 'rejected', chargeCents: 185000, clearinghouseTraceNumber: '4711', statuses: [{ category: 'A7', code: '562' }] }],
      { sender: { id: 'CLEARINGHOUSE', name: 'Clearinghouse' }, receiver: { id: 'DEMOPAIN', name: 'DEMO PAIN' }, payer: { name: 'MEDICARE', id: 'MEDICARE' }, provider: { name: 'DEMO PAIN', npi: '1234567893' }, controlNumbers: { isa: 9, gs: 9, st: 1 }, createdAt: '2026-11-21T09:00:00Z' },
    );
    await ingestX12(text, sink, { source: 'test' });
    expect(acks).toEqual([expect.objectContaining({ claimId: 'TRACE-1', accepted: false, interchangeControlNumber: 4711, source: '277CA' })]);
  });
});
