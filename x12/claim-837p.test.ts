import { describe, expect, it } from 'vitest';
import type { ClaimDocument } from '../domain/claim-document';
import { X12Error } from './errors';
import { SegmentWriter } from './build';
import { generate837P, type Generate837POptions } from './generate-837p';
import { parse837P, validate837P } from './parse-837p';

const base: Omit<Generate837POptions, 'controlNumbers' | 'payer'> = {
  sender: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC', contactName: 'BILLING DESK', phone: '5550100000' },
  receiver: { id: 'CLEARINGHOUSE', name: 'SYNTHETIC CLEARINGHOUSE' },
  billingProvider: {
    npi: '1234567893',
    name: 'TEST PAIN CLINIC',
    taxId: '999999999',
    address: { line1: '100 TEST STREET', city: 'TESTVILLE', state: 'TX', zip: '750010000' },
  },
  createdAt: '2026-03-01T14:05:00Z',
};
const payers = {
  COMMERCIAL: { id: 'SYNTH01', name: 'SYNTHETIC HEALTH PLAN' },
  MEDICARE: { id: 'SYNTHMCR', name: 'SYNTHETIC MEDICARE CONTRACTOR' },
  MEDICARE_ADVANTAGE: { id: 'SYNTHMA', name: 'SYNTHETIC ADVANTAGE PLAN' },
};

const claims: Record<string, ClaimDocument> = {
  bilateralTfesi: {
    claimId: 'TEST-TFESI-1', practiceId: 'practice-test', payerId: 'COMMERCIAL',
    coverage: { memberId: 'ZZTEST0001', priority: 'primary' },
    patient: { id: 'PAT-TEST-1', birthDate: '1961-04-12', sex: 'F' },
    renderingNpi: '1234567893', serviceDate: '2026-02-10', placeOfService: '24',
    diagnoses: ['M54.16', 'M51.16'],
    lines: [
      { cpt: '64483', modifiers: ['RT'], units: 1, chargeCents: 90000, diagnosisPointers: [1, 2] },
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1, 2] },
      { cpt: '64484', modifiers: ['RT'], units: 1, chargeCents: 40000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 40000, diagnosisPointers: [1] },
    ],
  },
  mbb: {
    claimId: 'TEST-MBB-1', practiceId: 'practice-test', payerId: 'MEDICARE',
    coverage: { memberId: 'ZZTEST0002', priority: 'primary' },
    patient: { id: 'PAT-TEST-2', birthDate: '1948-09-30', sex: 'M' },
    renderingNpi: '1234567893', serviceDate: '2026-01-15', placeOfService: '11',
    diagnoses: ['M47.816'],
    lines: [
      { cpt: '64493', modifiers: ['50'], units: 1, chargeCents: 120050, diagnosisPointers: [1] },
      { cpt: '64494', modifiers: ['50'], units: 1, chargeCents: 60025, diagnosisPointers: [1] },
    ],
  },
  rfaWithAuth: {
    claimId: 'TEST-RFA-1', practiceId: 'practice-test', payerId: 'MEDICARE_ADVANTAGE',
    coverage: { memberId: 'ZZTEST0003', priority: 'secondary' },
    patient: { id: 'PAT-TEST-3', birthDate: '1955-01-01', sex: 'U' },
    renderingNpi: '1234567893', serviceDate: '2026-02-20', placeOfService: '22',
    priorAuthNumber: 'PA-TEST-7781',
    diagnoses: ['M47.816', 'M54.50', 'G89.29'],
    lines: [
      { cpt: '64635', modifiers: ['RT'], units: 1, chargeCents: 210000, diagnosisPointers: [1, 2, 3] },
      { cpt: '64636', modifiers: ['RT'], units: 2, chargeCents: 150000, diagnosisPointers: [1, 2] },
    ],
    documentation: {
      procedures: [{ family: 'rfa', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'right', guidance: 'fluoroscopy' }],
    },
  },
  scsImplant: {
    claimId: 'TEST-SCS-1', practiceId: 'practice-test', payerId: 'COMMERCIAL',
    coverage: { memberId: 'ZZTEST0004', priority: 'primary' },
    patient: { id: 'PAT-TEST-4', birthDate: '1970-07-07', sex: 'F' },
    renderingNpi: '1234567893', serviceDate: '2026-03-02', placeOfService: '22',
    priorAuthNumber: 'PA-TEST-9001',
    diagnoses: ['G89.4', 'M96.1', 'M54.17', 'G89.29', 'M51.26'],
    lines: [
      { cpt: '63650', units: 2, chargeCents: 300000, diagnosisPointers: [1, 2, 3, 4] },
      { cpt: '63685', units: 1, chargeCents: 500000, diagnosisPointers: [1, 2] },
      { cpt: 'C1607', units: 1, chargeCents: 3500000, diagnosisPointers: [1] },
    ],
  },
};

function gen(c: ClaimDocument, extra: Partial<Generate837POptions> = {}): string {
  return generate837P(c, {
    ...base,
    payer: payers[c.payerId as keyof typeof payers],
    controlNumbers: { isa: 1001, gs: 2001, st: 1 },
    ...extra,
  });
}

describe('837P round trip', () => {
  for (const [name, claim] of Object.entries(claims)) {
    it(`${name}: generated 837P parses back to the same claim`, () => {
      const text = gen(claim);
      const [back] = parse837P(text, { practiceId: claim.practiceId, payerId: claim.payerId });
      const { documentation: _dropped, ...withoutDocs } = claim;
      expect(back.claim).toEqual(withoutDocs);
      expect(back.frequencyCode).toBe('1');
      expect(back.billingProviderNpi).toBe('1234567893');
    });
  }

  it('writes the expected segments for the bilateral TFESI', () => {
    const seg = gen(claims.bilateralTfesi).trim().split('\n');
    expect(seg[0]).toHaveLength(106);
    expect(seg[0]).toMatch(/^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*TESTPRACTICE   \*ZZ\*CLEARINGHOUSE  \*260301\*1405\*\^\*00501\*000001001\*0\*P\*:~$/);
    expect(seg).toContain('GS*HC*TESTPRACTICE*CLEARINGHOUSE*20260301*1405*2001*X*005010X222A1~');
    expect(seg).toContain('BHT*0019*00*TEST-TFESI-1*20260301*1405*CH~');
    expect(seg).toContain('SBR*P*18*******CI~');
    expect(seg).toContain('NM1*IL*1******MI*ZZTEST0001~');
    expect(seg).toContain('DMG*D8*19610412*F~');
    expect(seg).toContain('NM1*PR*2*SYNTHETIC HEALTH PLAN*****PI*SYNTH01~');
    expect(seg).toContain('CLM*TEST-TFESI-1*2600***24:B:1*Y*A*Y*Y~');
    expect(seg).toContain('HI*ABK:M5416*ABF:M5116~');
    expect(seg).toContain('SV1*HC:64483:LT*900*UN*1***1:2~');
    expect(seg).toContain('DTP*472*D8*20260210~');
    const st = seg.findIndex((s) => s.startsWith('ST*'));
    const se = seg.findIndex((s) => s.startsWith('SE*'));
    expect(seg[se]).toBe(`SE*${se - st + 1}*0001~`);
    expect(seg.slice(-2)).toEqual(['GE*1*2001~', 'IEA*1*000001001~']);
  });

  it('replacement claim (frequency 7) carries REF*F8 and round-trips it; 7 without it is refused', () => {
    const text = gen(claims.rfaWithAuth, { frequencyCode: '7', originalPayerClaimControlNumber: 'PAYERCCN0042' });
    expect(text).toContain('CLM*TEST-RFA-1*3600***22:B:7*Y*A*Y*Y~');
    expect(text).toContain('REF*G1*PA-TEST-7781~\nREF*F8*PAYERCCN0042~');
    expect(text).toContain('SBR*S*18*******16~');
    const [back] = parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICARE_ADVANTAGE' });
    expect(back).toMatchObject({ frequencyCode: '7', originalPayerClaimControlNumber: 'PAYERCCN0042' });
    expect(() => gen(claims.rfaWithAuth, { frequencyCode: '8' })).toThrow(X12Error);
    expect(() => gen(claims.rfaWithAuth, { frequencyCode: '8' })).toThrow(/\(REF\): frequency code 8 needs/);
  });

  it('uses subscriber and rendering names when the caller has them', () => {
    const text = gen(claims.mbb, {
      subscriber: { lastName: 'TESTPATIENT', firstName: 'ALPHA', address: { line1: '1 SYNTHETIC WAY', city: 'TESTVILLE', state: 'TX', zip: '75001' } },
      renderingProvider: { lastName: 'TESTDOCTOR', firstName: 'BETA' },
    });
    expect(text).toContain('NM1*IL*1*TESTPATIENT*ALPHA****MI*ZZTEST0002~\nN3*1 SYNTHETIC WAY~\nN4*TESTVILLE*TX*75001~');
    expect(text).toContain('NM1*82*1*TESTDOCTOR*BETA****XX*1234567893~');
    expect(parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICARE' })[0].claim.claimId).toBe('TEST-MBB-1');
  });

  it('refuses values that contain a delimiter: the claim schema names the field, the writer names the segment', () => {
    expect(() => gen({ ...claims.mbb, priorAuthNumber: 'PA*1' })).toThrow(/priorAuthNumber[\s\S]*X12 delimiter/);
    const w = new SegmentWriter();
    w.add('ST', '837', '0001');
    expect(() => w.add('REF', 'G1', 'PA*1')).toThrow(/segment \d+ \(REF\): REF02 contains an X12 delimiter .*value withheld/);
  });

  it('the structure check rejects a damaged 837P with the segment number', () => {
    const text = gen(claims.mbb);
    const swapped = text.replace(/(LX\*1~\n)(SV1[^\n]*\n)/, '$2$1');
    expect(() => validate837P(swapped)).toThrow(X12Error);
    expect(() => validate837P(swapped)).toThrow(/segment 22 \(SV1\): SV1 is not allowed in loop/);
    const badTotal = text.replace('CLM*TEST-MBB-1*1800.75', 'CLM*TEST-MBB-1*1800.70');
    expect(() => validate837P(badTotal)).toThrow(/\(CLM\): CLM02 .* is not the sum of the SV102/);
  });
});
