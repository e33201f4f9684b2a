import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Remittance, type Adjustment, type ClaimPayment, type LinePayment } from '../domain/remittance';
import { X12Error } from './errors';
import { generate835, type Generate835Options } from './generate-835';
import { parse835, read835Stream } from './parse-835';

const opts: Generate835Options = {
  sender: { id: 'SYNTHPAYER', name: 'SYNTHETIC HEALTH PLAN' },
  receiver: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC' },
  payer: { name: 'SYNTHETIC HEALTH PLAN', companyId: '1999999999' },
  payee: { name: 'TEST PAIN CLINIC', npi: '1234567893' },
  controlNumbers: { isa: 7, gs: 7, st: 7 },
  createdAt: '2026-03-05T09:00:00Z',
};

describe('generate835', () => {
  it('every hand-written 835 fixture survives parse -> generate -> parse', () => {
    for (const f of ['835-paid-in-full.x12', '835-mpr-contractual-patient-resp.x12', '835-denials.x12', '835-reversal-correction-plb.x12']) {
      const r = parse835(readFileSync(join(__dirname, 'fixtures', f), 'utf8'));
      expect(parse835(generate835(r, opts)), f).toEqual(r);
    }
  });

  it('refuses a remittance that does not balance, naming the segment', () => {
    const r = parse835(readFileSync(join(__dirname, 'fixtures', '835-paid-in-full.x12'), 'utf8'));
    expect(() => generate835({ ...r, totalPaidCents: r.totalPaidCents + 1 }, opts)).toThrow(/segment 4 \(BPR\): totalPaidCents/);
    const bad = { ...r, claims: [{ ...r.claims[0], paidCents: 1 }], totalPaidCents: 1 };
    expect(() => generate835(bad, opts)).toThrow(X12Error);
  });
});

// ---- property: arbitrary balanced remittances round-trip ----
const code = fc.stringMatching(/^[A-Z0-9]{1,5}$/);
const id = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,19}$/);
const cents = fc.integer({ min: -5_000_000, max: 5_000_000 });
const date = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const adjustment: fc.Arbitrary<Adjustment> = fc.record(
  {
    group: fc.constantFrom('CO', 'PR', 'OA', 'PI', 'CR'),
    carc: code,
    amountCents: cents,
    quantity: fc.integer({ min: 1, max: 99 }),
  },
  { requiredKeys: ['group', 'carc', 'amountCents'] },
);
const line: fc.Arbitrary<LinePayment> = fc
  .record({
    lineNumber: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    cpt: fc.stringMatching(/^[A-Z0-9]{5}$/),
    modifiers: fc.array(fc.stringMatching(/^[A-Z0-9]{2}$/), { maxLength: 4 }),
    paidCents: cents,
    allowedCents: fc.option(cents, { nil: undefined }),
    units: fc.integer({ min: 1, max: 99 }),
    serviceDate: fc.option(date, { nil: undefined }),
    adjustments: fc.array(adjustment, { maxLength: 8 }),
    remarks: fc.array(fc.stringMatching(/^[A-Z]{1,2}[0-9]{1,3}$/), { maxLength: 3 }),
  })
  .map((l) => {
    const out: LinePayment = { ...l, chargedCents: l.paidCents + l.adjustments.reduce((s, a) => s + a.amountCents, 0) };
    if (out.lineNumber === undefined) delete out.lineNumber;
    if (out.allowedCents === undefined) delete out.allowedCents;
    if (out.serviceDate === undefined) delete out.serviceDate;
    return out;
  });
const claim: fc.Arbitrary<ClaimPayment> = fc
  .record({
    claimId: id,
    statusCode: fc.constantFrom('1', '2', '3', '4', '19', '20', '21', '22', '23', '25'),
    paidCents: cents,
    patientResponsibilityCents: cents,
    payerClaimControlNumber: fc.option(id, { nil: undefined }),
    adjustments: fc.array(adjustment, { maxLength: 7 }),
    remarks: fc.array(fc.stringMatching(/^[A-Z]{1,2}[0-9]{1,3}$/), { maxLength: 5 }),
    lines: fc.array(line, { maxLength: 4 }),
  })
  .map((c) => {
    const cas = c.adjustments.reduce((s, a) => s + a.amountCents, 0) + c.lines.reduce((s, l) => s + l.chargedCents - l.paidCents, 0);
    const out: ClaimPayment = { ...c, chargedCents: c.paidCents + cas };
    if (out.payerClaimControlNumber === undefined) delete out.payerClaimControlNumber;
    return out;
  });
const remittance: fc.Arbitrary<Remittance> = fc
  .record({
    payerId: fc.constantFrom('MEDICARE', 'COMMERCIAL', 'MEDICAID', 'SYNTH-PLAN'),
    traceNumber: id,
    paymentDate: date,
    adjudicationDate: date,
    claims: fc.array(claim, { maxLength: 6 }),
    providerAdjustments: fc.array(
      fc.record({ reasonCode: fc.constantFrom('L6', 'WO', 'FB', 'IR', '72'), reference: id, amountCents: cents }, { requiredKeys: ['reasonCode', 'amountCents'] }),
      { maxLength: 8 },
    ),
  })
  .map((r) => ({ ...r, totalPaidCents: r.claims.reduce((s, c) => s + c.paidCents, 0) - r.providerAdjustments.reduce((s, p) => s + p.amountCents, 0) }))
  .filter((r) => r.totalPaidCents >= 0);

describe('property: generate835 -> parse835 round-trips balanced remittances', () => {
  it('string parser', () => {
    fc.assert(
      fc.property(remittance, (r) => {
        expect(Remittance.parse(r)).toEqual(r);
        expect(parse835(generate835(r, opts))).toEqual({ ...r, payeeNpi: r.payeeNpi ?? opts.payee.npi });
      }),
      { numRuns: 300 },
    );
  });

  it('stream parser, arbitrary chunking', async () => {
    await fc.assert(
      fc.asyncProperty(remittance, fc.integer({ min: 1, max: 300 }), async (r, size) => {
        const text = generate835(r, opts);
        const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
        expect(await read835Stream(Readable.from(chunks))).toEqual([{ ...r, payeeNpi: r.payeeNpi ?? opts.payee.npi }]);
      }),
      { numRuns: 100 },
    );
  });
});
