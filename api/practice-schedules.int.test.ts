/**
 * Issue 13: each practice's daily Schedule runs at 06:00 in the practice's own time zone. Creating
 * a practice through the API creates it; changing the practice's time zone moves it; start-up
 * (ensureDailySchedules) brings an older schedule's zone in line without touching its calendars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { npiCheckDigit } from '../domain/npi';
import { dailyReconciliationScheduleId } from '../contracts/reconciliation';
import { ensureDailySchedules } from '../lib/schedules';

let h: Harness;
const created: string[] = [];
beforeAll(async () => {
  h = await startHarness({ worker: false });
});
afterAll(async () => {
  for (const id of created) await h.client.schedule.getHandle(dailyReconciliationScheduleId(id)).delete().catch(() => undefined);
  await h?.close();
});

function practiceBody(timeZone: string) {
  const practiceId = uniqueId('sched').toLowerCase();
  const nine = `15${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  created.push(practiceId);
  return { practiceId, name: 'Schedule Test Practice', taxId: '12-3456789', billingNpi: `${nine}${npiCheckDigit(nine)}`, address: { line1: '1 Test St', city: 'Denver', state: 'CO', zip: '80202' }, phone: '3035550199', timeZone };
}
const describeSchedule = (practiceId: string) => h.client.schedule.getHandle(dailyReconciliationScheduleId(practiceId)).describe();

describe('daily Schedules in the practice time zone', () => {
  it('POST /api/practices creates the schedule at 06:00 in the practice zone; PATCH timeZone moves it', async () => {
    const body = practiceBody('America/Denver');
    const res = await h.app.inject({ method: 'POST', url: '/api/practices', headers: h.auth('admin'), payload: body });
    expect(res.statusCode, res.body).toBe(201);
    const d = await describeSchedule(body.practiceId);
    expect(d.spec.timezone).toBe('America/Denver');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'dailyReconciliationWorkflow', args: [{ practiceId: body.practiceId }] });

    const patch = await h.app.inject({ method: 'PATCH', url: `/api/practices/${body.practiceId}`, headers: h.auth('admin'), payload: { timeZone: 'Pacific/Honolulu' } });
    expect(patch.statusCode, patch.body).toBe(200);
    const moved = await describeSchedule(body.practiceId);
    expect(moved.spec.timezone).toBe('Pacific/Honolulu');
    expect(moved.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }] });
  });

  it('start-up: a schedule made in another zone (edited calendars kept) follows the practice zone; nothing is created twice', async () => {
    const body = practiceBody('America/Anchorage');
    expect((await h.app.inject({ method: 'POST', url: '/api/practices', headers: h.auth('admin'), payload: body })).statusCode).toBe(201);
    const handle = h.client.schedule.getHandle(dailyReconciliationScheduleId(body.practiceId));
    // As schedules were made before (New York for everyone), with an operator's 07:30 edit.
    await handle.update((prev) => ({ ...prev, spec: { calendars: [{ hour: 7, minute: 30 }], timezone: 'America/New_York' } }));
    expect(await ensureDailySchedules(h.client, h.db)).not.toContain(dailyReconciliationScheduleId(body.practiceId));
    const d = await handle.describe();
    expect(d.spec.timezone).toBe('America/Anchorage');
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  });
});
