/**
 * AR-6: a write-off of part of a claim's balance is recorded and the claim goes on for the rest;
 * only a write-off of the whole open balance closes it. Both count in the revenue-gap audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('write-offs (AR-6)', () => {
  it('a partial write-off leaves the claim open for the rest; writing off the rest closes it', async () => {
    const claim = tfesiClaim(uniqueId('WO'));
    h.simulator.behaveFor(claim.claimId, { kind: 'silence' });
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim })).statusCode).toBe(201);
    const handle = h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId));
    await eventually(async () => ((await handle.query(claimStateQuery)).status === 'submitted' ? true : undefined), 'submitted');
    const act = (action: string, role: 'biller' | 'approver', payload: object) =>
      h.app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/${action}`, headers: h.auth(role), payload });

    // $500.00 of $1,850.00 written off (a contractual dispute lost on one component, say).
    expect((await act('request-write-off', 'biller', { amountCents: 50000, rationale: 'component denied on appeal; not billable to the patient' })).statusCode).toBe(200);
    const partial = await act('approve-write-off', 'approver', { recoveryReview: 'no secondary, no further appeal' });
    expect(partial.statusCode, partial.body).toBe(200);
    const open = await handle.query(claimStateQuery);
    expect(open.status).toBe('submitted');
    expect(open.writtenOffCents).toBe(50000);
    expect(open.history.at(-1)?.note).toMatch(/^written off \$500\.00 \(AR-6 partial.*\$1350\.00 still open/);

    // More than what is left is refused, naming the field.
    const tooMuch = await act('request-write-off', 'biller', { amountCents: 135001, rationale: 'rest' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.body).toContain('1350.00');

    expect((await act('request-write-off', 'biller', { amountCents: 135000, rationale: 'payer has no record after three inquiries' })).statusCode).toBe(200);
    expect((await act('approve-write-off', 'approver', { recoveryReview: 'no secondary, patient not liable' })).statusCode).toBe(200);
    await eventually(async () => ((await handle.query(claimStateQuery)).status === 'closed' ? true : undefined), 'closed');
    // The timeline row of the close is written just after the state says closed: wait for it.
    const writtenOff = async () => (await h.db('claim_events').where({ claim_id: claim.claimId }).orderBy('id')).map((e) => e.detail?.note as string | undefined).filter((n) => n?.startsWith('written off'));
    const notes = await eventually(async () => ((await writtenOff()).length >= 2 ? writtenOff() : undefined), 'both write-offs on the timeline');
    expect(notes).toHaveLength(2);
  });
});
