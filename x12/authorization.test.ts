/**
 * 278 request / response (005010X217, issue 14): what we write reads back exactly, and a
 * malformed 278 is refused whole with its segment position. No public 5010 278 sample was found
 * in the open-source X12 projects searched (see fixtures/public/README.md).
 */
import { describe, expect, it } from 'vitest';
import { generate278Request, generate278Response, parse278Request, parse278Response, type Auth278Input } from './authorization';
import { X12Error } from './errors';

const opts = { sender: { id: 'DEMOPAIN', name: 'DEMO PAIN' }, receiver: { id: 'COMMERCIAL', name: 'COMMERCIAL' }, controlNumbers: { isa: 7, gs: 7, st: 1 }, createdAt: '2026-11-20T09:30:00Z' };

function rejection(fn: () => unknown): { position: number; id: string; code: string; reason: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12Error) return { position: e.segmentPosition, id: e.segmentId, code: e.code, reason: e.reason };
    throw e;
  }
  throw new Error('expected an X12Error');
}

const request: Auth278Input = {
  traceNumber: 'auth:AUTH-1:submit:1',
  payer: { name: 'COMMERCIAL', id: 'COMMERCIAL' },
  requester: { name: 'demo-pain', npi: '1234567893' },
  subscriber: { memberId: 'W123456789', birthDate: '1958-03-14', sex: 'F' },
  requestCategory: 'HS',
  certificationType: 'I',
  serviceType: '2',
  eventFrom: '2026-12-01',
  eventTo: '2027-02-28',
  diagnoses: ['M54.16', 'M51.16'],
  visits: 2,
  attachments: [
    { reportType: 'RR', transmission: 'EL', controlNumber: 'AUTH-1-IMAGING' },
    { reportType: 'PN', transmission: 'FX', controlNumber: 'AUTH-1-CONSERVATIVE' },
  ],
  messages: ['AUTH AUTH-1 esi lumbar transforaminal L4-L5 bilateral'],
  authorizationNumber: 'PRIOR123',
  services: [
    { procedure: { qualifier: 'HC', code: '64483', modifiers: ['50'] }, units: 1, from: '2026-12-01', to: '2027-02-28' },
    { procedure: { qualifier: 'HC', code: '64484', modifiers: [] }, units: 1, from: '2026-12-01', to: '2027-02-28' },
  ],
};

describe('278 request (005010X217)', () => {
  it('round trip: trace, UM, linked auth REF*BB, window DTP*AAH, HI diagnoses, HSD visits, PWK clinical package references, MSG, one 2000F per CPT', () => {
    const text = generate278Request(request, opts);
    expect(text).toMatch(/^PWK\*RR\*EL\*\*\*AC\*AUTH-1-IMAGING~$/m);
    expect(text).toMatch(/^HI\*ABK:M5416\*ABF:M5116~$/m);
    const [ev] = parse278Request(text);
    const { segmentPosition, errors, dates, ...rest } = ev;
    expect({ errors, dates, position: typeof segmentPosition }).toEqual({ errors: [], dates: [], position: 'number' });
    expect(rest).toEqual(request);
  });

  it('a request without TRN, or a PWK without its attachment control number, is refused with its segment', () => {
    const lines = generate278Request(request, opts).split('\n');
    const trn = lines.findIndex((l) => l.startsWith('TRN*'));
    const hl = lines.findIndex((l) => l.startsWith('HL*4*'));
    expect(rejection(() => parse278Request(lines.map((l, j) => (j === trn ? 'REF*NT*X~' : l)).join('\n')))).toMatchObject({ position: hl + 1, id: 'HL', code: 'LOOP', reason: 'the patient event (2000E) has no TRN*1 trace number' });
    const pwk = lines.findIndex((l) => l.startsWith('PWK*'));
    expect(rejection(() => parse278Request(lines.map((l, j) => (j === pwk ? 'PWK*RR*EL~' : l)).join('\n')))).toMatchObject({ position: pwk + 1, id: 'PWK', code: 'CONTENT' });
  });
});

describe('278 response (005010X217)', () => {
  const certified: Auth278Input = {
    ...request,
    attachments: [],
    diagnoses: [],
    messages: [],
    action: 'A1',
    reviewNumber: 'CERT998877',
    authorizationNumber: 'CERT998877',
    dates: [{ qualifier: '102', from: '2026-11-21' }],
    services: request.services.map((s) => ({ ...s, action: 'A1', authNumber: 'CERT998877' })),
  };

  it('certified (HCR*A1): authorization number in HCR02 and REF*BB, window, issue date, visits, per-service decisions', () => {
    const [ev] = parse278Response(generate278Response(certified, opts));
    expect(ev).toMatchObject({ traceNumber: request.traceNumber, action: 'A1', reviewNumber: 'CERT998877', authorizationNumber: 'CERT998877', eventFrom: '2026-12-01', eventTo: '2027-02-28', visits: 2, dates: [{ qualifier: '102', from: '2026-11-21' }] });
    expect(ev.services.map((s) => [s.procedure.code, s.action, s.authNumber, s.from, s.to])).toEqual([
      ['64483', 'A1', 'CERT998877', '2026-12-01', '2027-02-28'],
      ['64484', 'A1', 'CERT998877', '2026-12-01', '2027-02-28'],
    ]);
  });

  it('pended (A4) and denied (A3 with HCR03 and MSG) read back; an unknown HCR01 is refused at its segment', () => {
    const [pended] = parse278Response(generate278Response({ ...certified, action: 'A4', reviewNumber: undefined, authorizationNumber: undefined, messages: ['clinical review'], services: [] }, opts));
    expect(pended).toMatchObject({ action: 'A4', messages: ['clinical review'] });
    expect(pended.authorizationNumber).toBeUndefined();
    const text = generate278Response({ ...certified, action: 'A3', reasonCode: 'MN', reviewNumber: undefined, authorizationNumber: undefined, messages: ['medical necessity'], services: [] }, opts);
    expect(parse278Response(text)[0]).toMatchObject({ action: 'A3', reasonCode: 'MN', messages: ['medical necessity'] });
    const lines = text.split('\n');
    const hcr = lines.findIndex((l) => l.startsWith('HCR*'));
    expect(rejection(() => parse278Response(lines.map((l, j) => (j === hcr ? 'HCR*ZZ~' : l)).join('\n')))).toEqual({ position: hcr + 1, id: 'HCR', code: 'CONTENT', reason: 'HCR01 "ZZ" is not an action code (A1, A2, A3, A4, A6, C, CT, D, IP, NA)' });
    expect(rejection(() => parse278Response(lines.map((l, j) => (j === hcr ? 'DTP*AAH*RD8*20261301-20261302~' : l)).join('\n')))).toMatchObject({ position: hcr + 1, id: 'DTP', code: 'SYNTAX' });
  });

  it('a request given to the response reader (and back) is refused at its BHT', () => {
    expect(rejection(() => parse278Response(generate278Request(request, opts)))).toMatchObject({ position: 4, id: 'BHT', code: 'CONTENT' });
    expect(rejection(() => parse278Request(generate278Response(certified, opts)))).toMatchObject({ position: 4, id: 'BHT', code: 'CONTENT' });
  });
});
