/**
 * 276 / 277 claim status (005010X212, issue 14, AR-3): what we write reads back exactly, public
 * sample files read as published (or are refused with their segment), and a malformed 277 is
 * refused whole with its segment position.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate276, generate277, parse276, parse277, statusInquiryCategory, describeClaimStatus, type StatusInquiry276 } from './claim-status';
import { X12Error } from './errors';

const pub = (f: string) => readFileSync(path.join(__dirname, 'fixtures/public', f), 'utf8');
const opts = { sender: { id: 'DEMOPAIN', name: 'DEMO PAIN' }, receiver: { id: 'MEDICARE', name: 'MEDICARE' }, controlNumbers: { isa: 12, gs: 12, st: 1 }, createdAt: '2026-11-20T09:30:00Z' };
const parties = { payer: { name: 'MEDICARE', id: 'MEDICARE' }, receiver: { name: 'demo-pain', id: 'DEMOPAIN' }, provider: { name: 'demo-pain', npi: '1234567893' } };

const inquiry: StatusInquiry276 = {
  ...parties,
  claims: [
    {
      traceNumber: 'CLM-77-20261020',
      patientAccountNumber: 'CLM-77',
      payerClaimControlNumber: 'SIM4711',
      chargeCents: 185050,
      serviceDate: '2026-10-01',
      serviceDateEnd: '2026-10-08',
      subscriber: { memberId: '1EG4TE5MK73', birthDate: '1958-03-14', sex: 'F' },
      lines: [
        { qualifier: 'HC', code: '64483', modifiers: ['50'], chargeCents: 185000, units: 1, lineItemControlNumber: '1', serviceDate: '2026-10-01' },
        { qualifier: 'HC', code: '77003', modifiers: [], chargeCents: 50, units: 1, lineItemControlNumber: '2', serviceDate: '2026-10-08' },
      ],
    },
  ],
};

function rejection(fn: () => unknown): { position: number; id: string; code: string; reason: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12Error) return { position: e.segmentPosition, id: e.segmentId, code: e.code, reason: e.reason };
    throw e;
  }
  throw new Error('expected an X12Error');
}

describe('276 claim status request (005010X212)', () => {
  it('generate276 round trip: trace, claim id (REF*EJ), payer claim number, charge, date range, member, lines', () => {
    const text = generate276(inquiry, opts);
    expect(text).toMatch(/^GS\*HR\*/m);
    expect(text).toMatch(/^ST\*276\*0001\*005010X212~$/m);
    const [c] = parse276(text);
    const { segmentPosition, ...rest } = c;
    expect(segmentPosition).toBeGreaterThan(10);
    expect(rest).toEqual({ ...inquiry.claims[0], payerId: 'MEDICARE', providerNpi: '1234567893' });
  });

  it('a 276 without a member id is refused naming NM1', () => {
    const bad = { ...inquiry, claims: [{ ...inquiry.claims[0], subscriber: { memberId: '' } }] };
    expect(rejection(() => generate276(bad, opts))).toMatchObject({ id: 'NM1', code: 'CONTENT' });
  });

  it('public LinuxForHealth 276 (provider level): the published file is refused at segment 21 (HL6, a typo); fixed, both claims read', () => {
    expect(rejection(() => parse276(pub('lfh-276-provider-level-status.276')))).toMatchObject({ position: 21, id: 'HL6', code: 'LOOP' });
    const claims = parse276(pub('derived-276-provider-level-status-hl6.276'));
    expect(claims.map((c) => [c.traceNumber, c.patientAccountNumber, c.subscriber.memberId, c.chargeCents ?? null, c.serviceDate, c.serviceDateEnd ?? null])).toEqual([
      ['ABCXYZ1', 'SM123456', '123456789A', 851388, '2005-08-31', '2005-09-06'],
      ['ABCXYZ3', 'MA345678', '345678901', null, undefined, null],
    ]);
    expect(claims[1].lines).toEqual([{ qualifier: 'HC', code: '99203', modifiers: [], chargeCents: 15000, units: 1, serviceDate: '2005-05-01' }]);
    expect(claims[1].subscriber.birthDate).toBe('1995-11-01'); // the dependent's DMG (HL 23)
  });
});

describe('277 claim status response (005010X212)', () => {
  it('generate277 round trip: statuses, dates, amounts, check, payer claim number, lines', () => {
    const text = generate277(parties, [
      {
        traceNumber: 'CLM-77-20261020',
        statuses: [{ category: 'F1', code: '65' }, { category: 'F1', code: '107', entity: 'PR' }],
        statusDate: '2026-11-19',
        chargeCents: 185050,
        paidCents: 91234,
        adjudicationDate: '2026-11-15',
        checkDate: '2026-11-18',
        checkNumber: 'EFT000123',
        message: 'paid*per~contract',
        payerClaimControlNumber: 'SIM4711',
        patientAccountNumber: 'CLM-77',
        serviceDate: '2026-10-01',
        subscriber: { memberId: '1EG4TE5MK73' },
        lines: [{ qualifier: 'HC', code: '64483', modifiers: ['50'], chargeCents: 185000, paidCents: 91234, units: 1, statuses: [{ category: 'F1', code: '65' }], lineItemControlNumber: '1' }],
      },
    ], opts);
    const [c] = parse277(text);
    expect(c).toMatchObject({
      traceNumber: 'CLM-77-20261020',
      statuses: [{ category: 'F1', code: '65' }, { category: 'F1', code: '107', entity: 'PR' }],
      statusDate: '2026-11-19',
      chargeCents: 185050,
      paidCents: 91234,
      adjudicationDate: '2026-11-15',
      checkDate: '2026-11-18',
      checkNumber: 'EFT000123',
      message: 'paid per contract',
      payerClaimControlNumber: 'SIM4711',
      patientAccountNumber: 'CLM-77',
      serviceDate: '2026-10-01',
      memberId: '1EG4TE5MK73',
      lines: [{ qualifier: 'HC', code: '64483', modifiers: ['50'], chargeCents: 185000, paidCents: 91234, units: 1, statuses: [{ category: 'F1', code: '65' }], lineItemControlNumber: '1' }],
    });
    expect(statusInquiryCategory(c.statuses[0])).toBe('finalized');
    expect(describeClaimStatus(c)).toBe('277 F1:65, F1:107:PR finalized: payment; paid 912.34; check/EFT EFT000123 on 2026-11-18; payer claim SIM4711');
  });

  it('categories: A4/D0 not found, A1/A2 acknowledged, P*/R*/E* pending, F* finalized', () => {
    const cat = (category: string) => statusInquiryCategory({ category, code: '0' });
    expect(['A4', 'D0', 'A1', 'A2', 'P1', 'P3', 'R4', 'E1', 'F0', 'F2'].map(cat)).toEqual([
      'not_found', 'not_found', 'acknowledged', 'acknowledged', 'pending', 'pending', 'pending', 'pending', 'finalized', 'finalized',
    ]);
  });

  it('public LinuxForHealth 277 (claim level): published SE01 is wrong (segment 40); fixed, three claim statuses incl. a dependent with a service line', () => {
    expect(rejection(() => parse277(pub('lfh-277-claim-level-status.277')))).toMatchObject({ position: 40, id: 'SE', code: 'ENVELOPE' });
    const claims = parse277(pub('derived-277-claim-level-status-se01.277'));
    expect(claims.map((c) => [c.traceNumber, `${c.statuses[0].category}:${c.statuses[0].code}`, statusInquiryCategory(c.statuses[0]), c.payerClaimControlNumber, c.patientAccountNumber, c.chargeCents, c.paidCents ?? null, c.memberId])).toEqual([
      ['ABCXYZ1', 'P3:317', 'pending', '05347006051', 'SM123456', 851388, null, '123456789A'],
      ['ABCXYZ2', 'F0:3', 'finalized', '0529675341', 'J0234567', 759900, 759900, '234567890A'],
      ['ABCXYC3', 'F2:88', 'finalized', '051681010827', 'MA345678', 15000, 0, '345678901'],
    ]);
    expect(claims[0]).toMatchObject({ serviceDate: '2005-08-31', serviceDateEnd: '2005-09-06', statusDate: '2005-09-13' });
    expect(claims[2].lines).toEqual([{ qualifier: 'HC', code: '99203', modifiers: [], chargeCents: 15000, paidCents: 0, units: 1, statuses: [{ category: 'F2', code: '88', entity: 'QC' }], serviceDate: '2005-05-01' }]);
  });

  it('public imsweb 277 X212 (eight HL 20 trees in one transaction set): refused at IEA02 as published (segment 111); fixed, eight A1:704 statuses with their text', () => {
    expect(rejection(() => parse277(pub('ims-277-x212.277')))).toMatchObject({ position: 111, id: 'IEA', code: 'ENVELOPE' });
    const claims = parse277(pub('derived-277-x212-iea02.277'));
    expect(claims).toHaveLength(8);
    expect(new Set(claims.map((c) => statusInquiryCategory(c.statuses[0])))).toEqual(new Set(['acknowledged']));
    expect(claims[0]).toMatchObject({ traceNumber: '0000001', actionCode: 'WQ', chargeCents: 60000, message: 'PAYER ACKNOWLEDGED RECEIPT OF THE CLAIM' });
  });

  it('a malformed 277 is refused whole with the segment position of the fault', () => {
    const good = generate277(parties, [{ traceNumber: 'T1', statuses: [{ category: 'P1', code: '20' }], subscriber: { memberId: 'M1' } }, { traceNumber: 'T2', statuses: [{ category: 'P1', code: '20' }], subscriber: { memberId: 'M2' } }], opts);
    const lines = good.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const swap = (i: number, value: string) => lines.map((l, j) => (j === i ? value : l)).join('\n');
    // second claim's STC without a category: the first claim's answer is not returned either
    const stc2 = lines.findIndex((l, i) => l.startsWith('STC') && i > at(/^TRN\*2\*T2~/));
    expect(rejection(() => parse277(swap(stc2, 'STC*:20*20261120~')))).toEqual({ position: stc2 + 1, id: 'STC', code: 'CONTENT', reason: 'STC01 category "" is not a claim status category code' });
    // a claim loop without STC
    expect(rejection(() => parse277(swap(stc2, 'REF*1K*X1~')))).toMatchObject({ position: at(/^TRN\*2\*T2~/) + 1, id: 'TRN', code: 'LOOP' });
    // a bad date
    expect(rejection(() => parse277(swap(stc2, 'STC*P1:20*20261340~')))).toMatchObject({ position: stc2 + 1, id: 'STC', code: 'SYNTAX' });
    // TRN01 1 (a 276 trace) in a 277
    expect(rejection(() => parse277(swap(at(/^TRN\*2\*T1~/), 'TRN*1*T1~')))).toMatchObject({ position: at(/^TRN\*2\*T1~/) + 1, id: 'TRN', code: 'CONTENT' });
  });

  it('a 276 or a 277CA given to the 277 reader is refused at its GS', () => {
    expect(rejection(() => parse277(generate276(inquiry, opts)))).toMatchObject({ position: 2, id: 'GS', code: 'ENVELOPE' });
    expect(rejection(() => parse277(pub('ims-277ca-accepted.277')))).toMatchObject({ position: 2, id: 'GS', code: 'CONTENT', reason: expect.stringContaining('277CA claim acknowledgment') });
  });
});
