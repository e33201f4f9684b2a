import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate835, parse835, X12Error } from '../x12';
import { generate277CA, type Generate277CAOptions } from '../x12/generate-277ca';
import type { Remittance } from '../domain/remittance';
import type { Acknowledgement, InboundSink } from '../activities/gateway/types';
import { detectX12Kind, ingestX12 } from './x12-inbound';

const fixtures = join(__dirname, '../x12/fixtures');
const read = (f: string) => readFileSync(join(fixtures, f), 'utf8');
const NOW = new Date('2026-03-06T12:00:00Z');

function recordingSink(fail?: { remittance?: Error }) {
  const calls: { remittances: Array<{ r: Remittance; source: string }>; acks: Acknowledgement[] } = { remittances: [], acks: [] };
  const sink: InboundSink = {
    async acknowledgement(ack) {
      calls.acks.push(ack);
    },
    async remittance(r, source) {
      if (fail?.remittance) throw fail.remittance;
      calls.remittances.push({ r, source });
      return { posted: r.traceNumber };
    },
  };
  return { sink, calls };
}

const ackOpts: Generate277CAOptions = {
  sender: { id: 'CLEARINGHOUSE', name: 'CLEARINGHOUSE' },
  receiver: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC' },
  payer: { name: 'SYNTHETIC HEALTH PLAN', id: 'SYNTH01' },
  provider: { name: 'TEST PAIN CLINIC', npi: '1234567893' },
  controlNumbers: { isa: 9, gs: 9, st: 1 },
  createdAt: '2026-03-05T09:00:00Z',
};

describe('detectX12Kind', () => {
  it('reads ST01: 835, 999, 277 (as 277CA)', () => {
    expect(detectX12Kind(read('835-paid-in-full.x12'))).toBe('835');
    expect(detectX12Kind(read('999-accepted.x12'))).toBe('999');
    expect(detectX12Kind(read('277ca-one-accepted-one-rejected.x12'))).toBe('277CA');
  });

  it('refuses an outbound transaction set and text that is not X12, with the segment position', () => {
    const t837 = read('835-paid-in-full.x12').replace('ST*835*', 'ST*837*');
    expect(() => detectX12Kind(t837)).toThrow(/segment 3 \(ST\): transaction set 837 is not an inbound clearinghouse file/);
    try {
      detectX12Kind('hello, this is not an X12 file');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(X12Error);
      expect((err as X12Error).segmentPosition).toBe(1);
    }
  });
});

describe('ingestX12: 835', () => {
  it('every remittance fixture reaches sink.remittance parsed, with the source and the payer as the file names it', async () => {
    for (const f of ['835-paid-in-full.x12', '835-mpr-contractual-patient-resp.x12', '835-denials.x12', '835-reversal-correction-plb.x12']) {
      const { sink, calls } = recordingSink();
      const result = await ingestX12(read(f), sink, { source: 'file-drop' });
      expect(result.kind).toBe('835');
      const parsed = parse835(read(f));
      expect(calls.remittances).toEqual([{ r: { ...parsed, payerInFile: parsed.payerId }, source: 'file-drop' }]);
      expect(result.remittances[0]).toMatchObject({ traceNumber: calls.remittances[0].r.traceNumber, result: { posted: calls.remittances[0].r.traceNumber } });
      expect(calls.acks).toEqual([]);
    }
  });

  it('payerId option overrides the file', async () => {
    const { sink, calls } = recordingSink();
    await ingestX12(read('835-paid-in-full.x12'), sink, { source: 'x', payerId: 'MEDICARE' });
    expect(calls.remittances[0].r.payerId).toBe('MEDICARE');
  });

  it('a file with two transaction sets: both are parsed before either is delivered', async () => {
    const r = parse835(read('835-paid-in-full.x12'));
    const one = generate835(r, { sender: { id: 'P', name: 'P' }, receiver: { id: 'R', name: 'R' }, payer: { name: 'P', companyId: '1999999999' }, payee: { name: 'R', npi: '1234567893' }, controlNumbers: { isa: 5, gs: 5, st: 1 }, createdAt: '2026-03-05T09:00:00Z' });
    const lines = one.trim().split('\n');
    const st = lines.findIndex((l) => l.startsWith('ST*'));
    const se = lines.findIndex((l) => l.startsWith('SE*'));
    const second = lines.slice(st, se + 1).map((l) => l.replace('TRN*1*EFT-TEST-0001', 'TRN*1*EFT-TEST-0002').replace(/^ST\*835\*0001/, 'ST*835*0002').replace(/^SE\*(\d+)\*0001/, 'SE*$1*0002'));
    const two = [...lines.slice(0, se + 1), ...second, 'GE*2*5~', lines.at(-1)].join('\n');
    const { sink, calls } = recordingSink();
    const result = await ingestX12(two, sink, { source: 's' });
    expect(calls.remittances.map((c) => c.r.traceNumber)).toEqual(['EFT-TEST-0001', 'EFT-TEST-0002']);
    expect(result.remittances).toHaveLength(2);

    // The second transaction set unbalanced: the first is not delivered either.
    const bad = two.replace(/(ST\*835\*0002[\s\S]*?)CLP\*TEST-CLM-0001\*1\*450\*450/, '$1CLP*TEST-CLM-0001*1*450*440');
    const rec = recordingSink();
    await expect(ingestX12(bad, rec.sink, { source: 's' })).rejects.toBeInstanceOf(X12Error);
    expect(rec.calls.remittances).toEqual([]);
  });

  const expected = JSON.parse(read('expected-errors.json')) as Record<string, [number, string, string]>;
  const badFiles = readdirSync(join(fixtures, 'bad')).filter((f) => f.endsWith('.x12'));
  it.each(badFiles)('malformed %s: rejected whole with its segment position, nothing delivered', async (f) => {
    const { sink, calls } = recordingSink();
    const err = await ingestX12(read(`bad/${f}`), sink, { source: 's' }).catch((e) => e);
    expect(err).toBeInstanceOf(X12Error);
    const [position, id] = expected[f];
    if (f !== 'wrong-transaction-type.x12') {
      expect([err.segmentPosition, err.segmentId]).toEqual([position, id]);
    } else {
      expect(err.segmentPosition).toBeGreaterThan(0);
    }
    expect(calls.remittances).toEqual([]);
    expect(calls.acks).toEqual([]);
  });

  it('a sink failure propagates (the caller retries; the sink is idempotent on payer + TRN)', async () => {
    const { sink } = recordingSink({ remittance: new Error('database down') });
    await expect(ingestX12(read('835-paid-in-full.x12'), sink, { source: 's' })).rejects.toThrow('database down');
  });
});

describe('ingestX12: 277CA', () => {
  it('one acknowledgement per claim: accepted with the payer claim number, rejected with its STC statuses', async () => {
    const { sink, calls } = recordingSink();
    const result = await ingestX12(read('277ca-one-accepted-one-rejected.x12'), sink, { source: 's', now: () => NOW });
    expect(calls.acks).toEqual([
      { claimId: 'TEST-CLM-0002', accepted: true, reasons: [], payerClaimControlNumber: 'PAYERCCN0002', at: NOW.toISOString(), source: '277CA' },
      { claimId: 'TEST-CLM-0008', accepted: false, reasons: ['A7:562:85'], at: NOW.toISOString(), source: '277CA' },
    ]);
    expect(result.acknowledgements).toEqual(calls.acks);
    expect(calls.remittances).toEqual([]);
  });

  it('the STC12 free text joins the first reason (the simulator round trip: "A7:562 entity identifier invalid")', async () => {
    const text = generate277CA([{ claimId: 'C-1', status: 'rejected', statuses: [{ category: 'A7', code: '562' }, { category: 'A6', code: '128' }], message: 'entity identifier invalid', chargeCents: 100 }], ackOpts);
    const { sink, calls } = recordingSink();
    await ingestX12(text, sink, { source: 's' });
    expect(calls.acks[0]).toMatchObject({ claimId: 'C-1', accepted: false, reasons: ['A7:562 entity identifier invalid', 'A6:128'] });
  });

  it('received-only (A1) claims are reported, not signalled: the payer verdict comes later', async () => {
    const text = generate277CA(
      [
        { claimId: 'C-1', status: 'accepted', statuses: [{ category: 'A1', code: '19', entity: 'PR' }], chargeCents: 100 },
        { claimId: 'C-2', status: 'accepted', chargeCents: 100 },
      ],
      ackOpts,
    );
    const { sink, calls } = recordingSink();
    const result = await ingestX12(text, sink, { source: 's' });
    expect(calls.acks.map((a) => [a.claimId, a.accepted])).toEqual([['C-2', true]]);
    expect(result.notes).toEqual([expect.stringMatching(/C-1: A1:19:PR \(received, not yet accepted/)]);
  });

  it('a malformed 277CA delivers nothing', async () => {
    const text = read('277ca-one-accepted-one-rejected.x12').replace('HL*5*3*PT~', 'HL*5*2*PT~');
    const { sink, calls } = recordingSink();
    await expect(ingestX12(text, sink, { source: 's' })).rejects.toThrow(/segment 33 \(HL\)/);
    expect(calls.acks).toEqual([]);
  });
});

describe('ingestX12: 999', () => {
  it('accepted: nothing signalled (syntax only), noted', async () => {
    const { sink, calls } = recordingSink();
    const result = await ingestX12(read('999-accepted.x12'), sink, { source: 's', lookupInterchange: async () => [{ claimId: 'C-1' }] });
    expect(calls.acks).toEqual([]);
    expect(result.notes).toEqual([expect.stringMatching(/group 201: accepted/)]);
  });

  it('rejected: the claims of the acknowledged group get a rejection with segment/element errors, without the bad value', async () => {
    const asked: string[] = [];
    const { sink, calls } = recordingSink();
    await ingestX12(read('999-rejected.x12'), sink, {
      source: 's',
      now: () => NOW,
      lookupInterchange: async (gcn) => {
        asked.push(gcn);
        return [{ claimId: 'TEST-CLM-0007', interchangeControlNumber: 202 }];
      },
    });
    expect(asked).toEqual(['202']);
    expect(calls.acks).toEqual([
      {
        claimId: 'TEST-CLM-0007',
        interchangeControlNumber: 202,
        accepted: false,
        reasons: ['999 IK5 R (5): NM1 at segment 9 in loop 2010AA error 8; element 9 error 7'],
        at: NOW.toISOString(),
        source: '999',
      },
    ]);
    expect(JSON.stringify(calls.acks)).not.toContain('12345');
  });

  it('a transaction control number narrows the rejection to the claim in that transaction set', async () => {
    const { sink, calls } = recordingSink();
    await ingestX12(read('999-rejected.x12'), sink, {
      source: 's',
      lookupInterchange: async () => [
        { claimId: 'IN-0001', transactionControlNumber: '0001' },
        { claimId: 'IN-0002', transactionControlNumber: '0002' },
      ],
    });
    // The group is rejected as a whole (AK9 R): both claims are refused, each with the rejection found.
    expect(calls.acks.map((a) => a.claimId)).toEqual(['IN-0001', 'IN-0002']);

    const partial = read('999-rejected.x12').replace('AK9*R*1*1*0~', 'AK9*P*2*2*1~').replace('AK2*837*0002*005010X222A1~', 'AK2*837*0001*005010X222A1~\nIK5*A~\nAK2*837*0002*005010X222A1~').replace('SE*9*0001~', 'SE*11*0001~');
    const rec = recordingSink();
    await ingestX12(partial, rec.sink, {
      source: 's',
      lookupInterchange: async () => [
        { claimId: 'IN-0001', transactionControlNumber: '0001' },
        { claimId: 'IN-0002', transactionControlNumber: '0002' },
      ],
    });
    expect(rec.calls.acks.map((a) => [a.claimId, a.accepted])).toEqual([['IN-0002', false]]);
  });

  it('a rejection nobody can resolve to a claim is reported as unmatched', async () => {
    const { sink, calls } = recordingSink();
    const result = await ingestX12(read('999-rejected.x12'), sink, { source: 's' });
    expect(calls.acks).toEqual([]);
    expect(result.notes).toEqual([expect.stringMatching(/group 202: rejected, but no submitted 837P is known/)]);
  });

  it('a group rejected without AK2 detail rejects every claim of the interchange', async () => {
    const text = read('999-rejected.x12').replace(/AK2\*837[\s\S]*?IK5\*R\*5~\n/, '').replace('AK9*R*1*1*0~', 'AK9*R*1*1*0*2~').replace('SE*9*0001~', 'SE*4*0001~');
    const { sink, calls } = recordingSink();
    await ingestX12(text, sink, { source: 's', lookupInterchange: async () => [{ claimId: 'C-9', interchangeControlNumber: 202 }] });
    expect(calls.acks).toEqual([expect.objectContaining({ claimId: 'C-9', accepted: false, reasons: ['999 AK9 R: functional group 202 rejected (2)'] })]);
  });
});
