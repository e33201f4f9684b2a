/**
 * Issue 14 (reading): the X12 readers against public 5010 sample files from open-source X12
 * projects (x12/fixtures/public, sources and licences in its README.md). Each defect the issue
 * lists has a test here on a public file, or on a public file changed in memory in the one way
 * the test says (when no public sample carries that case).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaimDocument } from '../domain/claim-document';
import { payerResolver } from '../db/payer-identifiers';
import { X12Error } from './errors';
import { generate837P, type Generate837POptions } from './generate-837p';
import { claimIdFromClm01, parse837P, read837P } from './parse-837p';
import { parse835, parse835All, read835Stream } from './parse-835';
import { parse999 } from './parse-999';

const pub = (name: string) => readFileSync(path.join(__dirname, 'fixtures/public', name), 'utf8');
/** The file in chunks of `n` characters, as a stream would hand it over. */
async function* chunks(text: string, n: number) {
  for (let i = 0; i < text.length; i += n) yield text.slice(i, i + n);
}
const error = (f: () => unknown): X12Error => {
  try {
    f();
  } catch (e) {
    if (e instanceof X12Error) return e;
    throw e;
  }
  throw new Error('expected an X12Error');
};
const asyncError = async (p: Promise<unknown>): Promise<X12Error> => {
  const e = await p.then(() => undefined, (x) => x);
  if (e instanceof X12Error) return e;
  throw new Error(`expected an X12Error, got ${String(e)}`);
};
/** Put `segments` after the first segment matching `after` and fix SE01. */
function insertAfter(text: string, after: RegExp, segments: string[]): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => after.test(l));
  if (at < 0) throw new Error(`no ${after}`);
  lines.splice(at + 1, 0, ...segments);
  return lines.join('\n').replace(/\nSE\*(\d+)\*/, (_m, n) => `\nSE*${Number(n) + segments.length}*`);
}

const MEDICARE_A = 'lfh-835-medicare-part-a.835';
/** IG example "managed care" 835: no REF*2U, N1*PR without N104; TRN03 1935665544 (BPR16 typo fixed, see README). */
const MANAGED_CARE = 'derived-835-managed-care-bpr16-fixed.835';

describe('835 payer identification (REF*2U, N1*PR N104, TRN03, then the clearinghouse-id mapping)', () => {
  it('a public 835 without REF*2U and without N1*PR N104 is identified by TRN03, not refused', () => {
    const [r] = parse835All(pub(MANAGED_CARE));
    expect(r.payerId).toBe('1935665544');
    expect(r.claims.map((c) => c.claimId)).toEqual(['5554555444', '8765432112']);
    expect(r.totalPaidCents).toBe(94500);
  });

  it('TRN03 is mapped to our payer key through payer_identifiers; refused only when no id maps', () => {
    const practices = [{ id: 'p-acme', billing_npi: '5544667733' }];
    const mapped = payerResolver([{ practice_id: null, identifier: '1935665544', payer_id: 'COMMERCIAL' }], ['COMMERCIAL', 'MEDICARE'], practices);
    expect(parse835(pub(MANAGED_CARE), { resolvePayer: mapped }).payerId).toBe('COMMERCIAL');
    const none = payerResolver([], ['COMMERCIAL', 'MEDICARE'], practices);
    const e = error(() => parse835(pub(MANAGED_CARE), { resolvePayer: none }));
    expect([e.segmentPosition, e.segmentId, e.code]).toEqual([7, 'N1', 'CONTENT']);
    expect(e.reason).toMatch(/unknown payer: none of TRN03 "1935665544" is a payer key or a mapped clearinghouse payer id/);
  });

  it('REF*2U is tried before TRN03; a practice mapping (by the N1*PE NPI) wins over the installation one', () => {
    const text = pub(MEDICARE_A); // REF*2U 999, TRN03 1512345678, payee NPI 6543210903
    const keys = ['MEDICARE', 'MEDICAID', 'COMMERCIAL'];
    const practices = [{ id: 'p-hope', billing_npi: '6543210903' }];
    const both = payerResolver(
      [
        { practice_id: null, identifier: '999', payer_id: 'MEDICARE' },
        { practice_id: null, identifier: '1512345678', payer_id: 'COMMERCIAL' },
      ],
      keys,
      practices,
    );
    expect(parse835(text, { resolvePayer: both }).payerId).toBe('MEDICARE');
    const trnOnly = payerResolver([{ practice_id: null, identifier: '1512345678', payer_id: 'COMMERCIAL' }], keys, practices);
    expect(parse835(text, { resolvePayer: trnOnly }).payerId).toBe('COMMERCIAL');
    const perPractice = payerResolver(
      [
        { practice_id: null, identifier: '999', payer_id: 'MEDICARE' },
        { practice_id: 'p-hope', identifier: '999', payer_id: 'MEDICAID' },
      ],
      keys,
      practices,
    );
    expect(parse835(text, { resolvePayer: perPractice }).payerId).toBe('MEDICAID');
    // A payee named by its tax id (N1*PE FI) finds its practice by practices.tax_id.
    const byTaxId = payerResolver([{ practice_id: 'p-acme', identifier: '1559123456', payer_id: 'MEDICAID' }], keys, [{ id: 'p-acme', tax_id: '59-9944521' }]);
    expect(byTaxId({ trn03: '1559123456', payeeTaxId: '599944521' })).toBe('MEDICAID');
    expect(byTaxId({ trn03: '1559123456', payeeTaxId: '111111111' })).toBeUndefined();
    // An id that already is one of our payer keys maps to itself.
    expect(payerResolver([], keys, [])({ n1pr: 'MEDICARE', trn03: '1512345678' })).toBe('MEDICARE');
  });
});

describe('several interchanges in one file', () => {
  const two = `${pub(MEDICARE_A)}\n${pub(MANAGED_CARE)}`;

  it('two public 835 interchanges back to back are both read, by the string and the streaming reader', async () => {
    const all = parse835All(two);
    expect(all.map((r) => r.traceNumber)).toEqual(['12345', '7170066655']);
    expect(all).toEqual([...parse835All(pub(MEDICARE_A)), ...parse835All(pub(MANAGED_CARE))]);
    expect(await read835Stream(chunks(two, 7))).toEqual(all);
  });

  it('each ISA declares its own delimiters, and positions count from the start of the file', () => {
    const second = pub(MANAGED_CARE).replace(/\*/g, '|').replace(/~/g, '!').replace(/:/g, '^').replace('|^|00501', '|:|00501');
    // ISA11 (repetition) was '^' and became ':'; the component separator ISA16 ':' became '^'.
    expect(parse835All(`${pub(MEDICARE_A)}\r\n${second}`).map((r) => r.traceNumber)).toEqual(['12345', '7170066655']);
    const broken = `${pub(MEDICARE_A)}\n${pub(MANAGED_CARE).replace('SE*26*112233', 'SE*25*112233')}`;
    const e = error(() => parse835All(broken));
    expect([e.segmentPosition, e.segmentId]).toEqual([32 + 28, 'SE']);
  });

  it('data after the last IEA that is not an interchange is still refused', () => {
    const e = error(() => parse835All(`${pub(MEDICARE_A)}\nGE*1*1~\n`));
    expect([e.segmentPosition, e.segmentId, e.code]).toEqual([33, 'GE', 'ENVELOPE']);
    expect(e.reason).toMatch(/data after IEA/);
  });
});

describe('line ends after the segment terminator', () => {
  it('a public 999 with CR LF line ends and indentation is read', () => {
    const text = pub('oopf-999-dhs-wisconsin-x231.999');
    expect(text).toContain('~\r\n  GS');
    const [ack] = parse999(text);
    expect(ack.status).toBe('partially_accepted');
    expect(ack.transactions.map((t) => [t.controlNumber, t.accepted])).toEqual([['0001', true], ['002', false], ['0003', false]]);
  });

  it.each([
    ['~ then LF (as published)', '~\n'],
    ['~ then CR LF', '~\r\n'],
    ['~ then CR', '~\r'],
    ['~ alone', '~'],
    ['~ then blank lines', '~\r\n\r\n'],
    ['CR as the terminator, then LF', '\r\n'],
    ['LF as the terminator', '\n'],
    ['CR as the terminator', '\r'],
  ])('the public 835 reads the same with %s', async (_name, ending) => {
    const original = pub(MEDICARE_A);
    const text = `${original}\n`.replace(/~\n/g, ending);
    expect(parse835All(text)).toEqual(parse835All(original));
    expect(await read835Stream(chunks(text, 5))).toEqual(parse835All(original));
  });
});

describe('errors are reported in segment order', () => {
  it('an envelope error at segment 2 is reported before a syntax error later in the same chunk', async () => {
    const text = pub(MEDICARE_A).replace('*X*005010X221A1~', '*X*005010X221~').replace('LX*130212~', 'lx*130212~');
    const e = error(() => parse835All(text));
    expect([e.segmentPosition, e.segmentId, e.code]).toEqual([2, 'GS', 'ENVELOPE']);
    const s = await asyncError(read835Stream(chunks(text, 1 << 16)));
    expect([s.segmentPosition, s.segmentId]).toEqual([2, 'GS']);
    // Without the envelope error, the syntax error is the first one.
    const only = error(() => parse835All(pub(MEDICARE_A).replace('LX*130212~', 'lx*130212~')));
    expect([only.segmentPosition, only.code]).toEqual([22, 'SYNTAX']);
  });
});

describe('999 for base 5010 and its errata', () => {
  it('GS08 005010X231 (base guide) is read', () => {
    const [ack] = parse999(pub('oopf-999-dhs-wisconsin-x231.999'));
    expect(ack.groupControlNumber).toBe('17456');
    expect(ack.transactions[1].segmentErrors[0]).toMatchObject({ segmentId: 'CLM', position: 22, code: '8' });
  });
  it('GS08 005010X231A1 is read', () => {
    const [ack] = parse999(pub('ims-999-rejected.999'));
    expect([ack.status, ack.transactions[0].code]).toEqual(['rejected', 'R']);
  });
});

describe('837I / 837D are out of scope and say so', () => {
  it('a public 837I is refused as an institutional claim, not with a version message', () => {
    const e = error(() => parse837P(pub('lfh-837i-institutional-claim.837'), { practiceId: 'p' }));
    expect([e.segmentPosition, e.segmentId, e.code]).toEqual([2, 'GS', 'CONTENT']);
    expect(e.reason).toMatch(/^institutional claims are not supported/);
  });
  it('an 837D (GS08 005010X224A2) is refused as a dental claim', () => {
    const dental = pub('lfh-837i-institutional-claim.837').replace(/005010X223A3/g, '005010X224A2');
    expect(error(() => read837P(dental)).reason).toMatch(/^dental claims are not supported/);
  });
});

describe('837P reading of public files', () => {
  it('PER is allowed in 2420E (ordering provider contact)', () => {
    expect(read837P(pub('lfh-837p-example7-dme.837')).map((c) => c.lines.length)).toEqual([2]);
    expect(read837P(pub('lfh-837p-example8-wheelchair.837'))[0].lines[0].cpt).toBe('K0001');
  });

  it('PER is allowed in 2310C (service facility contact)', () => {
    // No public sample has it; added after the 2310C N4 of the public anesthesia claim.
    const text = pub('derived-837p-example9-anesthesia-isa16.837')
      .replace('N4*NASHVILLE*TN*37232~\nLX*1~', 'N4*NASHVILLE*TN*37232~\nPER*IC*FRONT DESK*TE*6155550000~\nLX*1~')
      .replace('\nSE*29*', '\nSE*30*');
    expect(text).toContain('PER*IC*FRONT DESK');
    expect(read837P(text)[0].lines).toHaveLength(1);
  });

  it('a claim whose lines have different service dates is read with each line date', () => {
    const [c] = read837P(pub('lfh-837p-example1-line-dates.837'));
    expect(c.lines.map((l) => l.serviceDate)).toEqual(['2006-10-03', '2006-10-03', '2006-10-10', '2006-10-10']);
  });

  it('ICD-9 diagnoses (HI BK/BF) are refused plainly when mapping to the claim model', () => {
    const e = error(() => parse837P(pub('lfh-837p-example1-line-dates.837'), { practiceId: 'p' }));
    expect([e.segmentPosition, e.segmentId]).toEqual([29, 'HI']);
    expect(e.reason).toMatch(/ICD-9-CM diagnosis codes \(HI BK\) are not supported/);
  });

  it('an other-payer loop 2320 without AMT*D (not yet adjudicated) is coverage information, not an error', () => {
    const [c] = read837P(pub('derived-837p-cob-no-amt-d.837'));
    expect(c.otherCoverage).toEqual([{ responsibility: 'S', claimFilingIndicator: 'CI', memberId: 'T55TY666', payerId: '999996666', name: 'KEY INSURANCE COMPANY' }]);
    expect(c.adjudicatedBy).toEqual([]);
    // The file as published has a DMG in 2320, which 5010 removed: refused there, with its position.
    const e = error(() => read837P(pub('oopf-837p-5010-example3-cob.837')));
    expect([e.segmentPosition, e.segmentId, e.reason]).toEqual([40, 'DMG', 'DMG is not allowed in loop 2320']);
  });

  it('anesthesia minutes (SV103 MJ) keep their unit basis', () => {
    const [c] = read837P(pub('derived-837p-example9-anesthesia-isa16.837'));
    expect(c.lines[0]).toMatchObject({ cpt: '00142', modifiers: ['QK', 'QS', 'P1'], unitBasis: 'MJ', quantity: 61 });
  });

  it('CLM01 with a space and "#" is read; the claim id is derived, CLM01 is kept as sent', () => {
    const [c] = read837P(pub('lfh-837p-example7-dme.837'));
    expect(c.patientControlNumber).toBe('R03996273 #01');
    expect(claimIdFromClm01(c.patientControlNumber)).toBe('R03996273-01');
    expect(claimIdFromClm01('ABC123-RI')).toBe('ABC123-RI');
    const long = pub('lfh-837p-example7-dme.837').replace('R03996273 #01', 'X'.repeat(39));
    expect(error(() => read837P(long)).reason).toMatch(/CLM01 patient control number must be 1-38 characters/);
  });

  it('date ranges (DTP*472 RD8) are read: first day as the line date, the last day kept', () => {
    const [c] = read837P(pub('lfh-837p-example7-dme.837'));
    expect(c.lines.map((l) => [l.serviceDate, l.serviceDateEnd])).toEqual([['2005-03-21', undefined], ['2005-03-21', undefined]]);
    const range = pub('lfh-837p-example7-dme.837').replace('DTP*472*RD8*20050321-20050321~', 'DTP*472*RD8*20050321-20050420~');
    expect(read837P(range)[0].lines[0]).toMatchObject({ serviceDate: '2005-03-21', serviceDateEnd: '2005-04-20' });
    const backwards = pub('lfh-837p-example7-dme.837').replace('DTP*472*RD8*20050321-20050321~', 'DTP*472*RD8*20050321-20050301~');
    expect(error(() => read837P(backwards))).toMatchObject({ segmentPosition: 26, segmentId: 'DTP' });
  });

  it('SV5, HI BG/BP/BO and the line rendering provider (2420A) are read, not dropped or refused', () => {
    // No public 5010 sample found carries these; added to the public anesthesia claim.
    let text = insertAfter(pub('derived-837p-example9-anesthesia-isa16.837'), /^HI\*BK>36616~$/, ['HI*BP>01402*BO>01992~', 'HI*BG>01~']);
    text = insertAfter(text, /^DTP\*472\*D8\*20050112~$/, ['SV5*HC>E0570*DA*30*25*250*4~', 'NM1*82*1*LINE*DOC****XX*1234567893~']);
    const [c] = read837P(text);
    expect(c.anesthesiaProcedures).toEqual(['01402', '01992']);
    expect(c.conditionCodes).toEqual(['01']);
    expect(c.renderingNpi).toBe('5678912345');
    expect(c.lines[0]).toMatchObject({ renderingNpi: '1234567893', dme: { cpt: 'E0570', unit: 'DA', length: 30, rentalCents: 2500, purchaseCents: 25000, frequency: '4' } });
    // Line data before the line's SV1 is refused, not put on another line.
    const early = pub('derived-837p-example9-anesthesia-isa16.837').replace('LX*1~\nSV1*', 'LX*1~\nDTP*472*D8*20050113~\nSV1*').replace('\nSE*29*', '\nSE*30*');
    expect(error(() => read837P(early))).toMatchObject({ segmentPosition: 29, segmentId: 'DTP', code: 'LOOP' });
    const badQualifier = text.replace('HI*BG>01~', 'HI*ZZ>01~');
    expect(error(() => read837P(badQualifier)).reason).toMatch(/HI01 qualifier "ZZ" is not one of/);
  });
});

describe('the claim model holds line dates and anesthesia minutes (837P round trip)', () => {
  const opts: Generate837POptions = {
    sender: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC', contactName: 'BILLING DESK', phone: '5550100000' },
    receiver: { id: 'CLEARINGHOUSE', name: 'SYNTHETIC CLEARINGHOUSE' },
    billingProvider: { npi: '1234567893', name: 'TEST PAIN CLINIC', taxId: '999999999', address: { line1: '1 TEST ST', city: 'TESTVILLE', state: 'TX', zip: '750010000' } },
    payer: { id: 'SYNTH01', name: 'SYNTHETIC HEALTH PLAN' },
    controlNumbers: { isa: 7, gs: 7, st: 7 },
    createdAt: '2026-03-01T14:05:00Z',
  };
  const series: ClaimDocument = {
    claimId: 'TEST-SERIES-1', practiceId: 'practice-test', payerId: 'COMMERCIAL',
    coverage: { memberId: 'ZZTEST0009', priority: 'primary' },
    patient: { id: 'PAT-TEST-9', birthDate: '1961-04-12', sex: 'F' },
    renderingNpi: '1234567893', serviceDate: '2026-02-03', placeOfService: '11',
    diagnoses: ['M54.16'],
    lines: [
      { cpt: '99214', units: 1, chargeCents: 15000, diagnosisPointers: [1] },
      { cpt: '99213', units: 1, chargeCents: 11000, diagnosisPointers: [1], serviceDate: '2026-02-10' },
      { cpt: '01992', modifiers: ['AA'], units: 45, unitBasis: 'MJ', chargeCents: 60000, diagnosisPointers: [1], serviceDate: '2026-02-17' },
    ],
  };

  it('the generator writes DTP*472 per line and SV103 MJ, and parse837P gives the same claim back', () => {
    const text = generate837P(series, opts);
    expect(text.match(/DTP\*472\*D8\*\d+/g)).toEqual(['DTP*472*D8*20260203', 'DTP*472*D8*20260210', 'DTP*472*D8*20260217']);
    expect(text).toContain('SV1*HC:01992:AA*600*MJ*45***1~');
    const [back] = parse837P(text, { practiceId: 'practice-test', payerId: 'COMMERCIAL' });
    expect(back.claim).toEqual(series);
    expect(back.patientControlNumber).toBe('TEST-SERIES-1');
  });

  it("a line dated before the claim's serviceDate is refused naming the line (the claim date is the first date of service)", () => {
    const early = { ...series, lines: [series.lines[0], { ...series.lines[1], serviceDate: '2026-01-30' }] };
    const r = ClaimDocument.safeParse(early);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['lines', 1, 'serviceDate'] });
    expect(() => generate837P(early, opts)).toThrow(/before the claim's serviceDate 2026-02-03/);
  });

  it('a CLM01 with a space and "#" maps to a safe claim id, the CLM01 kept as sent', () => {
    const text = generate837P({ ...series, lines: series.lines.slice(0, 1) }, opts).replace('CLM*TEST-SERIES-1*', 'CLM*R03996273 #01*');
    const [back] = parse837P(text, { practiceId: 'practice-test' });
    expect([back.claim.claimId, back.patientControlNumber]).toEqual(['R03996273-01', 'R03996273 #01']);
  });
});
