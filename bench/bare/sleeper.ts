/**
 * bench:asleep's floor (`--bare`): the least a workflow asleep on a timer can be. It records that
 * it is asleep (one local activity: a row in PostgreSQL), sleeps until the instant it was given,
 * and records that it woke (one local activity) — the shape of a claim's AR touch with none of the
 * claim. The same worker options, server and database as the claims: what 10,000 of these cost
 * and how fast their simultaneous timers become rows is what this machine and SDK allow at best.
 * Bench-only: bundled for its own worker, never part of workers/worker.ts.
 */
import * as wf from '@temporalio/workflow';
import type { SleeperActivities } from './sleeper-activities';

const { mark } = wf.proxyLocalActivities<SleeperActivities>({ startToCloseTimeout: '10 seconds' });

export async function sleeperWorkflow(wakeAtMs: number): Promise<void> {
  const id = wf.workflowInfo().workflowId;
  await mark('asleep', id);
  await wf.sleep(Math.max(1, wakeAtMs - Date.now()));
  await mark('woke', id);
}
