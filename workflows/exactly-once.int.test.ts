/**
 * Exactly once under duplicates (issue 12, the workflow side): a work item whose completion arrives
 * twice (two staff clicking at once both pass the API's open check; a retried request signals again)
 * is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, workItemCompletedSignal } from '../contracts/claim';
import type { Remittance } from '../domain/remittance';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('exactly once', () => {
  it('DEN-1: a line-denial work item completed twice is applied once: one entry on the timeline, and the claim closes once', async () => {
    const claim = tfesiClaim(uniqueId('TWICE'), {
      lines: [
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
      ],
      documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
    });
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim })).statusCode).toBe(201);
    const handle = h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId));
    await eventually(async () => ((await handle.query(claimStateQuery)).status === 'submitted' ? true : undefined), 'submitted');

    // The payer pays the first level and denies the add-on level (CO-50).
    const cp = { ...h.simulator.claimPayment(claim, 'MEDICARE', { kind: 'pay' }), payerClaimControlNumber: `ICN-${claim.claimId}` };
    const denied = cp.lines[1];
    cp.lines[1] = { ...denied, paidCents: 0, allowedCents: 0, adjustments: [{ group: 'CO', carc: '50', amountCents: denied.chargedCents }], remarks: ['N115'] };
    cp.paidCents = cp.lines.reduce((t, l) => t + l.paidCents, 0);
    cp.patientResponsibilityCents = cp.lines.reduce((t, l) => t + l.adjustments.filter((a) => a.group === 'PR').reduce((u, a) => u + a.amountCents, 0), 0);
    const today = new Date().toISOString().slice(0, 10);
    const era: Remittance = { payerId: 'MEDICARE', traceNumber: uniqueId('TRN'), totalPaidCents: cp.paidCents, paymentDate: today, adjudicationDate: today, claims: [cp], providerAdjustments: [] };
    expect((await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: era })).statusCode).toBe(201);
    const item = await eventually(async () => (await h.db('work_items').where({ entity_id: claim.claimId, kind: 'line_denial', status: 'open' }))[0], 'line denial work item');

    // The same completion twice, back to back, as two racing requests would deliver it.
    const completion = { workItemId: item.id, kind: 'line_denial', outcome: { resolution: 'appealed the add-on level' }, completedBy: 'test-biller', completedAt: new Date().toISOString() };
    await Promise.all([handle.signal(workItemCompletedSignal, completion), handle.signal(workItemCompletedSignal, completion)]);
    const closed = await eventually(async () => {
      const s = await handle.query(claimStateQuery);
      return s.status === 'closed' ? s : undefined;
    }, 'closed');
    expect(closed.history.filter((e) => e.note?.startsWith('DEN-1 denied line worked'))).toHaveLength(1);
    expect(await h.db('payments').where({ claim_id: claim.claimId })).toHaveLength(1);
  });
});
