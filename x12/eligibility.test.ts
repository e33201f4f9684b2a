/**
 * 270 / 271 eligibility (005010X279A1, issue 14): what we write reads back exactly, the public
 * LinuxForHealth samples read as published (or are refused with their segment), and a malformed
 * 271 is refused whole with its segment position.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate270, generate271, parse270, parse271, type Eligibility270, type Eligibility271Input } from './eligibility';
import { X12Error } from './errors';

const pub = (f: string) => readFileSync(path.join(__dirname, 'fixtures/public', f), 'utf8');
const opts = { sender: { id: 'DEMOPAIN', name: 'DEMO PAIN' }, receiver: { id: 'COMMERCIAL', name: 'COMMERCIAL' }, controlNumbers: { isa: 5, gs: 5, st: 1 }, createdAt: '2026-11-20T09:30:00Z' };

function rejection(fn: () => unknown): { position: number; id: string; code: string; reason: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12Error) return { position: e.segmentPosition, id: e.segmentId, code: e.code, reason: e.reason };
    throw e;
  }
  throw new Error('expected an X12Error');
}

const q: Eligibility270 = {
  traceNumber: 'eligibility:APT-1:check:1',
  payer: { name: 'COMMERCIAL', id: 'COMMERCIAL' },
  provider: { name: 'demo-pain', npi: '1234567893' },
  subscriber: { memberId: 'W123456789', birthDate: '1958-03-14', sex: 'F' },
  serviceDate: '2026-12-01',
  serviceTypes: ['30'],
  procedures: [{ qualifier: 'HC', code: '64483', modifiers: [] }, { qualifier: 'HC', code: '64484', modifiers: [] }],
};

const a: Eligibility271Input = {
  traceNumber: q.traceNumber,
  payer: q.payer,
  provider: q.provider,
  subscriber: { memberId: 'W123456789', lastName: 'SAMPLE', firstName: 'PAT' },
  planDates: [{ qualifier: '346', from: '2026-01-01' }, { qualifier: '347', from: '2026-12-31' }],
  benefits: [
    { code: '1', serviceTypes: ['30'], insuranceType: 'MB', planDescription: 'GOLD PLAN', messages: ['CONSERVATIVE CARE ON FILE 6 WEEKS'] },
    { code: '1', serviceTypes: [], authorizationRequired: 'Y', procedure: { qualifier: 'HC', code: '64483', modifiers: [] } },
    { code: 'I', serviceTypes: [], authorizationRequired: 'N', procedure: { qualifier: 'HC', code: '64484', modifiers: [] }, messages: ['service excluded by plan'] },
    { code: 'B', serviceTypes: ['1', '33', 'BF'], timePeriod: '27', amountCents: 2500, inNetwork: 'Y', dates: [{ qualifier: '292', from: '2026-01-01', to: '2026-12-31' }] },
    { code: 'F', serviceTypes: [], timePeriod: '21', quantityQualifier: 'VS', quantity: 3, procedure: { qualifier: 'HC', code: '64483', modifiers: [] } },
    { code: 'R', serviceTypes: ['30'], insuranceType: '12', relatedEntities: [{ entity: 'PR', name: 'EMPLOYER PLAN', idQualifier: 'PI', id: 'EMP1' }] },
  ],
};

describe('270 eligibility inquiry (005010X279A1)', () => {
  it('generate270 round trip: trace, payer, provider NPI, member, birth date, DTP*291, EQ service type and one EQ per CPT', () => {
    const text = generate270(q, opts);
    expect(text).toMatch(/^EQ\*\*HC:64483~$/m);
    const [p] = parse270(text);
    const { segmentPosition, ...rest } = p;
    expect(segmentPosition).toBeGreaterThan(8);
    expect(rest).toEqual({ ...q, subscriber: { ...q.subscriber, lastName: undefined } });
  });

  it('public LinuxForHealth 270 (subscriber): trace, member, DTP*291, EQ*30', () => {
    const [p] = parse270(pub('lfh-270-subscriber.270'));
    expect(p).toMatchObject({ traceNumber: '93175-012547', payer: { id: '842610001' }, subscriber: { memberId: '11122333301', birthDate: '1943-05-19' }, serviceDate: '2006-05-01', serviceTypes: ['30'], procedures: [] });
  });

  it('a 270 that asks nothing (no EQ) is refused at its SE', () => {
    const text = generate270(q, opts).replace(/^EQ.*\n/gm, '').replace(/^SE\*(\d+)\*/m, (_m, n) => `SE*${Number(n) - 3}*`);
    expect(rejection(() => parse270(text))).toMatchObject({ id: 'SE', code: 'LOOP', reason: 'the 270 asks nothing: no EQ in the patient loop' });
  });
});

describe('271 eligibility response (005010X279A1)', () => {
  it('generate271 round trip: plan dates, coverage EB, per-procedure EBs with EB11, benefits with service types, limitation, other payer in 2120C', () => {
    const [r] = parse271(generate271(a, opts));
    expect(r.traceNumber).toBe(q.traceNumber);
    expect(r.planDates).toEqual(a.planDates);
    expect(r.benefits.map(({ segmentPosition, ...b }) => ({ ...b, segmentPosition: typeof segmentPosition }))).toEqual(
      a.benefits.map((b) => ({ dates: [], messages: [], references: [], relatedEntities: [], ...b, segmentPosition: 'number' })),
    );
  });

  it('public LinuxForHealth 271 (subscriber): active coverage EB*1 30 GOLD 123 PLAN from 2021-01-01, co-payments per service types in and out of network, the PCP in 2120C', () => {
    const [r] = parse271(pub('lfh-271-subscriber.271'));
    expect(r).toMatchObject({ traceNumber: '930000000000', level: 'subscriber', patient: { memberId: '00000000001', birthDate: '1970-01-01', sex: 'M' }, planDates: [{ qualifier: '346', from: '2021-01-01' }] });
    expect(r.benefits.map((b) => [b.code, b.serviceTypes.join(','), b.planDescription ?? null, b.amountCents ?? null, b.inNetwork ?? null])).toEqual([
      ['1', '30', 'GOLD 123 PLAN', null, null],
      ['L', '', null, null, null],
      ['1', '1,33,35,47,86,88,98,AL,MH,UC', null, null, null],
      ['B', '1,33,35,47,86,88,98,AL,MH,UC', 'GOLD 123 PLAN', 1000, 'Y'],
      ['B', '1,33,35,47,86,88,98,AL,MH,UC', 'GOLD 123 PLAN', 3000, 'N'],
    ]);
    expect(r.benefits[1].relatedEntities).toEqual([{ entity: '1P', name: 'DOE', idQualifier: 'XX', id: '1467857193' }]);
  });

  it('public LinuxForHealth 271 (dependent): NM1*IL in the dependent loop is refused (X279A1: NM1*03) at segment 17; fixed, the dependent answer carries the subscriber member id', () => {
    expect(rejection(() => parse271(pub('lfh-271-dependent.271')))).toMatchObject({ position: 17, id: 'NM1', code: 'CONTENT' });
    const answers = parse271(pub('derived-271-dependent-nm1-03.271'));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ level: 'dependent', traceNumber: '930000000000', patient: { memberId: '00000000001', lastName: 'DOE', firstName: 'JAMES', birthDate: '2015-01-01' } });
    expect(answers[0].benefits).toHaveLength(5);
  });

  it('a malformed 271 is refused whole with the segment position of the fault', () => {
    const lines = generate271(a, opts).split('\n');
    const eb = lines.findIndex((l) => l.startsWith('EB*I'));
    const swap = (value: string) => lines.map((l, j) => (j === eb ? value : l)).join('\n');
    expect(rejection(() => parse271(swap('EB*1******1O~')))).toEqual({ position: eb + 1, id: 'EB', code: 'SYNTAX', reason: 'EB07 is not an amount (2 characters: digits, letters; value withheld)' });
    expect(rejection(() => parse271(swap('EB*1**********X~')))).toMatchObject({ position: eb + 1, id: 'EB', code: 'CONTENT', reason: 'EB11 "X" is not Y, N or U' });
    expect(rejection(() => parse271(swap('EB*1************XX:1~')))).toMatchObject({ position: eb + 1, id: 'EB', code: 'CONTENT' });
    const firstEb = lines.findIndex((l) => l.startsWith('EB*'));
    expect(rejection(() => parse271(lines.map((l, j) => (j === firstEb ? 'MSG*orphan~' : l)).join('\n')))).toMatchObject({ position: firstEb + 1, id: 'MSG', code: 'LOOP', reason: 'MSG outside a benefit (2110) loop' });
    const ls = lines.findIndex((l) => l.startsWith('LE*'));
    expect(rejection(() => parse271(lines.filter((_, j) => j !== ls).join('\n').replace(/^SE\*(\d+)\*/m, (_m, n) => `SE*${Number(n) - 1}*`)))).toMatchObject({ id: 'SE', code: 'LOOP', reason: 'SE inside LS/LE (loop 2120): LE missing' });
  });

  it('a 270 given to the 271 reader is refused at its GS', () => {
    expect(rejection(() => parse271(generate270(q, opts)))).toMatchObject({ position: 2, id: 'GS', code: 'ENVELOPE' });
  });
});
