/** File-drop mechanics on a real temp folder with a recording sink (no Temporal, no database). */
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generate837P } from '../../x12';
import { tfesiClaim } from '../../test/fixtures';
import type { Remittance } from '../../domain/remittance';
import { FileDropClearinghouse, fileSafe } from './file-drop';
import type { Acknowledgement, ClaimSubmission, InboundSink } from './types';

const fixture = (f: string) => readFileSync(path.join(__dirname, '../../x12/fixtures', f), 'utf8');
let dir: string;
let gateways: FileDropClearinghouse[] = [];

function sink(opts: { failTimes?: number; error?: () => Error } = {}) {
  let failures = opts.failTimes ?? 0;
  const got = { remittances: [] as Remittance[], acks: [] as Acknowledgement[] };
  const s: InboundSink = {
    async acknowledgement(a) {
      got.acks.push(a);
    },
    async remittance(r) {
      if (failures > 0) {
        failures--;
        throw opts.error?.() ?? new Error('connection refused (database down)');
      }
      got.remittances.push(r);
      return { ok: true };
    },
  };
  return { s, got };
}

function gateway(s: InboundSink, extra: Partial<ConstructorParameters<typeof FileDropClearinghouse>[0]> = {}) {
  const g = new FileDropClearinghouse({ dir, sink: s, settleMs: 0, pollMs: 20, retryBaseMs: 1, log: () => {}, ...extra });
  gateways.push(g);
  return g;
}

function submission(claimId: string, icn: number): ClaimSubmission {
  const claim = tfesiClaim(claimId);
  const x12 = generate837P(claim, {
    sender: { id: 'DEMOPAIN', name: 'DEMO PAIN', contactName: 'Billing', phone: '5555550100' },
    receiver: { id: 'CLEARINGHOUSE', name: 'Clearinghouse' },
    billingProvider: { npi: '1234567893', name: 'DEMO PAIN', taxId: '999999999', address: { line1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } },
    payer: { id: 'MEDICARE', name: 'MEDICARE' },
    controlNumbers: { isa: icn, gs: icn, st: 1 },
    createdAt: '2026-03-05T09:00:00Z',
  });
  return { submissionId: icn, claim, coveragePriority: 'primary', payerId: 'MEDICARE', frequencyCode: '1', interchangeControlNumber: icn, x12 };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-file-drop-unit-'));
});
afterEach(async () => {
  for (const g of gateways) await g.stop();
  gateways = [];
  await rm(dir, { recursive: true, force: true });
});

describe('FileDropClearinghouse', () => {
  it('submitClaim writes <ICN>-<claimId>.x12 to the outbox and sent/, no temp file left; a retry does not drop it again', async () => {
    const g = gateway(sink().s);
    const sub = submission('C-1', 42);
    expect(await g.submitClaim(sub)).toEqual({ trackingId: 'file-drop:42-C-1.x12' });
    expect(await readdir(path.join(dir, 'outbox'))).toEqual(['42-C-1.x12']);
    expect(await readFile(path.join(dir, 'outbox/42-C-1.x12'), 'utf8')).toBe(sub.x12);
    expect(await readdir(path.join(dir, 'sent'))).toEqual(['42-C-1.x12']);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    // The clearinghouse sync picked it up; the activity is retried after a crash: not written again.
    await rm(path.join(dir, 'outbox/42-C-1.x12'));
    await g.submitClaim(sub);
    expect(await readdir(path.join(dir, 'outbox'))).toEqual([]);
  });

  it('claim ids are made file-name safe', () => {
    expect(fileSafe('A/B:C..d_e-1')).toBe('A_B_C..d_e-1');
  });

  it('statusInquiry: pending once an 837P was handed over, not_found before', async () => {
    const g = gateway(sink().s);
    expect((await g.statusInquiry({ claimId: 'C-2', payerId: 'MEDICARE', submittedAt: '' })).category).toBe('not_found');
    await g.submitClaim(submission('C-2', 43));
    const r = await g.statusInquiry({ claimId: 'C-2', payerId: 'MEDICARE', submittedAt: '' });
    expect(r).toMatchObject({ category: 'pending', detail: expect.stringMatching(/43-C-2\.x12.*asynchronously/) });
  });

  it('the sent/ ledger resolves a 999 group control number to the claim, also after a restart', async () => {
    await gateway(sink().s).submitClaim(submission('C-3', 202));
    const { s, got } = sink();
    const fresh = gateway(s);
    await fresh.init();
    expect(await fresh.lookupInterchange('202')).toEqual([{ claimId: 'C-3', interchangeControlNumber: 202 }]);
    expect(await fresh.lookupInterchange('999')).toEqual([]);
    await writeFile(path.join(dir, 'inbox/999.x12'), fixture('999-rejected.x12'));
    const [out] = await fresh.pollOnce();
    expect(out.outcome).toBe('processed');
    expect(got.acks).toEqual([expect.objectContaining({ claimId: 'C-3', accepted: false, interchangeControlNumber: 202, source: '999' })]);
  });

  it('skips files still being written: in-progress names and files younger than settleMs', async () => {
    const { s, got } = sink();
    const g = gateway(s, { settleMs: 60_000 });
    await g.init();
    await writeFile(path.join(dir, 'inbox/a.x12.part'), fixture('835-paid-in-full.x12'));
    await writeFile(path.join(dir, 'inbox/.hidden.x12'), fixture('835-paid-in-full.x12'));
    await writeFile(path.join(dir, 'inbox/fresh.x12'), fixture('835-paid-in-full.x12'));
    expect(await g.pollOnce()).toEqual([]);
    const old = new Date(Date.now() - 120_000);
    await utimes(path.join(dir, 'inbox/fresh.x12'), old, old);
    expect((await g.pollOnce()).map((o) => [o.file, o.outcome])).toEqual([['fresh.x12', 'processed']]);
    expect(got.remittances).toHaveLength(1);
    expect((await readdir(path.join(dir, 'inbox'))).sort()).toEqual(['.hidden.x12', 'a.x12.part']);
  });

  it('processed files get a report; malformed ones go to failed/ with the segment position; nothing is delivered from them', async () => {
    const { s, got } = sink();
    const g = gateway(s);
    await g.init();
    await writeFile(path.join(dir, 'inbox/good.x12'), fixture('835-paid-in-full.x12'));
    await writeFile(path.join(dir, 'inbox/bad.x12'), fixture('bad/unbalanced-clp.x12'));
    await writeFile(path.join(dir, 'inbox/not-x12.txt'), 'hello');
    const outcomes = await g.pollOnce();
    expect(outcomes.map((o) => [o.file, o.outcome]).sort()).toEqual([['bad.x12', 'failed'], ['good.x12', 'processed'], ['not-x12.txt', 'failed']]);
    expect(got.remittances.map((r) => r.traceNumber)).toEqual(['EFT-TEST-0001']);
    const report = JSON.parse(await readFile(path.join(dir, 'processed/good.x12.report.json'), 'utf8'));
    expect(report).toMatchObject({ file: 'good.x12', kind: '835', remittances: [{ traceNumber: 'EFT-TEST-0001', result: { ok: true } }] });
    const error = await readFile(path.join(dir, 'failed/bad.x12.error.txt'), 'utf8');
    expect(error).toContain('segment position: 11\nsegment id: CLP\nerror code: BALANCE');
    expect(error).toContain('claim TEST-CLM-0002 does not balance');
    expect(await readFile(path.join(dir, 'failed/not-x12.txt.error.txt'), 'utf8')).toContain('segment position: 1');
    expect(await readdir(path.join(dir, 'inbox'))).toEqual([]);
    expect(await readdir(path.join(dir, 'processing'))).toEqual([]);
  });

  it('a passing failure (database down) puts the file back in the inbox; the poller retries it', async () => {
    const { s, got } = sink({ failTimes: 2 });
    const g = gateway(s);
    await g.init();
    await writeFile(path.join(dir, 'inbox/era.x12'), fixture('835-paid-in-full.x12'));
    const [first] = await g.pollOnce();
    expect(first).toMatchObject({ file: 'era.x12', outcome: 'retry', error: expect.stringContaining('database down') });
    expect(await readdir(path.join(dir, 'inbox'))).toEqual(['era.x12']);
    await g.start();
    for (let i = 0; i < 100 && got.remittances.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got.remittances).toHaveLength(1);
    await g.stop();
    expect(await readdir(path.join(dir, 'processed'))).toEqual(['era.x12', 'era.x12.report.json']);
  });

  it('a poison file (ingestion fails for a reason that is not an outage) goes to failed/ after maxTries, with the reason', async () => {
    const { s, got } = sink({ failTimes: 1000, error: () => new TypeError("Cannot read properties of undefined (reading 'claims')") });
    const g = gateway(s, { maxTries: 3 });
    await g.init();
    await writeFile(path.join(dir, 'inbox/poison.x12'), fixture('835-paid-in-full.x12'));
    const outcomes: string[] = [];
    for (let i = 0; i < 50 && !outcomes.includes('failed'); i++) {
      outcomes.push(...(await g.pollOnce()).map((o) => o.outcome));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(outcomes).toEqual(['retry', 'retry', 'failed']);
    expect(got.remittances).toEqual([]);
    expect(await readdir(path.join(dir, 'inbox'))).toEqual([]);
    expect(await readFile(path.join(dir, 'failed/poison.x12.error.txt'), 'utf8')).toContain('ingestion failed 3 times (not an outage)');
  });

  it('an outage (PostgreSQL refusing connections) never sends a file to failed/: it waits and is taken in afterwards', async () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { s, got } = sink({ failTimes: 8, error: refused });
    const g = gateway(s, { maxTries: 3 });
    await g.init();
    await writeFile(path.join(dir, 'inbox/era.x12'), fixture('835-paid-in-full.x12'));
    const outcomes: string[] = [];
    for (let i = 0; i < 500 && !outcomes.includes('processed'); i++) {
      outcomes.push(...(await g.pollOnce()).map((o) => o.outcome));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(outcomes.filter((o) => o === 'retry')).toHaveLength(8);
    expect(outcomes.at(-1)).toBe('processed');
    expect(got.remittances).toHaveLength(1);
    expect(await readdir(path.join(dir, 'failed'))).toEqual([]);
  });

  it('a failed 837P write leaves no temp file (PHI) behind; temp files a crash left are swept at start', async () => {
    const g = gateway(sink().s);
    await g.init();
    await rm(path.join(dir, 'outbox'), { recursive: true });
    await expect(g.submitClaim(submission('C-9', 909))).rejects.toThrow(/ENOENT/);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    await writeFile(path.join(dir, 'tmp/crashed.x12.1.1.tmp'), 'ISA*...');
    const old = new Date(Date.now() - 120_000);
    await utimes(path.join(dir, 'tmp/crashed.x12.1.1.tmp'), old, old);
    await writeFile(path.join(dir, 'tmp/in-flight.x12.2.1.tmp'), 'ISA*...'); // another process, writing now
    const restarted = gateway(sink().s);
    await restarted.start();
    await restarted.stop();
    expect(await readdir(path.join(dir, 'tmp'))).toEqual(['in-flight.x12.2.1.tmp']);
  });

  it('start() returns files a crash left in processing/ to the inbox', async () => {
    const { s, got } = sink();
    const g = gateway(s);
    await g.init();
    await writeFile(path.join(dir, 'processing/left.x12'), fixture('277ca-one-accepted-one-rejected.x12'));
    await g.start();
    for (let i = 0; i < 100 && got.acks.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await g.stop();
    expect(got.acks.map((a) => [a.claimId, a.accepted])).toEqual([['TEST-CLM-0002', true], ['TEST-CLM-0008', false]]);
    expect(await readdir(path.join(dir, 'processing'))).toEqual([]);
  });

  it('stop() ends polling', async () => {
    const { s, got } = sink();
    const g = gateway(s);
    await g.start();
    await g.stop();
    await writeFile(path.join(dir, 'inbox/late.x12'), fixture('835-paid-in-full.x12'));
    await new Promise((r) => setTimeout(r, 100));
    expect(got.remittances).toEqual([]);
    expect(await readdir(path.join(dir, 'inbox'))).toEqual(['late.x12']);
  });
});
