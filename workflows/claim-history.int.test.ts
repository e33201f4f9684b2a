/**
 * Bounded history (issue 11): a claim held for almost a year on a provider's pending enrollment is
 * re-checked every day (CRED-7); its runs continue as new before their history grows long, carrying
 * the whole state, and the claim still releases, is paid and posts once.
 * Time-skipping server, at a calendar "today" like the other timer suites.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceTo, CALENDAR_TODAYS, serverToday, startTimeSkipping, type TimeSkippingHarness } from '../test/time-skipping';
import { eventually, uniqueId } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { TASK_QUEUE, claimStateQuery, claimWorkflowId, credentialChangedSignal } from '../contracts/claim';
import { addCalendarDays } from '../domain/business-days';

const DAY = 24 * 3600 * 1000;
const LIMIT = 400; // events per run before continuing as new (production: CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS or the server's suggestion)
let t: TimeSkippingHarness;

beforeAll(async () => {
  t = await startTimeSkipping();
  await advanceTo(t.env, CALENDAR_TODAYS[0]);
});
afterAll(async () => t?.close());

describe('claim history stays bounded', () => {
  it('CRED-7: a claim held 355 days (inside Medicare’s 365-day filing window) continues as new before any run passes the limit, then releases, is paid and posts once', async () => {
    await t.run(async () => {
      const today = await serverToday(t.env);
      const npi = '1518923473';
      await t.db('providers').insert({ npi, practice_id: 'demo-pain', name: 'Dr. Long Wait' }).onConflict('npi').ignore();
      await t.db('credentials')
        .insert([
          { npi, kind: 'license', payer_id: '', status: 'active', effective_date: addCalendarDays(today, -400), expiry_date: addCalendarDays(today, 3650) },
          { npi, kind: 'enrollment', payer_id: 'MEDICARE', status: 'pending', effective_date: null, expiry_date: null },
        ])
        .onConflict(['npi', 'kind', 'payer_id'])
        .merge();
      const base = tfesiClaim(uniqueId('LONGHOLD'));
      const claim = { ...base, renderingNpi: npi, serviceDate: addCalendarDays(today, -1), patient: { ...base.patient, id: uniqueId('PT') } };
      t.simulator.behaveFor(claim.claimId, { kind: 'pay' });
      const first = await t.env.client.workflow.start('claimWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: claimWorkflowId(claim.practiceId, claim.claimId),
        args: [{ claim, enteredAt: new Date(await t.env.currentTimeMs()).toISOString(), actor: 'test-biller', continueAsNewAfterEvents: LIMIT }],
      });
      const handle = t.env.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId)); // follows the runs
      await eventually(async () => ((await handle.query(claimStateQuery)).status === 'held' ? true : undefined), 'held');

      // 355 days of daily re-checks: as long as Medicare's 365-day filing window allows (SUB-4).
      for (let day = 0; day < 355; day += 5) await t.env.sleep(5 * DAY);
      const held = await handle.query(claimStateQuery);
      expect(held.status).toBe('held');
      expect(held.history.filter((h) => h.note?.startsWith('continued as new')).length).toBeGreaterThanOrEqual(2);

      // Every run of the chain stayed under the limit (plus the few events of the hand-over itself).
      // Walk the chain of runs from the first (each ends with WorkflowExecutionContinuedAsNew naming the next).
      const runs: number[] = [];
      for (let runId: string | undefined = first.firstExecutionRunId; runId; ) {
        const history: { events?: Array<{ workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null }> | null } = await t.env.client.workflow.getHandle(first.workflowId, runId).fetchHistory();
        const events = history.events ?? [];
        runs.push(events.length);
        runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
      console.log(`355-day hold: ${runs.length} runs, history events per run ${runs.join(', ')} (limit ${LIMIT})`);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...runs)).toBeLessThan(LIMIT + 60);
      expect((await t.env.client.workflow.getHandle(first.workflowId, first.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
      expect(await t.db('work_items').where({ entity_id: claim.claimId, kind: 'credential_hold' })).toHaveLength(1);

      // The enrollment becomes active: the current run releases the claim; it is paid and posts once.
      await t.db('credentials').where({ npi, kind: 'enrollment', payer_id: 'MEDICARE' }).update({ status: 'active', effective_date: addCalendarDays(today, -30) });
      await handle.signal(credentialChangedSignal, { npi, at: new Date(await t.env.currentTimeMs()).toISOString() });
      const closed = await eventually(async () => {
        const s = await handle.query(claimStateQuery);
        return s.status === 'closed' ? s : undefined;
      }, 'released, paid and closed');
      expect(closed.submissions).toHaveLength(1);
      expect(closed.paidCents).toBeGreaterThan(0);
      expect(await t.db('payments').where({ claim_id: claim.claimId })).toHaveLength(1);
    });
  }, 600_000);
});
