import { describe, expect, it } from 'vitest';
import type { ClaimDocument } from '../domain/claim-document';
import { X12Error } from './errors';
import { generate837P, type Generate837POptions, type OtherPayer837P } from './generate-837p';
import { parse837P, validate837P } from './parse-837p';

// POST-6: a secondary claim to MEDICAID after MEDICARE adjudicated (coordination of benefits).

const base: Omit<Generate837POptions, 'payer'> = {
  sender: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC', contactName: 'BILLING DESK', phone: '5550100000' },
  receiver: { id: 'CLEARINGHOUSE', name: 'SYNTHETIC CLEARINGHOUSE' },
  billingProvider: {
    npi: '1234567893',
    name: 'TEST PAIN CLINIC',
    taxId: '999999999',
    address: { line1: '100 TEST STREET', city: 'TESTVILLE', state: 'TX', zip: '750010000' },
  },
  createdAt: '2026-03-01T14:05:00Z',
  controlNumbers: { isa: 1001, gs: 2001, st: 1 },
};
const medicaid = { id: 'SYNTHMCD', name: 'SYNTHETIC MEDICAID' };

const claim: ClaimDocument = {
  claimId: 'TEST-COB-1', practiceId: 'practice-test', payerId: 'MEDICAID',
  coverage: { memberId: 'MCD-555', priority: 'secondary' },
  patient: { id: 'PAT-TEST-9', birthDate: '1950-05-05', sex: 'F' },
  renderingNpi: '1234567893', serviceDate: '2026-02-10', placeOfService: '24',
  diagnoses: ['M54.16', 'M51.16'],
  lines: [
    { cpt: '64483', modifiers: ['RT'], units: 1, chargeCents: 90000, diagnosisPointers: [1, 2] },
    { cpt: '64484', modifiers: ['RT'], units: 1, chargeCents: 40000, diagnosisPointers: [1] },
    { cpt: '77003', units: 1, chargeCents: 15050, diagnosisPointers: [1] },
  ],
};

/** MEDICARE's 835 for the claim: two lines paid at 80% of allowed, the fluoroscopy line denied CO-50. */
const medicare: OtherPayer837P = {
  payerId: 'SYNTHMCR',
  name: 'SYNTHETIC MEDICARE CONTRACTOR',
  memberId: '1EG4TE5MK72',
  priority: 'primary',
  claimFilingIndicator: 'MB',
  paidCents: 43120, // 320 + 120 + 0 line paid, less the 8.80 claim-level sequestration
  adjudicationDate: '2026-02-27',
  claimAdjustments: [{ group: 'CO', carc: '253', amountCents: 880 }],
  lines: [
    {
      lineNumber: 1, cpt: '64483', modifiers: ['RT'], paidCents: 32000, units: 1,
      adjustments: [
        { group: 'CO', carc: '45', amountCents: 50000 },
        { group: 'PR', carc: '2', amountCents: 8000 },
      ],
    },
    {
      lineNumber: 2, cpt: '64484', modifiers: ['RT'], paidCents: 12000, units: 1,
      adjustments: [
        { group: 'CO', carc: '45', amountCents: 25000 },
        { group: 'PR', carc: '1', amountCents: 1000 },
        { group: 'PR', carc: '2', amountCents: 2000 },
      ],
    },
    {
      lineNumber: 3, cpt: '77003', paidCents: 0, units: 1,
      adjustments: [{ group: 'CO', carc: '50', amountCents: 15050, quantity: 1 }],
    },
  ],
};

function gen(extra: Partial<Generate837POptions> = {}, c: ClaimDocument = claim): string {
  return generate837P(c, { ...base, payer: medicaid, ...extra });
}
const segs = (text: string) => text.trim().split('\n').map((s) => s.replace(/~$/, ''));
const clone = <T>(v: T): T => structuredClone(v);

/** What generate837P wrote for `claim` before otherPayer existed (captured from the previous version). */
const BEFORE_PLAIN = `ISA*00*          *00*          *ZZ*TESTPRACTICE   *ZZ*CLEARINGHOUSE  *260301*1405*^*00501*000001001*0*P*:~
GS*HC*TESTPRACTICE*CLEARINGHOUSE*20260301*1405*2001*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*TEST-COB-1*20260301*1405*CH~
NM1*41*2*TEST PAIN CLINIC*****46*TESTPRACTICE~
PER*IC*BILLING DESK*TE*5550100000~
NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*CLEARINGHOUSE~
HL*1**20*1~
NM1*85*2*TEST PAIN CLINIC*****XX*1234567893~
N3*100 TEST STREET~
N4*TESTVILLE*TX*750010000~
REF*EI*999999999~
HL*2*1*22*0~
SBR*S*18*******MC~
NM1*IL*1******MI*MCD-555~
DMG*D8*19500505*F~
NM1*PR*2*SYNTHETIC MEDICAID*****PI*SYNTHMCD~
CLM*TEST-COB-1*1450.5***24:B:1*Y*A*Y*Y~
REF*EA*PAT-TEST-9~
HI*ABK:M5416*ABF:M5116~
NM1*82*1******XX*1234567893~
LX*1~
SV1*HC:64483:RT*900*UN*1***1:2~
DTP*472*D8*20260210~
REF*6R*1~
LX*2~
SV1*HC:64484:RT*400*UN*1***1~
DTP*472*D8*20260210~
REF*6R*2~
LX*3~
SV1*HC:77003*150.5*UN*1***1~
DTP*472*D8*20260210~
REF*6R*3~
SE*32*0001~
GE*1*2001~
IEA*1*000001001~
`;
/** Same, with names, address, taxonomy, a replacement frequency and an explicit filing indicator. */
const BEFORE_FULL = `ISA*00*          *00*          *ZZ*TESTPRACTICE   *ZZ*CLEARINGHOUSE  *260301*1405*^*00501*000001001*0*P*:~
GS*HC*TESTPRACTICE*CLEARINGHOUSE*20260301*1405*2001*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*TEST-COB-1*20260301*1405*CH~
NM1*41*2*TEST PAIN CLINIC*****46*TESTPRACTICE~
PER*IC*BILLING DESK*TE*5550100000~
NM1*40*2*SYNTHETIC CLEARINGHOUSE*****46*CLEARINGHOUSE~
HL*1**20*1~
NM1*85*2*TEST PAIN CLINIC*****XX*1234567893~
N3*100 TEST STREET~
N4*TESTVILLE*TX*750010000~
REF*EI*999999999~
HL*2*1*22*0~
SBR*S*18*******MC~
NM1*IL*1*TESTPATIENT*ALPHA****MI*MCD-555~
N3*1 SYNTHETIC WAY~
N4*TESTVILLE*TX*75001~
DMG*D8*19500505*F~
NM1*PR*2*SYNTHETIC MEDICAID*****PI*SYNTHMCD~
CLM*TEST-COB-1*1450.5***24:B:7*Y*A*Y*Y~
REF*F8*CCN-1~
REF*EA*PAT-TEST-9~
HI*ABK:M5416*ABF:M5116~
NM1*82*1*TESTDOCTOR*BETA****XX*1234567893~
PRV*PE*PXC*208VP0014X~
LX*1~
SV1*HC:64483:RT*900*UN*1***1:2~
DTP*472*D8*20260210~
REF*6R*1~
LX*2~
SV1*HC:64484:RT*400*UN*1***1~
DTP*472*D8*20260210~
REF*6R*2~
LX*3~
SV1*HC:77003*150.5*UN*1***1~
DTP*472*D8*20260210~
REF*6R*3~
SE*36*0001~
GE*1*2001~
IEA*1*000001001~
`;
const subscriber = { lastName: 'TESTPATIENT', firstName: 'ALPHA', address: { line1: '1 SYNTHETIC WAY', city: 'TESTVILLE', state: 'TX', zip: '75001' } };
const fullOpts: Partial<Generate837POptions> = {
  payer: { ...medicaid, claimFilingIndicator: 'MC' },
  subscriber,
  renderingProvider: { lastName: 'TESTDOCTOR', firstName: 'BETA', taxonomy: '208VP0014X' },
  frequencyCode: '7',
  originalPayerClaimControlNumber: 'CCN-1',
};

describe('837P coordination of benefits (otherPayer)', () => {
  it('secondary claim to MEDICAID after MEDICARE paid round-trips exactly', () => {
    const text = gen({ otherPayer: medicare });
    const parsed = parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICAID' });
    expect(parsed).toHaveLength(1);
    expect(parsed[0].claim).toStrictEqual(claim);
    expect(parsed[0].otherPayer).toStrictEqual(medicare);
    // And the parsed claim generates the same bytes again.
    expect(gen({ otherPayer: parsed[0].otherPayer }, parsed[0].claim)).toBe(text);
  });

  it('writes 2320 / 2330A / 2330B after 2310B and a 2430 inside each 2400, per 005010X222A1', () => {
    const s = segs(gen({ otherPayer: medicare }));
    const from = s.indexOf('NM1*82*1******XX*1234567893');
    expect(s.slice(from)).toEqual([
      'NM1*82*1******XX*1234567893', // 2310B
      'SBR*P*18*******MB', // 2320: the other payer's responsibility is P
      'CAS*CO*253*8.8',
      'AMT*D*431.2',
      'OI***Y***Y',
      'NM1*IL*1******MI*1EG4TE5MK72', // 2330A: no names in the ClaimDocument, like 2010BA
      'NM1*PR*2*SYNTHETIC MEDICARE CONTRACTOR*****PI*SYNTHMCR', // 2330B: no DTP (lines carry it)
      'LX*1',
      'SV1*HC:64483:RT*900*UN*1***1:2',
      'DTP*472*D8*20260210',
      'REF*6R*1',
      'SVD*SYNTHMCR*320*HC:64483:RT**1', // 2430
      'CAS*CO*45*500',
      'CAS*PR*2*80',
      'DTP*573*D8*20260227',
      'LX*2',
      'SV1*HC:64484:RT*400*UN*1***1',
      'DTP*472*D8*20260210',
      'REF*6R*2',
      'SVD*SYNTHMCR*120*HC:64484:RT**1',
      'CAS*CO*45*250',
      'CAS*PR*1*10**2*20', // one CAS per group code, several triplets
      'DTP*573*D8*20260227',
      'LX*3',
      'SV1*HC:77003*150.5*UN*1***1',
      'DTP*472*D8*20260210',
      'REF*6R*3',
      'SVD*SYNTHMCR*0*HC:77003**1',
      'CAS*CO*50*150.5*1',
      'DTP*573*D8*20260227',
      `SE*${s.length - 2 - s.indexOf('ST*837*0001*005010X222A1')}*0001`,
      'GE*1*2001',
      'IEA*1*000001001',
    ]);
    // 2000B: this claim is secondary; HL structure unchanged (2 HLs, no new level).
    expect(s.filter((x) => x.startsWith('HL*'))).toEqual(['HL*1**20*1', 'HL*2*1*22*0']);
    const sbr = s.filter((x) => x.startsWith('SBR*'));
    expect(sbr).toEqual(['SBR*S*18*******MC', 'SBR*P*18*******MB']);
    // Loop order: 2300 (CLM..HI) -> 2310B -> 2320 -> 2330A -> 2330B -> 2400 (-> 2430 in each).
    const at = (p: string) => s.findIndex((x) => x.startsWith(p));
    const order = ['CLM*', 'HI*', 'NM1*82*', 'SBR*P*', 'AMT*D*', 'OI*', 'NM1*IL*1******MI*1EG', 'NM1*PR*2*SYNTHETIC MEDICARE', 'LX*1', 'SVD*', 'LX*2'];
    const idx = order.map(at);
    expect(idx.every((v) => v >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    for (let i = 1; i <= 3; i++) {
      const lx = s.indexOf(`LX*${i}`);
      const next = i < 3 ? s.indexOf(`LX*${i + 1}`) : s.findIndex((x) => x.startsWith('SE*'));
      const block = s.slice(lx, next);
      expect(block.findIndex((x) => x.startsWith('SVD*'))).toBe(block.indexOf(`REF*6R*${i}`) + 1);
      expect(block[block.length - 1]).toBe('DTP*573*D8*20260227');
    }
    // No 2330B date when every line has its own, and no MOA without data.
    expect(s.filter((x) => x.startsWith('DTP*573'))).toHaveLength(3);
    expect(s.some((x) => x.startsWith('MOA'))).toBe(false);
  });

  it('sum check: for each line SV102 = SVD02 + its CAS; AMT*D = sum SVD02 - claim CAS', () => {
    const s = segs(gen({ otherPayer: medicare }));
    const cents = (v: string) => Math.round(Number(v) * 100);
    const casTotal = (seg: string) => {
      const e = seg.split('*');
      let t = 0;
      for (let i = 3; i < e.length; i += 3) t += cents(e[i]);
      return t;
    };
    let svdTotal = 0;
    let lines = 0;
    for (let i = 0; i < s.length; i++) {
      if (!s[i].startsWith('SV1*')) continue;
      const charged = cents(s[i].split('*')[2]);
      const svd = s.findIndex((x, j) => j > i && x.startsWith('SVD*'));
      const paid = cents(s[svd].split('*')[2]);
      let adj = 0;
      for (let j = svd + 1; s[j].startsWith('CAS*'); j++) adj += casTotal(s[j]);
      expect(paid + adj).toBe(charged);
      svdTotal += paid;
      lines++;
    }
    expect(lines).toBe(3);
    const claimCas = s.slice(s.indexOf('SBR*P*18*******MB'), s.indexOf('AMT*D*431.2')).filter((x) => x.startsWith('CAS*')).reduce((t, x) => t + casTotal(x), 0);
    expect(svdTotal - claimCas).toBe(43120);
    // The same rules are enforced: an unbalanced line is refused at its SVD, an unbalanced AMT*D at the AMT.
    const badLine = clone(medicare);
    badLine.lines[1].paidCents = 12100;
    badLine.paidCents = 43220;
    expect(() => gen({ otherPayer: badLine })).toThrow(/segment 40 \(SVD\): line 2 does not balance for other payer SYNTHMCR: SV102 400 is not SVD02 121 \+ CAS 280/);
    const badPaid = { ...clone(medicare), paidCents: 44000 };
    const err = catchX12(() => gen({ otherPayer: badPaid }));
    expect(err).toMatchObject({ segmentId: 'AMT', segmentPosition: 24, code: 'BALANCE' });
    expect(err.reason).toMatch(/AMT\*D 440 is not the SVD02 total 440 minus claim CAS 8\.8/);
  });

  it('refuses an otherPayer line that is not a claim line, naming the position and segment', () => {
    const bad = clone(medicare);
    bad.lines[2].lineNumber = 4;
    const err = catchX12(() => gen({ otherPayer: bad }));
    // Segment 22 is where the 2320 SBR would go (right after the 2310B NM1*82 at 21).
    expect(err).toMatchObject({ segmentPosition: 22, segmentId: 'SVD', code: 'CONTENT' });
    expect(err.message).toBe(
      'segment 22 (SVD): otherPayer.lines[2].lineNumber 4 is not a service line of claim TEST-COB-1 (LX 1..3); its 2430 SVD has no 2400 loop',
    );
    bad.lines[2].lineNumber = 0;
    expect(() => gen({ otherPayer: bad })).toThrow(/segment 22 \(SVD\): otherPayer\.lines\[2\]\.lineNumber 0 is not a service line/);
    bad.lines[2].lineNumber = 1.5;
    expect(() => gen({ otherPayer: bad })).toThrow(X12Error);
    const unordered = clone(medicare);
    unordered.lines.reverse();
    expect(() => gen({ otherPayer: unordered })).toThrow(/segment 22 \(SVD\): otherPayer\.lines\[1\]\.lineNumber 2 is out of claim line order/);
  });

  it('without otherPayer the output is byte-identical to the previous generator', () => {
    expect(gen()).toBe(BEFORE_PLAIN);
    expect(gen(fullOpts)).toBe(BEFORE_FULL);
    expect(gen({ otherPayer: undefined })).toBe(BEFORE_PLAIN);
    expect(parse837P(BEFORE_PLAIN, { practiceId: 'practice-test', payerId: 'MEDICAID' })[0]).not.toHaveProperty('otherPayer');
  });

  it('2330A follows 2010BA: subscriber names and address when the caller has them', () => {
    const text = gen({ ...fullOpts, otherPayer: medicare });
    expect(text).toContain('OI***Y***Y~\nNM1*IL*1*TESTPATIENT*ALPHA****MI*1EG4TE5MK72~\nN3*1 SYNTHETIC WAY~\nN4*TESTVILLE*TX*75001~\nNM1*PR*2*SYNTHETIC MEDICARE CONTRACTOR*****PI*SYNTHMCR~\nLX*1~');
    expect(text).toContain('PRV*PE*PXC*208VP0014X~\nSBR*P*18*******MB~');
    const [back] = parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICAID' });
    expect(back.otherPayer).toStrictEqual(medicare);
    expect(back.frequencyCode).toBe('7');
  });

  it('claim-level adjudication only (no lines): 2330B carries DTP*573; filing indicator defaults from the payer id', () => {
    const claimOnly: OtherPayer837P = {
      payerId: 'MEDICARE', name: 'SYNTHETIC MEDICARE', memberId: '1EG4TE5MK72', priority: 'primary',
      paidCents: 100000, adjudicationDate: '2026-02-27',
      claimAdjustments: [{ group: 'CO', carc: '45', amountCents: 40000 }, { group: 'PR', carc: '2', amountCents: 5050 }],
      lines: [],
    };
    const text = gen({ otherPayer: claimOnly });
    expect(text).toContain('SBR*P*18*******MB~\nCAS*CO*45*400~\nCAS*PR*2*50.5~\nAMT*D*1000~\nOI***Y***Y~');
    expect(text).toContain('NM1*PR*2*SYNTHETIC MEDICARE*****PI*MEDICARE~\nDTP*573*D8*20260227~\nLX*1~');
    expect(text).not.toContain('SVD*');
    const [back] = parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICAID' });
    expect(back.otherPayer).toStrictEqual({ ...claimOnly, claimFilingIndicator: 'MB' });
    // CLM02 1450.50 = AMT*D 1000 + claim CAS 450.50, else refused.
    expect(() => gen({ otherPayer: { ...claimOnly, paidCents: 99999 } })).toThrow(/\(AMT\): AMT\*D 999\.99 is not CLM02 1450\.5 minus claim CAS 450\.5/);
  });

  it('the claim priority must follow the other payer: primary paid -> this claim is secondary (SBR01 S)', () => {
    const primaryClaim: ClaimDocument = { ...claim, coverage: { memberId: 'MCD-555', priority: 'primary' } };
    expect(() => gen({ otherPayer: medicare }, primaryClaim)).toThrow(
      'segment 14 (SBR): otherPayer.priority primary makes this claim SBR01 S, but coverage.priority is primary (SBR01 P)',
    );
    const tertiary: ClaimDocument = { ...claim, coverage: { memberId: 'MCD-555', priority: 'tertiary' } };
    const text = gen({ otherPayer: { ...medicare, priority: 'secondary' } }, tertiary);
    expect(text).toContain('SBR*T*18*******MC~');
    expect(text).toContain('NM1*82*1******XX*1234567893~\nSBR*S*18*******MB~');
    expect(parse837P(text, { practiceId: 'practice-test', payerId: 'MEDICAID' })[0].otherPayer?.priority).toBe('secondary');
  });

  it('refuses otherPayer values the 837P cannot carry', () => {
    const tooMany = clone(medicare);
    tooMany.claimAdjustments = Array.from({ length: 7 }, () => ({ group: 'CO' as const, carc: '45', amountCents: 0 }));
    expect(() => gen({ otherPayer: tooMany })).toThrow(/segment 22 \(CAS\): otherPayer\.claimAdjustments: more than 6 CO adjustments/);
    expect(() => gen({ otherPayer: { ...medicare, adjudicationDate: '2026-02-30' } })).toThrow(/segment 22 \(DTP\): otherPayer\.adjudicationDate "2026-02-30"/);
    expect(() => gen({ otherPayer: { ...medicare, paidCents: 431.2 } })).toThrow(/segment 22 \(AMT\): otherPayer\.paidCents 431\.2 is not integer cents/);
    expect(() => gen({ otherPayer: { ...medicare, memberId: '' } })).toThrow(/segment 22 \(NM1\): otherPayer\.memberId is empty/);
    expect(() => gen({ otherPayer: { ...medicare, name: 'A*B' } })).toThrow(/\(NM1\): NM103 contains an X12 delimiter .*value withheld/);
    const badGroup = clone(medicare);
    (badGroup.lines[0].adjustments[0] as { group: string }).group = 'XX';
    expect(() => gen({ otherPayer: badGroup })).toThrow(/\(CAS\): otherPayer\.lines\[0\]\.adjustments\[0\]\.group "XX"/);
  });

  it('the structure check rejects misplaced or incomplete COB loops with the segment number', () => {
    const text = gen({ otherPayer: medicare });
    const s = text.split('\n');
    const move = (from: number, count: number, to: number) => {
      const copy = [...s];
      const block = copy.splice(from, count);
      copy.splice(to - (to > from ? count : 0), 0, ...block);
      return copy.join('\n');
    };
    const sbr = s.indexOf('SBR*P*18*******MB~');
    const lx1 = s.indexOf('LX*1~');
    // 2320..2330B moved after the first 2400: SBR is not allowed inside a service line.
    expect(() => validate837P(move(sbr, lx1 - sbr, lx1 + 4))).toThrow(/\(SBR\): SBR is not allowed in loop 2400/);
    // OI before CAS: segment order inside 2320.
    expect(() => validate837P(text.replace('CAS*CO*253*8.8~\nAMT*D*431.2~\nOI***Y***Y~', 'OI***Y***Y~\nCAS*CO*253*8.8~\nAMT*D*431.2~'))).toThrow(
      /segment 24 \(CAS\): CAS after OI in loop 2320/,
    );
    // 2330B before 2330A.
    expect(() => validate837P(text.replace(/(NM1\*IL\*1[^\n]*\n)(NM1\*PR[^\n]*\n)/, '$2$1'))).toThrow(/\(NM1\): NM1\*PR is not allowed in loop 2320/);
    // OI is required.
    expect(() => validate837P(reseal(text.replace('OI***Y***Y~\n', '')))).toThrow(/segment 22 \(SBR\): loop 2320 has no OI segment/);
    // SVD01 must name the 2330B payer.
    expect(() => validate837P(text.replace('SVD*SYNTHMCR*0*', 'SVD*OTHER*0*'))).toThrow(/\(SVD\): SVD01 "OTHER" is not the id of an other payer/);
    // 2430 needs its adjudication date.
    expect(() => validate837P(reseal(text.replace('CAS*CO*50*150.5*1~\nDTP*573*D8*20260227~\n', 'CAS*CO*50*150.5*1~\n')))).toThrow(
      /\(SVD\): loop 2430 has no DTP\*573 adjudication date/,
    );
    // A damaged CAS amount no longer balances.
    expect(() => validate837P(text.replace('CAS*PR*2*80~', 'CAS*PR*2*81~'))).toThrow(/\(SVD\): line 1 does not balance/);
    // SE still counts the new segments.
    expect(() => validate837P(text.replace(/\nSE\*(\d+)\*/, (_m, n) => `\nSE*${Number(n) - 1}*`))).toThrow(/\(SE\): SE01 says/);
  });
});

/** Re-count SE01 after a test removed or added segments. */
function reseal(text: string): string {
  const lines = text.trim().split('\n');
  const st = lines.findIndex((x) => x.startsWith('ST*'));
  const se = lines.findIndex((x) => x.startsWith('SE*'));
  lines[se] = lines[se].replace(/^SE\*\d+\*/, `SE*${se - st + 1}*`);
  return lines.join('\n') + '\n';
}

function catchX12(fn: () => unknown): X12Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12Error) return e;
    throw e;
  }
  throw new Error('expected an X12Error');
}
