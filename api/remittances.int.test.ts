/**
 * POST /api/remittances and what posting does with it: an 835 for a real claim posts through its
 * workflow once, however often it arrives; an unknown claim is parked with a work item; a
 * malformed file is rejected whole with the segment position and posts nothing. Also DEN-6/DEN-7
 * and a worker restart in the middle of a claim.
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import type { ClaimDocument } from '../domain/claim-document';
import type { Remittance } from '../domain/remittance';
import { addCalendarDays } from '../domain/business-days';
import { generate835 } from '../x12';
import { createRcmWorker } from '../workers/worker';
import { workflowBundle } from '../test/harness';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { parseEncryptionKeys } from '../lib/config';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../x12/fixtures', name), 'utf8');
const today = () => new Date().toISOString().slice(0, 10);

async function postClaim(claim: ClaimDocument) {
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
}
const state = (claimId: string) => h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).query(claimStateQuery);
const untilStatus = (claimId: string, status: string) =>
  eventually(async () => {
    const s = await state(claimId);
    return s.status === status ? s : undefined;
  }, `${claimId} ${status}`);

function remittanceFor(claims: ClaimDocument[], behaviour: Parameters<Harness['simulator']['claimPayment']>[2], payerId = 'MEDICARE'): Remittance {
  const payments = claims.map((c) => ({ ...h.simulator.claimPayment(c, payerId, behaviour), payerClaimControlNumber: `ICN-${c.claimId}` }));
  return {
    payerId,
    traceNumber: uniqueId('TRN'),
    totalPaidCents: payments.reduce((s, p) => s + p.paidCents, 0),
    paymentDate: today(),
    adjudicationDate: today(),
    claims: payments,
    providerAdjustments: [],
  };
}
const as835 = (r: Remittance) =>
  generate835(r, {
    sender: { id: 'SYNTHPAYER', name: 'Synthetic payer' },
    receiver: { id: 'DEMOPAIN', name: 'Demo Pain' },
    payer: { name: 'SYNTHETIC MEDICARE', companyId: '1999999999', id: r.payerId },
    payee: { name: 'DEMO PAIN', npi: '1456789019' },
    controlNumbers: { isa: 501, gs: 501, st: 1 },
    createdAt: new Date().toISOString(),
  });

describe('POST /api/remittances', () => {
  it('an 835 received twice posts once (payer + TRN key); the claim closes paid', async () => {
    const claim = tfesiClaim(uniqueId('ERA'));
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');
    const text = as835(remittanceFor([claim], { kind: 'pay' }));
    const first = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('biller'), 'content-type': 'text/plain' }, payload: text });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().remittances[0]).toMatchObject({ duplicate: false, matched: [claim.claimId], unmatched: [] });
    const second = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('biller'), 'content-type': 'text/plain' }, payload: text });
    expect(second.statusCode).toBe(200);
    expect(second.json().remittances[0].duplicate).toBe(true);
    await untilStatus(claim.claimId, 'closed');
    expect(await h.db('payments').where({ claim_id: claim.claimId })).toHaveLength(1);
    expect((await state(claim.claimId)).payments).toHaveLength(1);
  });

  it('a payment for an unknown claim is parked with a work item, never dropped', async () => {
    const ghost = tfesiClaim(uniqueId('GHOST'));
    const r = { ...remittanceFor([ghost], { kind: 'pay' }), payeeNpi: '1456789019' }; // the demo practice's billing NPI
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: r });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().remittances[0]).toMatchObject({ matched: [], unmatched: [ghost.claimId] });
    const parked = await h.db('remittance_claims').where({ claim_id: ghost.claimId }).first();
    expect(parked.match_status).toBe('unmatched');
    const item = await h.db('work_items').where({ kind: 'unmatched_remittance' }).whereRaw(`detail->>'claimId' = ?`, [ghost.claimId]).first();
    expect(item).toMatchObject({ rule_id: 'POST-1', status: 'open', practice_id: 'demo-pain' }); // on the paid practice's worklist
  });

  it.each([
    ['se-count-mismatch.x12', 16, 'SE'],
    ['bad-amount.x12', 11, 'CLP'],
    ['loop-unknown-segment.x12', 16, 'ZZZ'],
  ])('a malformed 835 (%s) is rejected whole with the segment position; nothing is stored', async (file, position, segment) => {
    const before = Number((await h.db('remittances').count({ n: '*' }))[0].n);
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: { ...h.auth('biller'), 'content-type': 'text/plain' }, payload: fixture(`bad/${file}`) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_x12', segmentPosition: position, segmentId: segment });
    expect(res.json().message).toContain(`segment ${position}`);
    expect(Number((await h.db('remittances').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('a public 835 naming its payer only in TRN03: 400 at its N1*PR while no payer id maps, 201 under our payer key once mapped', async () => {
    // LinuxForHealth/x12 managed-care.835 (BPR16 typo fixed): no REF*2U, N1*PR without N104, TRN03 1935665544.
    const text = readFileSync(path.resolve(__dirname, '../x12/fixtures/public/derived-835-managed-care-bpr16-fixed.835'), 'utf8');
    const headers = { ...h.auth('biller'), 'content-type': 'text/plain' };
    const refused = await h.app.inject({ method: 'POST', url: '/api/remittances', headers, payload: text });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'invalid_x12', segmentPosition: 7, segmentId: 'N1' });
    expect(refused.json().reason).toMatch(/unknown payer: none of TRN03 "1935665544"/);
    expect(await h.db('remittances').where({ trace_number: '7170066655', payer_id: 'MEDICAID' })).toHaveLength(0);

    await h.db('payer_identifiers').insert({ practice_id: null, identifier: '1935665544', payer_id: 'MEDICAID' });
    try {
      const posted = await h.app.inject({ method: 'POST', url: '/api/remittances', headers, payload: text });
      expect(posted.statusCode, posted.body).toBe(201);
      expect(posted.json().remittances[0]).toMatchObject({ remittanceKey: 'MEDICAID:7170066655', duplicate: false, unmatched: ['5554555444', '8765432112'] });
    } finally {
      await h.db('payer_identifiers').where({ identifier: '1935665544' }).delete();
    }
  });

  it('a JSON remittance whose total does not balance is refused naming the field', async () => {
    const r = remittanceFor([tfesiClaim(uniqueId('BAL'))], { kind: 'pay' });
    r.totalPaidCents += 1;
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: r });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('totalPaidCents');
  });
});

describe('partly paid claims', () => {
  it('DEN-1: a line denied inside a paid claim is logged and worked; the claim stays open until it is', async () => {
    // Two levels on the left: the payer pays 64483 and denies the add-on level 64484.
    const claim = tfesiClaim(uniqueId('LINE'), {
      lines: [
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
      ],
      documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
    });
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');
    const paid = remittanceFor([claim], { kind: 'pay' });
    const cp = paid.claims[0];
    const denied = cp.lines[1];
    cp.lines[1] = { ...denied, paidCents: 0, allowedCents: 0, adjustments: [{ group: 'CO', carc: '50', amountCents: denied.chargedCents }], remarks: ['N115'] };
    cp.paidCents = cp.lines.reduce((s2, l) => s2 + l.paidCents, 0);
    cp.patientResponsibilityCents = cp.lines.reduce((s2, l) => s2 + l.adjustments.filter((a) => a.group === 'PR').reduce((t, a) => t + a.amountCents, 0), 0);
    paid.totalPaidCents = cp.paidCents;
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: paid });
    expect(res.statusCode, res.body).toBe(201);
    const item = await eventually(async () => (await h.db('work_items').where({ entity_id: claim.claimId, kind: 'line_denial' }))[0], 'line denial work item');
    expect(item.detail).toMatchObject({ cpts: ['64484'], carc: '50', category: 'hard' });
    expect(item.rule_id).toBe('DEN-4');
    expect(await h.db('denials').where({ claim_id: claim.claimId })).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await state(claim.claimId)).status).toBe('posted'); // not closed while the line is open
    const done = await h.app.inject({ method: 'POST', url: `/api/work-items/${item.id}/complete`, headers: h.auth('biller'), payload: { outcome: { resolution: 'corrected: modifier added and resubmitted', note: 'see DEN-3' } } });
    expect(done.statusCode, done.body).toBe(200);
    await untilStatus(claim.claimId, 'closed');
  });
});

describe('split claim payments', () => {
  it('two CLPs for the same claim with the same status in one 835 post as two payments', async () => {
    const claim = tfesiClaim(uniqueId('SPLIT'));
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');
    const r = remittanceFor([claim], { kind: 'pay' });
    const whole = r.claims[0];
    const half = (n: number) => Math.floor(n / 2);
    const first = { ...whole, paidCents: half(whole.paidCents), lines: [] as typeof whole.lines, adjustments: [{ group: 'CO' as const, carc: '45', amountCents: whole.chargedCents - half(whole.paidCents) - whole.patientResponsibilityCents }] };
    const second = { ...whole, paidCents: whole.paidCents - half(whole.paidCents), patientResponsibilityCents: 0, chargedCents: whole.paidCents - half(whole.paidCents), lines: [] as typeof whole.lines, adjustments: [] };
    const split: Remittance = { ...r, claims: [first, second], totalPaidCents: whole.paidCents };
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: split });
    expect(res.statusCode, res.body).toBe(201);
    const rows = await eventually(async () => {
      const p = await h.db('payments').where({ claim_id: claim.claimId });
      return p.length === 2 ? p : undefined;
    }, 'two payment rows');
    expect(rows.reduce((s2, p) => s2 + p.paid_cents, 0)).toBe(whole.paidCents);
  });
});

describe('secondary claims (POST-6)', () => {
  it("a secondary payer's denial is logged and worked before the claim closes", async () => {
    const claim = tfesiClaim(uniqueId('SECDENY'), { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-777' } });
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');
    const primary = remittanceFor([claim], { kind: 'pay' });
    expect((await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: primary })).statusCode).toBe(201);
    await untilStatus(claim.claimId, 'secondary_submitted');
    const secondary = remittanceFor([claim], { kind: 'deny', carc: '22', rarc: 'MA04' }, 'MEDICAID');
    expect((await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: secondary })).statusCode).toBe(201);
    const item = await eventually(async () => (await h.db('work_items').where({ entity_id: claim.claimId, kind: 'line_denial' }))[0], 'secondary denial work item');
    expect(item.detail).toMatchObject({ coverage: 'secondary', carc: '22', category: 'soft' });
    expect(item.rule_id).toBe('DEN-3');
    expect((await h.db('denials').where({ claim_id: claim.claimId, payer_id: 'MEDICAID' }))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await state(claim.claimId)).status).toBe('posted');
    const done = await h.app.inject({ method: 'POST', url: `/api/work-items/${item.id}/complete`, headers: h.auth('biller'), payload: { outcome: { resolution: 'primary EOB attached, resubmitted to MEDICAID' } } });
    expect(done.statusCode, done.body).toBe(200);
    await untilStatus(claim.claimId, 'closed');
  });
});

describe('operator redelivery', () => {
  it('POST /api/remittances/redeliver (admin only) signals a stored payment that never reached its claim', async () => {
    const claim = tfesiClaim(uniqueId('REDELIVER'));
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');
    // As after a crash between storing the ERA and signalling: stored, matched, not delivered.
    const r = remittanceFor([claim], { kind: 'pay' });
    const key = `${r.payerId}:${r.traceNumber}`;
    await h.db('remittances').insert({ remittance_key: key, payer_id: r.payerId, trace_number: r.traceNumber, payment_date: r.paymentDate, adjudication_date: r.adjudicationDate, total_paid_cents: r.totalPaidCents, claim_count: 1, source: 'test', received_at: new Date().toISOString() });
    await h.db('remittance_claims').insert({ remittance_key: key, seq: 0, practice_id: claim.practiceId, claim_id: claim.claimId, claim_status_code: '1', paid_cents: r.claims[0].paidCents, claim_payment: JSON.stringify(r.claims[0]), match_status: 'matched' });

    expect((await h.app.inject({ method: 'POST', url: '/api/remittances/redeliver', headers: h.auth('biller') })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances/redeliver', headers: h.auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.json().delivered).toBeGreaterThanOrEqual(1);
    await untilStatus(claim.claimId, 'closed');
    expect(await h.db('payments').where({ claim_id: claim.claimId })).toHaveLength(1);
  });
});

describe('denials across claims', () => {
  it('DEN-7: three CO-50 denials on 64635 from one payer within 30 days raise one root-cause item; DEN-6 lists the two MBB notes', async () => {
    const rfa = (id: string) =>
      tfesiClaim(id, {
        payerId: 'COMMERCIAL',
        priorAuthNumber: 'AUTH-RFA-1',
        diagnoses: ['M47.816'],
        lines: [{ cpt: '64635', modifiers: ['LT'], units: 1, chargeCents: 310000, diagnosisPointers: [1] }],
        documentation: { procedures: [{ family: 'rfa', region: 'lumbar', levels: ['L4-L5'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
      });
    // The RFA authorization carries the two diagnostic MBB notes (as the authorization workflow records them).
    const mbbNotes = [
      { date: addCalendarDays(today(), -90), reliefPercent: 85, reliefHours: 6, levels: ['L4-L5'] },
      { date: addCalendarDays(today(), -69), reliefPercent: 90, reliefHours: 8, levels: ['L4-L5'] },
    ];
    await h.db('authorizations')
      .insert({ auth_id: uniqueId('AUTH'), practice_id: 'demo-pain', payer_id: 'COMMERCIAL', patient_id: 'PT-1001', auth_number: 'AUTH-RFA-1', status: 'approved', family: 'rfa', cpts: ['64635'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', valid_from: addCalendarDays(today(), -60), valid_to: addCalendarDays(today(), 120), workflow_id: 'auth:test', details: { mbbNotes } });
    const claims = [rfa(uniqueId('RFA')), rfa(uniqueId('RFA')), rfa(uniqueId('RFA'))];
    for (const c of claims) {
      h.simulator.behaveFor(c.claimId, { kind: 'deny', carc: '50', rarc: 'N115' });
      await postClaim(c);
    }
    for (const c of claims) {
      const s = await untilStatus(c.claimId, 'denied');
      expect(s.denial?.appealPackage).toEqual(expect.arrayContaining(['diagnostic_mbb_note_1', 'diagnostic_mbb_note_2']));
    }
    const appeal = await eventually(async () => (await h.db('work_items').where({ entity_id: claims[0].claimId, kind: 'appeal' }))[0], 'appeal work item');
    expect(appeal.detail.mbbNotes).toEqual(mbbNotes); // DEN-6: the notes themselves, not a reference to look them up
    // The view once the denial's work items are all open (the P2P item follows the appeal item).
    const view = await eventually(async () => {
      const v = (await h.app.inject({ method: 'GET', url: `/api/claims/${claims[0].claimId}`, headers: h.auth() })).json();
      return v.workItems.length >= 2 ? v : undefined;
    }, 'claim view with its denial work items');
    expect(view.status).toBe('denied');
    expect(view.denials).toMatchObject([{ carc: '50', category: 'hard', kind: 'medical_necessity', rarcs: ['N115'] }]);
    expect(view.workItems.map((w: { kind: string }) => w.kind)).toEqual(expect.arrayContaining(['appeal', 'peer_to_peer']));
    // Operators find them in the Web UI with search attributes (no PHI in any of them).
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wfe of h.client.workflow.list({ query: `RcmKind = "claim" AND DenialCategory = "hard" AND PayerId = "COMMERCIAL" AND CptCodes = "64635"` })) ids.push(wfe.workflowId);
      return claims.every((c) => ids.includes(`claim:${c.practiceId}:${c.claimId}`)) ? ids : undefined;
    }, 'hard denials listed by search attributes');
    expect(listed).toEqual(expect.arrayContaining(claims.map((c) => `claim:${c.practiceId}:${c.claimId}`)));
    const rootCause = await eventually(async () => {
      // (api/revenue-fixes.int.test.ts raises items for the same pattern in practices of its own.)
      const rows = await h.db('work_items').where({ kind: 'denial_root_cause', entity_id: 'COMMERCIAL:64635:50', practice_id: 'demo-pain' });
      return rows.length ? rows : undefined;
    }, 'root-cause item');
    expect(rootCause).toHaveLength(1);
    expect(rootCause[0]).toMatchObject({ rule_id: 'DEN-7', practice_id: 'demo-pain' });
    expect(rootCause[0].detail.count).toBeGreaterThanOrEqual(3);
  });
});

describe('durability', () => {
  it('a worker stopped in the middle of a claim: a new worker finishes it correctly, posting once', async () => {
    const claim = tfesiClaim(uniqueId('RESTART'));
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    await postClaim(claim);
    await untilStatus(claim.claimId, 'submitted');

    // Stop the harness worker, deliver the payment while no worker runs, then start a fresh one.
    h.worker.shutdown();
    await eventually(async () => (h.worker.getState() === 'STOPPED' ? true : undefined), 'worker stopped');
    const r = remittanceFor([claim], { kind: 'pay' });
    const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: r });
    expect(res.statusCode).toBe(201);

    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const fresh = await createRcmWorker({ connection, namespace: 'default', db: h.db, gateway: h.simulator, keys: parseEncryptionKeys(inject('encryptionKeys')), workflowBundle: await workflowBundle() });
    await fresh.runUntil(async () => {
      const done = await untilStatus(claim.claimId, 'closed');
      expect(done.payments).toHaveLength(1);
    });
    await connection.close();
    expect(await h.db('payments').where({ claim_id: claim.claimId })).toHaveLength(1);
    expect(await h.db('submissions').where({ claim_id: claim.claimId })).toHaveLength(1);
  });
});
