/**
 * The file-drop clearinghouse behind the real worker on the dev server: claims posted through the
 * API leave as 837P files in the outbox; 999 / 277CA / 835 files dropped into the inbox drive the
 * claim workflows; malformed files land in failed/ with the segment position and post nothing; a
 * file received twice posts once.
 */
import { DEMO_PRACTICE_ID } from '../../db/seed';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { eventually, startHarness, uniqueId, workflowBundle, type Harness } from '../../test/harness';
import { tfesiClaim } from '../../test/fixtures';
import { parseEncryptionKeys } from '../../lib/config';
import { createRcmWorker } from '../../workers/worker';
import { claimStateQuery, claimWorkflowId, type ClaimWorkflowState } from '../../contracts/claim';
import type { ClaimDocument } from '../../domain/claim-document';
import type { Remittance } from '../../domain/remittance';
import { generate835, parse837P } from '../../x12';
import { generate277CA } from '../../x12/generate-277ca';
import { FileDropClearinghouse } from './file-drop';
import { PayerSimulator } from './simulator';

let h: Harness;
let dir: string;
let fileDrop: FileDropClearinghouse;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
const logs: string[] = [];

beforeAll(async () => {
  h = await startHarness({ worker: false });
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-file-drop-'));
  fileDrop = new FileDropClearinghouse({ dir, sink: h.inbound, pollMs: 100, settleMs: 0, log: (l) => logs.push(l) });
  await fileDrop.start();
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createRcmWorker({
    connection,
    namespace: 'default',
    db: h.db,
    gateway: fileDrop,
    keys: parseEncryptionKeys(inject('encryptionKeys')),
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await connection?.close();
  await fileDrop?.stop();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const state = (claimId: string) => h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).query(claimStateQuery);
async function until(claimId: string, pred: (s: ClaimWorkflowState) => boolean, what: string) {
  return eventually(async () => {
    const s = await state(claimId);
    return pred(s) ? s : undefined;
  }, `${claimId} ${what}`);
}
async function post(claim: ClaimDocument) {
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
}
const folder = (name: string) => path.join(dir, name);
const list = async (name: string) => (await readdir(folder(name))).sort();

/** Wait for the claim's 837P in the outbox; returns its file name and text. */
async function outboxFileFor(claimId: string) {
  const name = await eventually(async () => (await list('outbox')).find((n) => n.endsWith(`-${claimId}.x12`)), `837P for ${claimId} in the outbox`);
  return { name, icn: Number(name.split('-')[0]), text: await readFile(folder(`outbox/${name}`), 'utf8') };
}

/** Drop a file into the inbox the way a sync tool should: a temp name first, then a rename. */
async function drop(name: string, text: string) {
  await writeFile(folder(`inbox/${name}.part`), text);
  await rename(folder(`inbox/${name}.part`), folder(`inbox/${name}`));
}

async function processed(name: string) {
  await eventually(async () => ((await list('processed')).includes(name) ? true : undefined), `${name} processed`);
  return JSON.parse(await readFile(folder(`processed/${name}.report.json`), 'utf8'));
}

const envelope = (n: number) => ({
  sender: { id: 'CLEARINGHOUSE', name: 'CLEARINGHOUSE' },
  receiver: { id: 'DEMOPAIN', name: 'DEMO PAIN' },
  controlNumbers: { isa: n, gs: n, st: 1 },
  createdAt: new Date().toISOString(),
});
let control = 700;

function accepted277(claim: ClaimDocument): string {
  const total = claim.lines.reduce((s, l) => s + l.chargeCents, 0);
  return generate277CA([{ claimId: claim.claimId, status: 'accepted', chargeCents: total, payerClaimControlNumber: `CCN${control}` }], {
    ...envelope(++control),
    payer: { name: 'MEDICARE', id: 'MEDICARE' },
    provider: { name: 'DEMO PAIN', npi: claim.renderingNpi },
  });
}

/** An 835 paying the claim at contract (the simulator's arithmetic), as a payer would send it. */
function paying835(claim: ClaimDocument, traceNumber: string): { text: string; remittance: Remittance } {
  const payment = new PayerSimulator().claimPayment(claim, claim.payerId, { kind: 'pay' });
  const today = new Date().toISOString().slice(0, 10);
  const remittance: Remittance = { payerId: claim.payerId, traceNumber, totalPaidCents: payment.paidCents, paymentDate: today, adjudicationDate: today, claims: [payment], providerAdjustments: [] };
  const text = generate835(remittance, { ...envelope(++control), payer: { name: 'MEDICARE', companyId: '1999999999', id: claim.payerId }, payee: { name: 'DEMO PAIN', npi: claim.renderingNpi } });
  return { text, remittance };
}

const accepted999 = (icn: number) =>
  [
    'ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*DEMOPAIN       *260305*0900*^*00501*000000301*0*T*:~',
    'GS*FA*CLEARINGHOUSE*DEMOPAIN*20260305*0900*301*X*005010X231A1~',
    'ST*999*0001*005010X231A1~',
    `AK1*HC*${icn}*005010X222A1~`,
    'AK2*837*0001*005010X222A1~',
    'IK5*A~',
    'AK9*A*1*1*1~',
    'SE*6*0001~',
    'GE*1*301~',
    'IEA*1*000000301~',
  ].join('\n') + '\n';

const rejected999 = (icn: number) =>
  [
    'ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*DEMOPAIN       *260305*0900*^*00501*000000302*0*T*:~',
    'GS*FA*CLEARINGHOUSE*DEMOPAIN*20260305*0900*302*X*005010X231A1~',
    'ST*999*0001*005010X231A1~',
    `AK1*HC*${icn}*005010X222A1~`,
    'AK2*837*0001*005010X222A1~',
    'IK3*NM1*9*2010AA*8~',
    'IK4*9*67*7~',
    'IK5*R*5~',
    'AK9*R*1*1*0~',
    'SE*8*0001~',
    'GE*1*302~',
    'IEA*1*000000302~',
  ].join('\n') + '\n';

describe('file-drop clearinghouse (dev server, real worker)', () => {
  it('837P in the outbox parses back to the claim; 999 + 277CA accept and an 835 in the inbox close the claim as paid', async () => {
    const claimId = uniqueId('FD-PAY');
    const claim = tfesiClaim(claimId);
    await post(claim);
    const out = await outboxFileFor(claimId);
    expect(out.name).toMatch(new RegExp(`^\\d+-${claimId}\\.x12$`));
    const [parsed] = parse837P(out.text, { practiceId: claim.practiceId, payerId: claim.payerId });
    const { documentation: _dropped, ...withoutDocs } = claim;
    expect(parsed.claim).toEqual(withoutDocs);
    expect(await readFile(folder(`sent/${out.name}`), 'utf8')).toBe(out.text);
    expect((await list('tmp')).filter((n) => n.includes(claimId))).toEqual([]); // no temp file left behind
    const submitted = await until(claimId, (s) => s.status === 'submitted', 'submitted');
    expect(submitted.submissions[0].interchangeControlNumber).toBe(out.icn);

    // 999 accepted: syntax only, the claim stays submitted.
    await drop(`999-${claimId}.x12`, accepted999(out.icn));
    const r999 = await processed(`999-${claimId}.x12`);
    expect(r999).toMatchObject({ kind: '999', acknowledgements: [] });
    expect((await state(claimId)).status).toBe('submitted');

    await drop(`277ca-${claimId}.x12`, accepted277(claim));
    const r277 = await processed(`277ca-${claimId}.x12`);
    expect(r277.acknowledgements).toEqual([expect.objectContaining({ claimId, accepted: true, source: '277CA' })]);
    const acked = await until(claimId, (s) => s.status === 'acknowledged', 'acknowledged');
    expect(acked.submissions[0].ack).toBe('accepted');

    const trn = uniqueId('FDTRN');
    const { text, remittance } = paying835(claim, trn);
    await drop(`835-${claimId}.x12`, text);
    const r835 = await processed(`835-${claimId}.x12`);
    expect(r835.remittances).toEqual([expect.objectContaining({ traceNumber: trn, claims: 1, result: expect.objectContaining({ duplicate: false, matched: [claimId] }) })]);
    const closed = await until(claimId, (s) => s.status === 'closed', 'closed');
    expect(closed.payments).toHaveLength(1);
    expect(closed.payments[0]).toMatchObject({ paidCents: remittance.totalPaidCents, underpaidCents: 0 });
    const stored = await h.db('remittances').where({ trace_number: trn }).first();
    expect(stored.source).toBe('file-drop');
    expect((await list('inbox')).filter((n) => n.includes(claimId))).toEqual([]);

    expect(await fileDrop.statusInquiry({ claimId, payerId: 'MEDICARE', submittedAt: new Date().toISOString() })).toMatchObject({ category: 'pending', detail: expect.stringContaining(out.name) });
    expect(await fileDrop.statusInquiry({ claimId: 'NEVER-SENT', payerId: 'MEDICARE', submittedAt: new Date().toISOString() })).toMatchObject({ category: 'not_found' });
  });

  it('a 999 rejection is matched to the claim through the interchange control number: the claim goes back for correction', async () => {
    const claimId = uniqueId('FD-999');
    await post(tfesiClaim(claimId));
    const out = await outboxFileFor(claimId);
    await until(claimId, (s) => s.status === 'submitted', 'submitted');
    await drop(`999r-${claimId}.x12`, rejected999(out.icn));
    await processed(`999r-${claimId}.x12`);
    const rejected = await until(claimId, (s) => s.status === 'rejected', 'rejected');
    expect(rejected.submissions[0]).toMatchObject({ ack: 'rejected', reasons: ['999 IK5 R (5): NM1 at segment 9 in loop 2010AA error 8; element 9 error 7'] });
  });

  it('a malformed 835 moves to failed/ with the segment position and reason; nothing from it is posted', async () => {
    const claimId = uniqueId('FD-BAD');
    const claim = tfesiClaim(claimId);
    await post(claim);
    await outboxFileFor(claimId);
    await until(claimId, (s) => s.status === 'submitted', 'submitted');
    const trn = uniqueId('FDBAD');
    const { text } = paying835(claim, trn);
    // CLP04 paid amount no longer balances against its adjustments.
    const clpIndex = text.split('\n').findIndex((l) => l.startsWith('CLP*'));
    const lines = text.split('\n');
    const clp = lines[clpIndex].split('*');
    clp[4] = String(Number(clp[4]) + 1);
    lines[clpIndex] = clp.join('*');
    const name = `835-bad-${claimId}.x12`;
    await drop(name, lines.join('\n'));

    await eventually(async () => ((await list('failed')).includes(name) ? true : undefined), `${name} in failed/`);
    const error = await readFile(folder(`failed/${name}.error.txt`), 'utf8');
    expect(error).toContain(`segment position: `);
    expect(error).toMatch(/segment position: \d+\nsegment id: (BPR|CLP)\nerror code: BALANCE\nreason: .*balance/);
    expect(error).toContain('nothing from it was posted');
    expect((await list('processed')).includes(name)).toBe(false);
    expect(await h.db('remittances').where({ trace_number: trn })).toHaveLength(0);
    expect(await h.db('payments').where({ claim_id: claimId })).toHaveLength(0);
    expect((await state(claimId)).status).toBe('submitted');
    expect(logs.some((l) => l.includes(name) && l.includes('failed/'))).toBe(true);
  });

  it('a public 835 naming its payer only in TRN03 fails while no payer id maps, and posts once payer_identifiers maps it', async () => {
    // LinuxForHealth/x12 managed-care.835 (BPR16 typo fixed): no REF*2U, N1*PR without N104, TRN03 1935665544.
    // A trace number of its own: the same public file posted by another suite is the same payment
    // (payer as the file names itself + TRN + CLP) and would rightly be a duplicate here.
    const trace = `71700${Date.now().toString().slice(-8)}`;
    const text = (await readFile(path.join(__dirname, '../../x12/fixtures/public/derived-835-managed-care-bpr16-fixed.835'), 'utf8')).replace('TRN*1*7170066655*', `TRN*1*${trace}*`);
    const name = `835-trn03-${uniqueId('PUB')}.835`;
    await drop(name, text);
    await eventually(async () => ((await list('failed')).includes(name) ? true : undefined), `${name} in failed/`);
    const error = await readFile(folder(`failed/${name}.error.txt`), 'utf8');
    expect(error).toMatch(/segment position: 7\nsegment id: N1\nerror code: CONTENT\nreason: unknown payer: none of TRN03 "1935665544"/);
    expect(await h.db('remittances').where({ trace_number: trace })).toHaveLength(0);

    // The clearinghouse's id for this payer, mapped for the whole installation.
    await h.db('payer_identifiers').insert({ practice_id: null, identifier: '1935665544', payer_id: 'COMMERCIAL', note: 'test: TRN03 of a public sample 835' });
    try {
      const again = `835-trn03-again-${uniqueId('PUB')}.835`;
      await drop(again, text);
      const report = await processed(again);
      expect(report.remittances).toEqual([
        expect.objectContaining({ payerId: 'COMMERCIAL', traceNumber: trace, claims: 2, totalPaidCents: 94500 }),
      ]);
      expect(report.remittances[0].result).toMatchObject({ duplicate: false, matched: [], unmatched: ['5554555444', '8765432112'] });
      const [row] = await h.db('remittances').where({ trace_number: trace });
      expect(row).toMatchObject({ payer_id: 'COMMERCIAL', remittance_key: `COMMERCIAL:${trace}`, source: 'file-drop' });
      // Unknown claims are parked, never dropped.
      expect(await h.db('work_items').where({ kind: 'unmatched_remittance', entity_id: `COMMERCIAL:${trace}` })).toHaveLength(2);
    } finally {
      await h.db('payer_identifiers').where({ identifier: '1935665544' }).delete();
    }
  });

  it('the same 835 dropped twice (two names, one poll) posts once', async () => {
    const claimId = uniqueId('FD-DUP');
    const claim = tfesiClaim(claimId);
    await post(claim);
    await outboxFileFor(claimId);
    await until(claimId, (s) => s.status === 'submitted', 'submitted');
    const trn = uniqueId('FDDUP');
    const { text } = paying835(claim, trn);
    // Written side by side, then both renamed in: one poll sees both.
    await writeFile(folder(`tmp/a-${claimId}`), text);
    await writeFile(folder(`tmp/b-${claimId}`), text);
    await rename(folder(`tmp/a-${claimId}`), folder(`inbox/835-a-${claimId}.x12`));
    await rename(folder(`tmp/b-${claimId}`), folder(`inbox/835-b-${claimId}.x12`));
    const first = await processed(`835-a-${claimId}.x12`);
    const second = await processed(`835-b-${claimId}.x12`);
    const duplicates = [first, second].map((r) => r.remittances[0].result.duplicate).sort();
    expect(duplicates).toEqual([false, true]);
    await until(claimId, (s) => s.status === 'closed', 'closed');

    // And again later under the first name: processed/ keeps both copies, still one posting.
    await drop(`835-a-${claimId}.x12`, text);
    await eventually(async () => ((await list('processed')).includes(`835-a-${claimId}.x12.1`) ? true : undefined), 'third copy processed');
    expect(await h.db('remittances').where({ trace_number: trn })).toHaveLength(1);
    expect(await h.db('payments').where({ claim_id: claimId })).toHaveLength(1);
    expect((await state(claimId)).payments).toHaveLength(1);
  });
});
