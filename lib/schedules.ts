/**
 * Temporal Schedules for the daily jobs: one `daily-reconciliation:<practiceId>` schedule per
 * practice, every morning at 06:00 in the practice's own time zone (`practices.time_zone`; CHG-2,
 * POST-7 and the next-year contract check). Created when a practice is created through the API,
 * and if missing at start-up. An existing schedule (maybe edited by an operator in the Web UI)
 * keeps its calendars; only its time zone follows the practice's (a practice moved to another
 * zone, or a schedule made before schedules took the practice's zone).
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { TASK_QUEUE } from '../contracts/claim';
import { dailyReconciliationScheduleId, type DailyReconciliationInput } from '../contracts/reconciliation';

/** Local hour of the daily run. */
export const DAILY_RUN_HOUR = 6;

/** Create the practice's daily schedule; true when created, false when it existed (its time zone is then brought in line). */
export async function ensureDailySchedule(client: Client, practiceId: string, timeZone: string): Promise<boolean> {
  const scheduleId = dailyReconciliationScheduleId(practiceId);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: DAILY_RUN_HOUR, minute: 0, comment: 'every morning, before the billing team starts' }], timezone: timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: 'dailyReconciliationWorkflow',
        taskQueue: TASK_QUEUE,
        workflowId: `daily-reconciliation:${practiceId}`,
        args: [{ practiceId } satisfies DailyReconciliationInput],
        staticSummary: `CHG-2 schedule vs charges and POST-7 payments vs deposits for ${practiceId}`,
      },
      policies: { catchupWindow: '1 day', overlap: 'SKIP' },
    });
    return true;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await setDailyScheduleTimeZone(client, practiceId, timeZone);
  return false;
}

/** Move the practice's schedule to `timeZone` (its calendars unchanged); creates it when missing. */
export async function setDailyScheduleTimeZone(client: Client, practiceId: string, timeZone: string): Promise<void> {
  const handle = client.schedule.getHandle(dailyReconciliationScheduleId(practiceId));
  try {
    const current = await handle.describe();
    if (current.spec.timezone === timeZone) return;
    await handle.update((prev) => ({ ...prev, spec: { ...prev.spec, timezone: timeZone } }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await ensureDailySchedule(client, practiceId, timeZone);
  }
}

/** Every practice's schedule (start-up). Returns the ids of the schedules created now. */
export async function ensureDailySchedules(client: Client, db: Knex): Promise<string[]> {
  const practices = await db('practices').select('id', 'time_zone');
  const created: string[] = [];
  for (const { id, time_zone } of practices) {
    if (await ensureDailySchedule(client, id, time_zone ?? 'America/New_York')) created.push(dailyReconciliationScheduleId(id));
  }
  return created;
}
