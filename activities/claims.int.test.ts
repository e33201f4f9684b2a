import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { claimActivities } from './claims';
import { tfesiClaim } from '../test/fixtures';
import { uniqueId } from '../test/harness';

let db: Knex;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
});
afterAll(async () => db?.destroy());

describe('claim activities are idempotent', () => {
  it('recordClaim run twice (a retry after a lost response) writes one claim, one version, one set of lines', async () => {
    const acts = claimActivities(db);
    const claim = tfesiClaim(uniqueId('CLM'), {
      lines: [
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 120000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 60000, diagnosisPointers: [1] },
      ],
    });
    const input = { claim, enteredAt: '2026-11-21T15:00:00.000Z', actor: 'biller', workflowId: `claim:${claim.claimId}` };
    expect(await acts.recordClaim(input)).toEqual({ created: true });
    expect(await acts.recordClaim(input)).toEqual({ created: false });
    const count = async (table: string) => Number((await db(table).where({ claim_id: claim.claimId }).count({ n: '*' }))[0].n);
    expect(await count('claims')).toBe(1);
    expect(await count('claim_versions')).toBe(1);
    expect(await count('claim_lines')).toBe(2);
    expect(await count('claim_events')).toBe(1);
  });

  it('recordClaimEvent with the same idempotency key records one event', async () => {
    const acts = claimActivities(db);
    const claim = tfesiClaim(uniqueId('CLM'));
    await acts.recordClaim({ claim, enteredAt: '2026-11-21T15:00:00.000Z', actor: 'biller', workflowId: `claim:${claim.claimId}` });
    const ev = { claimId: claim.claimId, practiceId: claim.practiceId, idempotencyKey: `claim:${claim.claimId}:2:scrubbed`, at: '2026-11-21T15:00:01.000Z', actor: 'system', fromStatus: 'charge_entered', toStatus: 'scrubbed' };
    await acts.recordClaimEvent(ev);
    await acts.recordClaimEvent(ev);
    const events = await db('claim_events').where({ claim_id: claim.claimId, to_status: 'scrubbed' });
    expect(events).toHaveLength(1);
    expect((await db('claims').where({ claim_id: claim.claimId }).first()).status).toBe('scrubbed');
  });
});
