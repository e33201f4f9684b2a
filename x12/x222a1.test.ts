/**
 * The X222A1 validation pass over generated 837Ps, and the round trip through our own parser with
 * master data (issue 14 "The 837P a clearinghouse accepts"): names, addresses, birth dates, the
 * patient loop 2000C/PAT, referring and rendering providers, line dates, anesthesia minutes and
 * several diagnosis pointers per line survive; every rule the pass implements catches a broken file
 * at the segment and element it names, without a value in the message.
 */
import { describe, expect, it } from 'vitest';
import type { ClaimDocument } from '../domain/claim-document';
import { generate837P, type Generate837POptions } from './generate-837p';
import { parse837P } from './parse-837p';
import { assertX222A1, describeFinding, validateX222A1 } from './x222a1';

const address = (line1: string, zip = '627011234') => ({ line1, city: 'SPRINGFIELD', state: 'IL', zip });

const options: Generate837POptions = {
  sender: { id: 'SUBM0001', name: 'SYNTHETIC PAIN ASSOCIATES', contactName: 'BILLING OFFICE', phone: '2175550100', email: 'billing@example.test' },
  receiver: { id: 'RECV0001', name: 'SYNTHETIC CLEARINGHOUSE' },
  billingProvider: { npi: '1456789019', name: 'SYNTHETIC PAIN ASSOCIATES', taxId: '990000001', address: address('100 DEMO WAY'), contact: { name: 'BILLING OFFICE', phone: '2175550100' } },
  payer: { id: 'CH-MCR-IL', name: 'SYNTHETIC MEDICARE CONTRACTOR' },
  controlNumbers: { isa: 4711, gs: 4711, st: 1 },
  createdAt: '2026-03-01T14:05:00Z',
  claimTraceNumber: '4711',
  subscriber: { lastName: 'SUBSCRIBER', firstName: 'SAM', middleName: 'Q', suffix: 'JR', address: { ...address('7 ELM ST', '62704'), line2: 'APT 2' }, birthDate: '1950-02-11', sex: 'M', groupNumber: 'GRP-77' },
  patient: { relationship: '01', lastName: 'SUBSCRIBER', firstName: 'PAT', address: address('7 ELM ST', '62704') },
  renderingProvider: { lastName: 'DEMO', firstName: 'AVERY' },
  referringProvider: { npi: '1987654328', lastName: 'SAMPLE', firstName: 'JORDAN' },
};

const claim: ClaimDocument = {
  claimId: 'RT-0001', practiceId: 'demo-pain', payerId: 'MEDICARE',
  coverage: { memberId: '1EG4TE5MK73', priority: 'primary' },
  patient: { id: 'PT-2001', birthDate: '1952-06-30', sex: 'F' },
  renderingNpi: '1234567893', serviceDate: '2026-02-10', placeOfService: '24',
  diagnoses: ['M54.16', 'M51.16', 'G89.29', 'M47.816'],
  lines: [
    { cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 185000, diagnosisPointers: [1, 2, 3, 4] },
    { cpt: '01937', units: 38, unitBasis: 'MJ', chargeCents: 42000, diagnosisPointers: [2, 1] },
    { cpt: '99214', modifiers: ['25'], units: 1, chargeCents: 21000, diagnosisPointers: [3], serviceDate: '2026-02-17' },
  ],
};

const lines = (x12: string) => x12.split('~\n').filter(Boolean);
/** Replace the first segment starting with `prefix` (undefined removes it); fixes nothing else. */
const mutate = (x12: string, prefix: string, next?: string) => {
  const segs = lines(x12);
  const i = segs.findIndex((s) => s.startsWith(prefix));
  if (i < 0) throw new Error(`no ${prefix}`);
  if (next === undefined) segs.splice(i, 1);
  else segs[i] = next;
  return segs.map((s) => `${s}~\n`).join('');
};
/** Keep SE01 right after a mutation that adds or removes a segment, so only the rule under test fires. */
const recount = (x12: string) => {
  const segs = lines(x12);
  const st = segs.findIndex((s) => s.startsWith('ST*'));
  const se = segs.findIndex((s) => s.startsWith('SE*'));
  segs[se] = `SE*${se - st + 1}*${segs[se].split('*')[2]}`;
  return segs.map((s) => `${s}~\n`).join('');
};

describe('X222A1 pass over a generated 837P built from master data', () => {
  const x12 = generate837P(claim, options);

  it('is valid: no finding', () => {
    expect(validateX222A1(x12)).toEqual([]);
    expect(() => assertX222A1(x12)).not.toThrow();
  });

  it('writes the parties a clearinghouse needs: 2010AA PER, SBR03, NM1*IL with name parts, N3/N4, DMG, 2000C/PAT/NM1*QC, NM1*DN, NM1*82, NM1*PR with the clearinghouse payer id', () => {
    const segs = lines(x12);
    expect(segs).toEqual(expect.arrayContaining([
      'NM1*85*2*SYNTHETIC PAIN ASSOCIATES*****XX*1456789019', 'N3*100 DEMO WAY', 'N4*SPRINGFIELD*IL*627011234', 'REF*EI*990000001', 'PER*IC*BILLING OFFICE*TE*2175550100',
      'HL*2*1*22*1', 'SBR*P**GRP-77******MB', 'NM1*IL*1*SUBSCRIBER*SAM*Q**JR*MI*1EG4TE5MK73', 'N3*7 ELM ST*APT 2', 'N4*SPRINGFIELD*IL*62704', 'DMG*D8*19500211*M',
      'NM1*PR*2*SYNTHETIC MEDICARE CONTRACTOR*****PI*CH-MCR-IL',
      'HL*3*2*23*0', 'PAT*01', 'NM1*QC*1*SUBSCRIBER*PAT', 'DMG*D8*19520630*F',
      'NM1*DN*1*SAMPLE*JORDAN****XX*1987654328', 'NM1*82*1*DEMO*AVERY****XX*1234567893',
      'SV1*HC:01937*420*MJ*38***2:1', 'SV1*HC:64483:50*1850*UN*1***1:2:3:4', 'DTP*472*D8*20260217',
    ]));
    // The patient loop comes before the claim; the referring provider (2310A) before the rendering one (2310B).
    const at = (s: string) => segs.indexOf(s);
    expect(at('PAT*01')).toBeLessThan(segs.findIndex((s) => s.startsWith('CLM*')));
    expect(at('NM1*DN*1*SAMPLE*JORDAN****XX*1987654328')).toBeLessThan(at('NM1*82*1*DEMO*AVERY****XX*1234567893'));
  });

  it('round-trips through our own 837P parser: names, addresses, birth dates, relationship, providers, line dates, minutes, pointers', () => {
    const [back] = parse837P(x12, { practiceId: 'demo-pain', payerId: 'MEDICARE' });
    expect(back.claim).toEqual({ ...claim, referringProvider: { npi: '1987654328', lastName: 'SAMPLE', firstName: 'JORDAN' } });
    expect(back.claim.lines.map((l) => [l.units, l.unitBasis ?? 'UN', l.diagnosisPointers, l.serviceDate ?? claim.serviceDate])).toEqual([
      [1, 'UN', [1, 2, 3, 4], '2026-02-10'],
      [38, 'MJ', [2, 1], '2026-02-10'],
      [1, 'UN', [3], '2026-02-17'],
    ]);
    expect(back.parties.subscriber).toEqual({ lastName: 'SUBSCRIBER', firstName: 'SAM', middleName: 'Q', suffix: 'JR', id: '1EG4TE5MK73', groupNumber: 'GRP-77', address: { line1: '7 ELM ST', line2: 'APT 2', city: 'SPRINGFIELD', state: 'IL', zip: '62704' }, birthDate: '1950-02-11', sex: 'M' });
    expect(back.parties.patient).toEqual({ lastName: 'SUBSCRIBER', firstName: 'PAT', relationship: '01', address: { line1: '7 ELM ST', city: 'SPRINGFIELD', state: 'IL', zip: '62704' }, birthDate: '1952-06-30', sex: 'F' });
    expect(back.parties.billingProvider).toMatchObject({ lastName: 'SYNTHETIC PAIN ASSOCIATES', id: '1456789019', taxId: '990000001', address: { line1: '100 DEMO WAY', zip: '627011234' }, contact: { name: 'BILLING OFFICE', phone: '2175550100' } });
    expect(back.parties.payer).toEqual({ lastName: 'SYNTHETIC MEDICARE CONTRACTOR', id: 'CH-MCR-IL' });
    expect(back.parties.renderingProvider).toEqual({ lastName: 'DEMO', firstName: 'AVERY', id: '1234567893' });
  });

  it('the patient as subscriber: no 2000C, SBR02 18, the subscriber DMG is the patient\'s; valid and round-trips', () => {
    const self = generate837P(claim, { ...options, patient: undefined, subscriber: { lastName: 'PATIENT', firstName: 'PAT', address: address('7 ELM ST', '62704') }, referringProvider: undefined });
    expect(validateX222A1(self)).toEqual([]);
    expect(self).toContain('HL*2*1*22*0~');
    expect(self).toContain('SBR*P*18*******MB~');
    expect(self).toContain('DMG*D8*19520630*F~');
    expect(self).not.toContain('~\nPAT*');
    const [back] = parse837P(self, { practiceId: 'demo-pain', payerId: 'MEDICARE' });
    expect(back.claim).toEqual(claim);
    expect(back.parties.patient).toBeUndefined();
    expect(back.parties.subscriber).toMatchObject({ lastName: 'PATIENT', firstName: 'PAT', birthDate: '1952-06-30', address: { line1: '7 ELM ST' } });
  });
});

describe('X222A1 pass over a secondary claim of a dependant (COB loops 2320/2330A/2330B/2430)', () => {
  it('is valid, 2320 SBR02 carries the relationship, and the prior payer round-trips', () => {
    const secondary: ClaimDocument = { ...claim, payerId: 'MEDICAID', coverage: { memberId: 'MCD-55', priority: 'secondary' } };
    const total = claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
    const x12 = generate837P(secondary, {
      ...options,
      payer: { id: 'CH-MCD-IL', name: 'SYNTHETIC MEDICAID' },
      otherPayer: {
        payerId: 'CH-MCR-IL', name: 'SYNTHETIC MEDICARE CONTRACTOR', memberId: '1EG4TE5MK73', priority: 'primary', claimFilingIndicator: 'MB', paidCents: 150000, adjudicationDate: '2026-03-20',
        claimAdjustments: [],
        lines: claim.lines.map((l, i) => ({ lineNumber: i + 1, cpt: l.cpt, modifiers: l.modifiers, units: l.units, paidCents: i === 0 ? 150000 : 0, adjustments: [{ group: 'CO' as const, carc: i === 0 ? '45' : '97', amountCents: i === 0 ? l.chargeCents - 150000 : l.chargeCents }] })),
      },
    });
    expect(validateX222A1(x12)).toEqual([]);
    expect(x12).toContain('SBR*P*01*******MB~');
    const [back] = parse837P(x12, { practiceId: 'demo-pain', payerId: 'MEDICAID' });
    expect(back.otherPayer).toMatchObject({ payerId: 'CH-MCR-IL', paidCents: 150000, priority: 'primary' });
    expect(back.parties.patient).toMatchObject({ relationship: '01', lastName: 'SUBSCRIBER' });
    expect(total).toBe(back.claim.lines.reduce((sum, l) => sum + l.chargeCents, 0));
  });
});

describe('X222A1 rules: each catches a broken 837P at the segment and element it names', () => {
  const x12 = generate837P(claim, options);
  const cases: Array<[string, string, RegExp]> = [
    ['SE01 count', mutate(x12, 'SE*', 'SE*99*0001'), /SE \(loop SE\) SE01: SE01 is not the number of segments/],
    ['SE02 control number', mutate(x12, 'SE*', `SE*${lines(x12).length - 4}*0002`), /SE02 is not ST02/],
    ['GE01 count', mutate(x12, 'GE*', 'GE*2*4711'), /GE01 is not the number of transaction sets/],
    ['billing provider without N3', recount(mutate(x12, 'N3*100 DEMO WAY')), /loop 2010AA has no N3 segment/],
    ['billing provider without REF*EI', recount(mutate(x12, 'REF*EI')), /loop 2010AA has no REF\*EI or REF\*SY segment/],
    ['billing provider 5-digit ZIP', mutate(x12, 'N4*SPRINGFIELD*IL*627011234', 'N4*SPRINGFIELD*IL*62701'), /2010AA\) N403: the billing provider ZIP must be the 9-digit ZIP\+4/],
    ['subscriber last name missing', mutate(x12, 'NM1*IL', 'NM1*IL*1******MI*1EG4TE5MK73'), /NM1 \(loop 2010BA\) NM103: required element missing/],
    ['last name longer than 60', mutate(x12, 'NM1*QC', `NM1*QC*1*${'X'.repeat(61)}*PAT`), /NM1 \(loop 2010CA\) NM103: length 61 outside 1–60/],
    ['REF02 longer than 50', mutate(x12, 'REF*EA', `REF*EA*${'9'.repeat(51)}`), /REF \(loop 2300\) REF02: length 51 outside 1–50/],
    ['HL04 says no child but 2000C follows', mutate(x12, 'HL*2*1*22*1', 'HL*2*1*22*0'), /HL04 says no child level follows but HL 3 is its child/],
    ['HL02 parent of the wrong level', mutate(x12, 'HL*3*2*23*0', 'HL*3*1*23*0'), /HL level 23 must have a level 22 parent/],
    ['HL01 out of sequence', mutate(x12, 'HL*3*2*23*0', 'HL*4*2*23*0'), /HL01 out of sequence \(expected 3\)/],
    ['SBR02 18 with a patient level', mutate(x12, 'SBR*P**GRP-77', 'SBR*P*18*GRP-77******MB'), /SBR02 must be empty when the patient is not the subscriber/],
    ['PAT01 self', mutate(x12, 'PAT*01', 'PAT*18'), /PAT01 is 18/],
    ['patient without DMG', recount(mutate(x12, 'DMG*D8*19520630')), /loop 2010CA has no DMG segment/],
    ['service line without DTP*472', recount(mutate(x12, 'DTP*472')), /loop 2400 has no DTP\*472 segment/],
    ['five diagnosis pointers', mutate(x12, 'SV1*HC:64483', 'SV1*HC:64483:50*1850*UN*1***1:2:3:4:1'), /SV107 holds 1–4 diagnosis pointers/],
    ['SV103 unit basis', mutate(x12, 'SV1*HC:01937', 'SV1*HC:01937*420*MN*38***2:1'), /SV103 must be UN \(units\) or MJ \(minutes\)/],
    ['rendering provider without NPI', mutate(x12, 'NM1*82', 'NM1*82*1*DEMO*AVERY'), /NM1 \(loop 2310\) NM108: NM108 must be XX/],
    ['CLM05 composite', mutate(x12, 'CLM*', 'CLM*RT-0001*2480***24:X:1*Y*A*Y*Y'), /CLM05 must be place of service/],
  ];
  for (const [name, broken, expected] of cases) {
    it(name, () => {
      const findings = validateX222A1(broken);
      expect(findings.length, name).toBeGreaterThan(0);
      expect(findings.map(describeFinding).join('\n')).toMatch(expected);
    });
  }

  it('a failure message names segment, loop and element, never a value', () => {
    const broken = mutate(x12, 'NM1*QC', `NM1*QC*1*${'SECRETNAME'.repeat(7)}*PAT`);
    let message = '';
    try {
      assertX222A1(broken);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^segment \d+ \(NM1\): X222A1: loop 2010CA NM103: length 70 outside 1–60$/);
    expect(message).not.toContain('SECRETNAME');
  });
});
