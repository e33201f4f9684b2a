import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Remittance } from '../domain/remittance';
import { X12Error } from './errors';
import { parse835, parse835All, parse835Stream, read835Stream } from './parse-835';

const FIX = join(__dirname, 'fixtures');
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');

describe('835 fixtures', () => {
  it('paid in full', () => {
    const r = parse835(read('835-paid-in-full.x12'));
    expect(Remittance.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      payerId: 'COMMERCIAL',
      traceNumber: 'EFT-TEST-0001',
      totalPaidCents: 45000,
      paymentDate: '2026-03-06',
      adjudicationDate: '2026-03-04',
      providerAdjustments: [],
    });
    expect(r.claims).toEqual([
      {
        claimId: 'TEST-CLM-0001', statusCode: '1', chargedCents: 45000, paidCents: 45000,
        patientResponsibilityCents: 0, payerClaimControlNumber: 'PAYERCCN0001', adjustments: [], remarks: [],
        lines: [{
          lineNumber: 1, cpt: '64483', modifiers: ['RT'], chargedCents: 45000, paidCents: 45000, allowedCents: 45000,
          units: 1, serviceDate: '2026-02-10', adjustments: [], remarks: [],
        }],
      },
    ]);
  });

  it('opts.payerId overrides REF*2U', () => {
    expect(parse835(read('835-paid-in-full.x12'), { payerId: 'ACME' }).payerId).toBe('ACME');
  });

  it('partial payment: contractual CO-45, multiple-procedure reduction CO-59, PR-1/2/3', () => {
    const r = parse835(read('835-mpr-contractual-patient-resp.x12'));
    expect(r.totalPaidCents).toBe(92500);
    const c = r.claims[0];
    expect(c).toMatchObject({ claimId: 'TEST-CLM-0002', statusCode: '1', chargedCents: 220000, paidCents: 92500, patientResponsibilityCents: 22500 });
    expect(c.lines.map((l) => [l.lineNumber, l.cpt, l.modifiers, l.chargedCents, l.paidCents, l.allowedCents])).toEqual([
      [1, '64483', ['RT'], 90000, 40000, 60000],
      [2, '64483', ['LT'], 90000, 27500, 30000],
      [3, '64484', ['RT'], 40000, 25000, 25000],
    ]);
    expect(c.lines[0].adjustments).toEqual([
      { group: 'CO', carc: '45', amountCents: 30000 },
      { group: 'PR', carc: '1', amountCents: 10000 },
      { group: 'PR', carc: '2', amountCents: 10000 },
    ]);
    expect(c.lines[1].adjustments).toEqual([
      { group: 'CO', carc: '45', amountCents: 30000 },
      { group: 'CO', carc: '59', amountCents: 30000 },
      { group: 'PR', carc: '3', amountCents: 2500 },
    ]);
    expect(c.lines[1].remarks).toEqual(['N381']);
    const pr = c.lines.flatMap((l) => l.adjustments).filter((a) => a.group === 'PR');
    expect(pr.reduce((s, a) => s + a.amountCents, 0)).toBe(c.patientResponsibilityCents);
  });

  it('denials: CO-50 (line, RARC), CO-197 (claim level, MOA remark), CO-16 with RARCs', () => {
    const r = parse835(read('835-denials.x12'));
    expect(r.totalPaidCents).toBe(0);
    expect(r.claims.map((c) => [c.claimId, c.statusCode, c.paidCents])).toEqual([
      ['TEST-CLM-0003', '4', 0],
      ['TEST-CLM-0004', '4', 0],
      ['TEST-CLM-0005', '4', 0],
    ]);
    const [rfa, noAuth, missing] = r.claims;
    expect(rfa.lines[0]).toMatchObject({ cpt: '64635', adjustments: [{ group: 'CO', carc: '50', amountCents: 120000 }], remarks: ['N115'] });
    expect(noAuth.adjustments).toEqual([{ group: 'CO', carc: '197', amountCents: 150000 }]);
    expect(noAuth.remarks).toEqual(['N54']);
    expect(noAuth.lines).toEqual([]);
    expect(missing.lines[0]).toMatchObject({
      cpt: '99214', modifiers: ['25'], serviceDate: '2026-02-13',
      adjustments: [{ group: 'CO', carc: '16', amountCents: 30000 }], remarks: ['N290', 'MA130'],
    });
  });

  it('reversal (CLP02 = 22) and correction, with PLB interest and recoupment', () => {
    const r = parse835(read('835-reversal-correction-plb.x12'));
    expect(r.claims.map((c) => [c.claimId, c.statusCode, c.chargedCents, c.paidCents, c.payerClaimControlNumber])).toEqual([
      ['TEST-CLM-0006', '22', -50000, -35000, 'PAYERCCN0006'],
      ['TEST-CLM-0006', '1', 50000, 40000, 'PAYERCCN0006B'],
    ]);
    expect(r.claims[0].adjustments).toEqual([{ group: 'CO', carc: '45', amountCents: -15000 }]);
    expect(r.providerAdjustments).toEqual([
      { reasonCode: 'L6', amountCents: -215 },
      { reasonCode: 'WO', reference: 'PAYERCCN0001', amountCents: 3000 },
    ]);
    const net = r.claims.reduce((s, c) => s + c.paidCents, 0) - r.providerAdjustments.reduce((s, p) => s + p.amountCents, 0);
    expect(net).toBe(r.totalPaidCents);
    expect(r.totalPaidCents).toBe(2215);
  });
});

describe('malformed 835 files are rejected whole with segment number and reason', () => {
  const expected = JSON.parse(read('expected-errors.json')) as Record<string, [number, string, string]>;
  it('every malformed fixture has an expectation', () => {
    expect(readdirSync(join(FIX, 'bad')).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const [file, [position, id, reason]] of Object.entries(expected)) {
    it(file, async () => {
      const text = read(join('bad', file));
      let err: unknown;
      try {
        parse835(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(X12Error);
      const x = err as X12Error;
      expect([x.segmentPosition, x.segmentId]).toEqual([position, id]);
      expect(x.reason).toContain(reason);
      expect(x.message).toBe(`segment ${position} (${id}): ${x.reason}`);
      // the streaming parser rejects the same file the same way, even in tiny chunks
      const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
      await expect(read835Stream(Readable.from(chunks))).rejects.toMatchObject({ segmentPosition: position, segmentId: id });
    });
  }
});

describe('multiple transaction sets and streaming', () => {
  const one = read('835-mpr-contractual-patient-resp.x12');
  const two = (() => {
    const lines = one.trim().split('\n');
    const body = lines.slice(2, -2);
    const second = body.map((l) => l.replace('ST*835*0001', 'ST*835*0002').replace('SE*28*0001', 'SE*28*0002').replace('EFT-TEST-0002', 'EFT-TEST-0099'));
    return [lines[0], lines[1], ...body, ...second, 'GE*2*102~', lines[lines.length - 1]].join('\n');
  })();

  it('parse835 refuses a file with two transaction sets at the second ST; parse835All returns both', () => {
    expect(() => parse835(two)).toThrow(/segment 31 \(ST\): the file holds more than one 835/);
    const all = parse835All(two);
    expect(all.map((r) => r.traceNumber)).toEqual(['EFT-TEST-0002', 'EFT-TEST-0099']);
  });

  it('stream yields header, claims, transaction trailer, end; same model as the string parser', async () => {
    const kinds: string[] = [];
    for await (const e of parse835Stream(Readable.from(two.match(/[\s\S]{1,50}/g)!))) kinds.push(e.kind);
    expect(kinds).toEqual(['header', 'claim', 'transaction', 'header', 'claim', 'transaction', 'end']);
    expect(await read835Stream(Readable.from([Buffer.from(two)]))).toEqual(parse835All(two));
  });

  it('CRLF line endings and a BOM are tolerated', () => {
    expect(parse835('\uFEFF' + one.replace(/\n/g, '\r\n'))).toEqual(parse835(one));
  });
});
