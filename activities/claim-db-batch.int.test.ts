/**
 * claimDbBatch (issue 16): a claim step's PostgreSQL calls in one local activity. What a biller
 * would notice if it went wrong: half a step written (a status without its work item), or a retry
 * that closes the work item the step just opened. Real PostgreSQL (the shared test database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { createActivities } from './index';
import { tfesiClaim } from '../test/fixtures';
import { uniqueId } from '../test/harness';
import { DEMO_PRACTICE_ID } from '../db/seed';

let db: Knex;
let acts: ReturnType<typeof createActivities>;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
  // The payer gateway is never reached: claimDbBatch runs PostgreSQL activities only.
  acts = createActivities({ db, gateway: undefined as never });
});
afterAll(async () => db?.destroy());

const count = async (table: string, where: Record<string, unknown>) => Number((await db(table).where(where).count({ n: '*' }))[0].n);

function stepCalls(claimId: string) {
  const claim = tfesiClaim(claimId);
  const workflowId = `claim:${claimId}`;
  return [
    { name: 'recordClaim', input: { claim, enteredAt: '2026-11-21T15:00:00.000Z', actor: 'biller', workflowId } },
    { name: 'recordClaimEvent', input: { claimId, practiceId: claim.practiceId, idempotencyKey: `${workflowId}:2:needs_correction`, at: '2026-11-21T15:00:01.000Z', actor: 'system', fromStatus: 'charge_entered', toStatus: 'needs_correction' } },
    { name: 'closeWorkItems', input: { entityType: 'claim', entityId: claimId, practiceId: claim.practiceId, kinds: ['correction'], reason: 'superseded' } },
    {
      name: 'openWorkItem',
      input: { idempotencyKey: `${workflowId}:correction:v1`, practiceId: claim.practiceId, kind: 'correction', ruleId: 'SUB-1', entityType: 'claim', entityId: claimId, workflowId, title: 'Scrub errors block submission' },
    },
  ];
}

describe('claimDbBatch: one step, one transaction', () => {
  it('a call that fails rolls the whole step back: no claim row, no status event, no work item; the retry writes each once', async () => {
    const claimId = uniqueId('BATCH');
    const calls = stepCalls(claimId);
    const failing = { name: 'recordClaimEvent', input: { claimId, practiceId: DEMO_PRACTICE_ID, idempotencyKey: `claim:${claimId}:3:x`, at: 'not a timestamp', actor: 'system', fromStatus: 'a', toStatus: 'b' } };
    await expect(acts.claimDbBatch({ calls: [...calls, failing] })).rejects.toThrow();
    expect(await count('claims', { claim_id: claimId })).toBe(0);
    expect(await count('claim_events', { claim_id: claimId })).toBe(0);
    expect(await count('work_items', { entity_type: 'claim', entity_id: claimId })).toBe(0);

    await acts.claimDbBatch({ calls });
    expect((await db('claims').where({ claim_id: claimId }).first()).status).toBe('needs_correction');
    expect(await count('claim_events', { claim_id: claimId })).toBe(2); // charge_entered, needs_correction
    expect(await count('work_items', { entity_type: 'claim', entity_id: claimId, kind: 'correction', status: 'open' })).toBe(1);
  });

  it('answers the last call (a read of master data) and writes what came before it', async () => {
    const claimId = uniqueId('BATCH');
    const [recordClaim] = stepCalls(claimId);
    const policy = (await acts.claimDbBatch({ calls: [recordClaim, { name: 'claimPolicy', input: { payerId: 'MEDICARE' } }] })) as { timelyFilingDays: number };
    expect(policy.timelyFilingDays).toBe(365);
    expect(await count('claims', { claim_id: claimId })).toBe(1);
  });

  it("a step's summaries of the claim land as if run in order: each column keeps the last value given, none is lost", async () => {
    const claimId = uniqueId('BATCH');
    const [recordClaim, statusEvent] = stepCalls(claimId);
    const key = { claimId, practiceId: DEMO_PRACTICE_ID };
    const deadline = { at: '2027-01-15T06:00:00.000Z', ruleId: 'SUB-4' };
    await acts.claimDbBatch({
      calls: [
        recordClaim,
        { name: 'updateClaimSummary', input: { ...key, chargeLagDays: 3, nextDeadline: deadline, dollarsAtRiskCents: 125_000 } },
        statusEvent,
        { name: 'updateClaimSummary', input: { ...key, scrub: { status: 'clean', findings: [] }, dollarsAtRiskCents: 99_000 } },
        { name: 'updateClaimSummary', input: { ...key, nextDeadline: null, dollarsAtRiskCents: undefined } },
      ],
    });
    const row = await db('claims').where({ claim_id: claimId }).first();
    expect(row.status).toBe('needs_correction'); // the status event in between still applied
    expect(row.charge_lag_days).toBe(3); // given once, first
    expect(row.scrub_status).toBe('clean'); // given once, second
    expect(row.next_deadline).toBeNull(); // given first, cleared last
    expect(Number(row.dollars_at_risk_cents)).toBe(99_000); // the last value given (undefined is not a value)
  });

  it('refuses anything that is not a claim PostgreSQL activity, before writing anything', async () => {
    const claimId = uniqueId('BATCH');
    const [recordClaim] = stepCalls(claimId);
    await expect(acts.claimDbBatch({ calls: [recordClaim, { name: 'submitClaim', input: {} }] })).rejects.toThrow(/submitClaim is not a claim database activity/);
    expect(await count('claims', { claim_id: claimId })).toBe(0);
  });
});
