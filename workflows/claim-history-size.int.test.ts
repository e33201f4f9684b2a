/**
 * Issue 16: a clean claim's history is short (bench:claims: 45–59 events, ≤ 60 the target) (the Temporal server's work, and a replay's, is
 * proportional to it) and batching its PostgreSQL work loses nothing a biller sees: every status
 * change on the timeline, the claim row closed with nothing at risk, no work item left open.
 * Real worker, dev server and PostgreSQL (test/harness.ts), payer simulator answering at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimWorkflowId, type ClaimWorkflowState } from '../contracts/claim';
import { DEMO_PRACTICE_ID } from '../db/seed';

const EventType = temporal.api.enums.v1.EventType;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** The wall-clock date and time an instant shows in Chicago. */
const chicagoWallClock = (iso: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

describe('a clean claim, batched (patched claim-db-local)', () => {
  it('closes with at most 28 history events besides its workflow tasks (44 before claim-steps-merged, ~160 before claim-db-local), one regular activity (the 837P), and the whole timeline in the read model', async () => {
    const claimId = uniqueId('SHORT');
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: tfesiClaim(claimId) });
    expect(res.statusCode, res.body).toBe(201);
    const handle = h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId));
    const final: ClaimWorkflowState = await handle.result();
    expect(final.status).toBe('closed');

    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    // What the claim's code decides (markers, upserts, the 837P activity, timers, signals): at most 28
    // events; 23 when recorded on a quiet worker (7 local-activity markers, 2 patch markers with their
    // TemporalChangeVersion upserts, 3 search-attribute upserts, the 837P's 3, 2 signals, a timer
    // started and cancelled, start and end). Workflow tasks come on top, 3 events each: 4 on a quiet
    // worker (35 in all); a signal arriving on its own or a task heartbeated under load adds one, so
    // the total is not asserted.
    const taskEvents = events.filter((e) => /^EVENT_TYPE_WORKFLOW_TASK_/.test(EventType[e.eventType ?? 0] ?? ''));
    expect(events.length - taskEvents.length, `${events.length} events, ${taskEvents.length} of them workflow tasks`).toBeLessThanOrEqual(28);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['submitClaim']);
    // Each local activity is a marker and a worker activation: 7 since 'claim-steps-merged' when the
    // payer's acknowledgement and payment arrive together, 8 when the acknowledgement comes on its own
    // (its status is written before the claim waits again). Before: 10 at best, because the SUB-4 day
    // bounds, the AR plan's day bounds and the payment rules were markers of their own.
    const localActivities = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(localActivities.length).toBeLessThanOrEqual(8);
    // …and the deadlines those answers placed still begin at local midnight where the practice is
    // (the demo practice: America/Chicago): SUB-4 warning and expiry, and the AR touches.
    const dated = final.timers.filter((t) => t.id.startsWith('sub4') || t.id.startsWith('ar:'));
    expect(dated.length, dated.map((t) => t.id).join(', ')).toBeGreaterThanOrEqual(5); // 2 SUB-4, 3 or 4 AR touches
    for (const t of dated) expect(chicagoWallClock(t.at), t.id).toMatch(/ 00:00$/);

    // What the claim page and the work queue show, written by the batched steps.
    const row = await eventually(async () => {
      const r = await h.db('claims').where({ claim_id: claimId }).first();
      return r?.status === 'closed' ? r : undefined;
    }, `${claimId} closed in the read model`);
    expect(Number(row.dollars_at_risk_cents)).toBe(0);
    expect(row.scrub_status).not.toBe('errors');
    const timeline = await h.db('claim_events').where({ claim_id: claimId }).orderBy('id').pluck('to_status');
    expect(timeline).toEqual(['charge_entered', 'scrubbed', 'submitted', 'acknowledged', 'paid', 'posted', 'closed']);
    expect(await h.db('work_items').where({ entity_type: 'claim', entity_id: claimId, status: 'open' })).toHaveLength(0);
    expect(await h.db('payments').where({ claim_id: claimId })).toHaveLength(1);
  });
});
