import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { X12Error } from './errors';
import { generate277CA, type ClaimAck277Input, type Generate277CAOptions } from './generate-277ca';
import { parse277CA } from './parse-277ca';

const opts: Generate277CAOptions = {
  sender: { id: 'CLEARINGHOUSE', name: 'CLEARINGHOUSE' },
  receiver: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC' },
  payer: { name: 'SYNTHETIC HEALTH PLAN', id: 'SYNTH01' },
  provider: { name: 'TEST PAIN CLINIC', npi: '1234567893', taxId: '999999999' },
  controlNumbers: { isa: 401, gs: 401, st: 1 },
  createdAt: '2026-03-05T09:00:00Z',
};

describe('generate277CA', () => {
  it('round trip: one accepted and one rejected claim read back with the same verdicts, statuses and references', () => {
    const claims: ClaimAck277Input[] = [
      { claimId: 'TEST-CLM-0002', status: 'accepted', chargeCents: 220000, statusDate: '2026-03-03', payerClaimControlNumber: 'PAYERCCN0002', clearinghouseTraceNumber: 'CHTRACE0002', serviceDate: '2026-02-10', patient: { memberId: 'ZZTEST0002', lastName: 'TESTPATIENT', firstName: 'ALPHA' } },
      { claimId: 'TEST-CLM-0008', status: 'rejected', statuses: [{ category: 'A7', code: '562', entity: '85' }], message: 'NPI invalid', chargeCents: 150000, statusDate: '2026-03-03', clearinghouseTraceNumber: 'CHTRACE0008', serviceDate: '2026-02-11' },
    ];
    const text = generate277CA(claims, opts);
    expect(parse277CA(text)).toEqual([
      {
        claimId: 'TEST-CLM-0002', status: 'accepted', statuses: [{ category: 'A2', code: '20', entity: 'PR' }],
        statusDate: '2026-03-03', actionCode: 'WQ', chargeCents: 220000, payerClaimControlNumber: 'PAYERCCN0002',
        clearinghouseTraceNumber: 'CHTRACE0002', segmentPosition: expect.any(Number),
      },
      {
        claimId: 'TEST-CLM-0008', status: 'rejected', statuses: [{ category: 'A7', code: '562', entity: '85' }],
        statusDate: '2026-03-03', actionCode: 'U', chargeCents: 150000, clearinghouseTraceNumber: 'CHTRACE0008',
        segmentPosition: expect.any(Number),
      },
    ]);
    expect(text).toContain('STC*A7:562:85*20260303*U*1500*****');
    expect(text).toMatch(/\*NPI invalid~/);
    expect(text.split('~\n')[0]).toHaveLength(105); // ISA fixed width (+ terminator = 106)
  });

  it('the hand-written 277CA fixture survives parse -> generate -> parse', () => {
    const parsed = parse277CA(readFileSync(join(__dirname, 'fixtures', '277ca-one-accepted-one-rejected.x12'), 'utf8'));
    const again = parse277CA(generate277CA(parsed.map((c) => ({ ...c, chargeCents: c.chargeCents ?? 0 })), opts));
    const strip = (xs: typeof parsed) => xs.map(({ segmentPosition: _p, ...rest }) => rest);
    expect(strip(again)).toEqual(strip(parsed));
  });

  it('more than three statuses spill into a second STC and still read back', () => {
    const statuses = [
      { category: 'A7', code: '562', entity: '85' },
      { category: 'A7', code: '128' },
      { category: 'A6', code: '21' },
      { category: 'A7', code: '164', entity: 'IL' },
    ];
    const [c] = parse277CA(generate277CA([{ claimId: 'C-1', status: 'rejected', statuses, chargeCents: 100 }], opts));
    expect(c.statuses).toEqual(statuses);
    expect(c.status).toBe('rejected');
    expect(c.statusDate).toBe('2026-03-05');
  });

  it('refuses a verdict its statuses contradict, and delimiter characters in values', () => {
    expect(() => generate277CA([{ claimId: 'C-1', status: 'accepted', statuses: [{ category: 'A7', code: '21' }], chargeCents: 1 }], opts)).toThrow(/accepted but its statuses say rejected/);
    expect(() => generate277CA([{ claimId: 'C*1', status: 'accepted', chargeCents: 1 }], opts)).toThrow(X12Error);
    expect(() => generate277CA([], opts)).toThrow(/at least one claim/);
  });

  it('message text is made delimiter-safe', () => {
    const text = generate277CA([{ claimId: 'C-1', status: 'rejected', message: 'bad*value~here:now\nx', chargeCents: 1 }], opts);
    expect(text).toMatch(/\*bad value here now x~/);
    expect(parse277CA(text)[0].status).toBe('rejected');
  });

  it('property: any accepted/rejected claim list round-trips', () => {
    const claim: fc.Arbitrary<ClaimAck277Input> = fc.record({
      claimId: fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,19}$/),
      rejected: fc.boolean(),
      chargeCents: fc.integer({ min: 0, max: 10_000_000 }),
      ccn: fc.option(fc.stringMatching(/^[A-Z0-9]{1,20}$/), { nil: undefined }),
    }).map(({ rejected, ccn, ...c }) => ({ ...c, status: rejected ? 'rejected' : 'accepted', payerClaimControlNumber: ccn }) as ClaimAck277Input);
    fc.assert(
      fc.property(fc.array(claim, { minLength: 1, maxLength: 8 }), (claims) => {
        const back = parse277CA(generate277CA(claims, opts));
        expect(back.map((c) => [c.claimId, c.status, c.chargeCents, c.payerClaimControlNumber])).toEqual(
          claims.map((c) => [c.claimId, c.status, c.chargeCents, c.status === 'accepted' ? c.payerClaimControlNumber : undefined]),
        );
      }),
    );
  });
});
