/**
 * Claim scenarios through the real worker on the dev server, with the payer simulator behind the
 * same gateway interface a clearinghouse uses. HTTP in, payer answers asynchronously, assertions
 * on what a biller sees: status, payments, work items.
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, type ClaimWorkflowState } from '../contracts/claim';
import { addBusinessDays } from '../domain/business-days';
import type { ClaimDocument } from '../domain/claim-document';
import { parse837P } from '../x12';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

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
const workItems = (claimId: string, status = 'open') => h.db('work_items').where({ entity_type: 'claim', entity_id: claimId, status }).orderBy('id');

/** Medicare lumbar TFESI L4-L5 and L5-S1 on the left: 64483-LT + 64484-LT. */
function twoLevelTfesi(claimId: string): ClaimDocument {
  return tfesiClaim(claimId, {
    lines: [
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
    ],
    documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
  });
}

describe('claimWorkflow scenarios (dev server, payer simulator)', () => {
  it('clean claim: scrubbed, 837P submitted, acknowledged, paid at contract, posted and closed', async () => {
    const claimId = uniqueId('CLEAN');
    await post(tfesiClaim(claimId));
    const final = await until(claimId, (s) => s.status === 'closed', 'closed');
    expect(final.scrub?.status).not.toBe('errors');
    expect(final.submissions).toHaveLength(1);
    expect(final.submissions[0].ack).toBe('accepted');
    expect(final.payments).toHaveLength(1);
    expect(final.payments[0].underpaidCents).toBe(0);
    expect(final.history.map((x) => x.status)).toEqual(expect.arrayContaining(['scrubbed', 'submitted', 'acknowledged', 'paid', 'posted', 'closed']));
    const payment = await h.db('payments').where({ claim_id: claimId }).first();
    expect(payment.paid_cents).toBe(final.paidCents);
    expect(payment.paid_cents).toBeGreaterThan(0);
    const sub = await h.db('submissions').where({ claim_id: claimId }).first();
    expect(sub.status).toBe('accepted');
    // The query shows 'closed' as soon as the workflow decides it; the claim row follows from an activity.
    const row = await eventually(async () => {
      const r = await h.db('claims').where({ claim_id: claimId }).first();
      return r?.status === 'closed' ? r : undefined;
    }, 'claim row closed');
    expect(row.charge_lag_days).toBeGreaterThanOrEqual(0);
    expect(await workItems(claimId)).toHaveLength(0);
    // GET answers what CONTRACTS.md promises: submissions, payments, denials, work items, deadline.
    const view = (await h.app.inject({ method: 'GET', url: `/api/claims/${claimId}`, headers: h.auth() })).json();
    expect(view.status).toBe('closed');
    expect(view.submissions).toMatchObject([{ payerId: 'MEDICARE', frequencyCode: '1', status: 'accepted' }]);
    expect(view.payments).toMatchObject([{ paidCents: final.paidCents, claimStatusCode: '1' }]);
    expect(view.denials).toEqual([]);
  });

  it('scrub error → needs correction with a work item; the corrected claim (v2) is resubmitted and paid', async () => {
    const claimId = uniqueId('FIX');
    // CODE-1: interlaminar code billed for a transforaminal procedure.
    const wrong = tfesiClaim(claimId, { lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] });
    await post(wrong);
    const s1 = await until(claimId, (s) => s.status === 'needs_correction', 'needs_correction');
    expect(s1.scrub?.findings.some((f) => f.ruleId === 'CODE-1' && f.severity === 'error')).toBe(true);
    const item = await eventually(async () => (await workItems(claimId))[0], 'correction work item');
    expect(item).toMatchObject({ kind: 'correction', rule_id: 'SUB-1' });

    // A correction that is itself invalid is refused with the field.
    const bad = await h.app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/correct`, headers: h.auth('biller'), payload: { claim: { ...tfesiClaim(claimId), claimId: 'OTHER' }, reason: 'fix' } });
    expect(bad.statusCode).toBe(422);

    const res = await h.app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/correct`, headers: h.auth('biller'), payload: { claim: tfesiClaim(claimId), reason: 'approach per note: transforaminal' } });
    expect(res.statusCode, res.body).toBe(200);
    const final = await until(claimId, (s) => s.status === 'closed', 'closed after correction');
    expect(final.version).toBe(2);
    const versions = await h.db('claim_versions').where({ claim_id: claimId }).orderBy('version');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[0].document.lines[0].cpt).toBe('62323'); // history kept
    const closed = await workItems(claimId, 'closed');
    expect(closed.some((w) => w.kind === 'correction')).toBe(true);
  });

  it('front-end rejection (SUB-5) returns the claim to correction; the resubmission is paid', async () => {
    const claimId = uniqueId('REJ');
    h.simulator.behaveFor(claimId, { kind: 'reject', reason: 'A7:562 entity identifier invalid' });
    await post(tfesiClaim(claimId));
    const rejected = await until(claimId, (s) => s.status === 'rejected', 'rejected');
    expect(rejected.submissions[0]).toMatchObject({ ack: 'rejected', reasons: ['A7:562 entity identifier invalid'] });
    const items = await eventually(async () => { const w = await workItems(claimId); return w.length ? w : undefined; }, 'rejection work item');
    expect(items.map((w) => [w.kind, w.rule_id])).toContainEqual(['correction', 'SUB-5']);
    h.simulator.behaveFor(claimId, { kind: 'pay' });
    const res = await h.app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/correct`, headers: h.auth('biller'), payload: { claim: tfesiClaim(claimId), reason: 'subscriber id corrected' } });
    expect(res.statusCode, res.body).toBe(200);
    const final = await until(claimId, (s) => s.status === 'closed', 'closed');
    expect(final.submissions).toHaveLength(2);
    expect(final.submissions[1]).toMatchObject({ frequencyCode: '1', ack: 'accepted' });
  });

  it('POST-3/POST-5: multiple-procedure reduction applied to the add-on → underpayment dispute due in 5 business days', async () => {
    const claimId = uniqueId('MPR');
    h.simulator.behaveFor(claimId, { kind: 'mpr_wrong' });
    await post(twoLevelTfesi(claimId));
    const posted = await until(claimId, (s) => s.status === 'posted', 'posted');
    expect(posted.payments[0].underpaidCents).toBeGreaterThan(100);
    expect(posted.payments[0].findings.some((f) => f.rule === 'POST-3' && f.kind === 'mpr_on_add_on')).toBe(true);
    const dispute = await eventually(async () => (await workItems(claimId).where({ kind: 'underpayment_dispute' }))[0], 'dispute work item');
    expect(dispute.rule_id).toBe('POST-5');
    const remittance = await h.db('remittances').join('payments', 'payments.remittance_key', 'remittances.remittance_key').where({ 'payments.claim_id': claimId }).first('received_at');
    expect(dispute.due_date).toBe(addBusinessDays(new Date(remittance.received_at).toISOString().slice(0, 10), 5));
    // Never posted as a contractual adjustment: the only CO adjustments are the payer's own.
    const adjustments = await h.db('adjustments').join('payments', 'payments.id', 'adjustments.payment_id').where({ 'payments.claim_id': claimId });
    expect(adjustments.filter((a) => a.group_code === 'CO').every((a) => ['45', '59'].includes(a.carc))).toBe(true);

    // Completing the dispute needs its reference; then the claim closes.
    const missing = await h.app.inject({ method: 'POST', url: `/api/work-items/${dispute.id}/complete`, headers: h.auth('biller'), payload: { outcome: {} } });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().field).toBe('outcome.disputeReference');
    const done = await h.app.inject({ method: 'POST', url: `/api/work-items/${dispute.id}/complete`, headers: h.auth('biller'), payload: { outcome: { disputeReference: 'DSP-1001' } } });
    expect(done.statusCode, done.body).toBe(200);
    const twice = await h.app.inject({ method: 'POST', url: `/api/work-items/${dispute.id}/complete`, headers: h.auth('biller'), payload: { outcome: { disputeReference: 'DSP-1001' } } });
    expect(twice.statusCode).toBe(409);
    await until(claimId, (s) => s.status === 'closed', 'closed after the dispute');
  });

  it('POST-6: secondary claim submitted after the primary pays, then posted and closed', async () => {
    const claimId = uniqueId('SEC');
    // Capture the secondary 837P as the clearinghouse receives it.
    const send = h.simulator.submitClaim.bind(h.simulator);
    let secondaryX12: string | undefined;
    h.simulator.submitClaim = async (sub) => {
      if (sub.coveragePriority === 'secondary' && sub.claim.claimId === claimId) secondaryX12 = sub.x12;
      return send(sub);
    };
    await post(tfesiClaim(claimId, { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-555' } }));
    const final = await until(claimId, (s) => s.status === 'closed', 'closed');
    h.simulator.submitClaim = send;
    // The COB loops carry what the primary paid (2320 AMT*D, 2430 SVD per line).
    const [parsed] = parse837P(secondaryX12!, { practiceId: 'demo-pain', payerId: 'MEDICAID' });
    expect(parsed.otherPayer).toMatchObject({ payerId: 'MEDICARE', priority: 'primary', paidCents: final.payments[0].paidCents });
    expect(parsed.otherPayer?.lines).toHaveLength(1);
    expect(final.submissions.map((x) => [x.coverage, x.payerId])).toEqual([
      ['primary', 'MEDICARE'],
      ['secondary', 'MEDICAID'],
    ]);
    expect(final.history.map((x) => x.status)).toContain('secondary_submitted');
    const payments = await h.db('payments').where({ claim_id: claimId }).orderBy('id');
    expect(payments.map((p) => p.coverage_priority)).toEqual(['primary', 'secondary']);
  });
});
