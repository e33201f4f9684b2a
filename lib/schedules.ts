/**
 * Temporal Schedules for the daily jobs: one `daily-reconciliation:<practiceId>` schedule per
 * practice, every morning at 06:00 America/New_York (CHG-2 and POST-7). Created if missing at
 * start-up; an existing schedule (maybe edited by an operator in the Web UI) is left as it is.
 */
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { TASK_QUEUE } from '../contracts/claim';
import { dailyReconciliationScheduleId, type DailyReconciliationInput } from '../contracts/reconciliation';

export async function ensureDailySchedules(client: Client, db: Knex): Promise<string[]> {
  const practices = await db('practices').select('id');
  const created: string[] = [];
  for (const { id } of practices) {
    const scheduleId = dailyReconciliationScheduleId(id);
    try {
      await client.schedule.create({
        scheduleId,
        spec: { calendars: [{ hour: 6, minute: 0, comment: 'every morning, before the billing team starts' }], timezone: 'America/New_York' },
        action: {
          type: 'startWorkflow',
          workflowType: 'dailyReconciliationWorkflow',
          taskQueue: TASK_QUEUE,
          workflowId: `daily-reconciliation:${id}`,
          args: [{ practiceId: id } satisfies DailyReconciliationInput],
          staticSummary: `CHG-2 schedule vs charges and POST-7 payments vs deposits for ${id}`,
        },
        policies: { catchupWindow: '1 day', overlap: 'SKIP' },
      });
      created.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  return created;
}
