import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { eligibilityAuthActivities } from './eligibility-auth';
import { uniqueId } from '../test/harness';

let db: Knex;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
});
afterAll(async () => db?.destroy());

describe('parkPayerResponse', () => {
  it('a retried activity parks an unknown payer answer once', async () => {
    const acts = eligibilityAuthActivities(db);
    const requestId = uniqueId('UNKNOWN');
    const env = new MockActivityEnvironment({ activityId: '7', workflowExecution: { workflowId: 'auth:retry-test', runId: 'run-1' } });
    const input = { kind: '278' as const, payerId: 'COMMERCIAL', requestId, reason: 'no pending request', body: { requestId } };
    await env.run(acts.parkPayerResponse, input);
    await env.run(acts.parkPayerResponse, input); // same workflow, run and activity id: a retry
    expect(await db('parked_payer_responses').where({ request_id: requestId })).toHaveLength(1);
  });
});
