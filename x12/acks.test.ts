import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { X12Error } from './errors';
import { parse277CA } from './parse-277ca';
import { parse999 } from './parse-999';

const read = (f: string) => readFileSync(join(__dirname, 'fixtures', f), 'utf8');

describe('999', () => {
  it('accepted', () => {
    expect(parse999(read('999-accepted.x12'))).toEqual([
      {
        functionalIdCode: 'HC', groupControlNumber: '201', version: '005010X222A1', code: 'A', status: 'accepted',
        included: 1, received: 1, acceptedCount: 1, groupErrorCodes: [],
        transactions: [{ transactionSetId: '837', controlNumber: '0001', code: 'A', accepted: true, errorCodes: [], segmentErrors: [] }],
      },
    ]);
  });

  it('rejected, with the segment and element errors', () => {
    const [ack] = parse999(read('999-rejected.x12'));
    expect(ack).toMatchObject({ groupControlNumber: '202', code: 'R', status: 'rejected', acceptedCount: 0 });
    expect(ack.transactions).toEqual([
      {
        transactionSetId: '837', controlNumber: '0002', code: 'R', accepted: false, errorCodes: ['5'],
        segmentErrors: [
          { segmentId: 'NM1', position: 9, loopId: '2010AA', code: '8', elementErrors: [{ position: 9, elementReference: '67', code: '7', badValue: '12345' }] },
        ],
      },
    ]);
  });

  it('IK4 outside IK3 is a loop error', () => {
    const text = read('999-rejected.x12').replace('IK3*NM1*9*2010AA*8~\n', 'IK4*1*1*1~\n').replace('CTX*CLM01:TEST-CLM-0007~\n', 'CTX*X~\n');
    expect(() => parse999(text)).toThrow(/segment 6 \(IK4\): IK4 outside a 2100 loop/);
  });

  it('an 835 is not a 999', () => {
    expect(() => parse999(read('835-paid-in-full.x12'))).toThrow(X12Error);
  });
});

describe('277CA', () => {
  it('one accepted and one rejected claim, keyed by 2200D TRN02 (CLM01)', () => {
    expect(parse277CA(read('277ca-one-accepted-one-rejected.x12'))).toEqual([
      {
        claimId: 'TEST-CLM-0002', status: 'accepted', statuses: [{ category: 'A2', code: '20', entity: 'PR' }],
        statusDate: '2026-03-03', actionCode: 'WQ', chargeCents: 220000, payerClaimControlNumber: 'PAYERCCN0002',
        clearinghouseTraceNumber: 'CHTRACE0002', segmentPosition: 28,
      },
      {
        claimId: 'TEST-CLM-0008', status: 'rejected', statuses: [{ category: 'A7', code: '562', entity: '85' }],
        statusDate: '2026-03-03', actionCode: 'U', chargeCents: 150000, clearinghouseTraceNumber: 'CHTRACE0008',
        segmentPosition: 35,
      },
    ]);
  });

  it('a patient HL under the wrong parent is a loop error', () => {
    const text = read('277ca-one-accepted-one-rejected.x12').replace('HL*5*3*PT~', 'HL*5*2*PT~');
    expect(() => parse277CA(text)).toThrow(/segment 33 \(HL\): HL level PT must have a 19 parent, got 21/);
  });

  it('STC before the claim TRN is a loop error', () => {
    const text = read('277ca-one-accepted-one-rejected.x12').replace('TRN*2*TEST-CLM-0008~\nSTC*A7:562:85*20260303*U*1500~', 'STC*A7:562:85*20260303*U*1500~\nTRN*2*TEST-CLM-0008~');
    expect(() => parse277CA(text)).toThrow(/segment 35 \(STC\): STC before the claim TRN/);
  });
});
