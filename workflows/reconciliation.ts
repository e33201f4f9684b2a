/**
 * dailyReconciliationWorkflow: started every morning by a Temporal Schedule per practice.
 * CHG-2 (appointments vs charges) and POST-7 (yesterday's posted payments vs the bank deposit).
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { DailyReconciliationInput, DailyReconciliationResult } from '../contracts/reconciliation';
import { addCalendarDays, isBusinessDay } from '../domain/business-days';
import { PracticeId, RcmKind } from '../contracts/search-attributes';
import { BATCH_ACTIVITY } from '../contracts/activity-policies';

// An outage delays the day's reconciliation, never fails it (contracts/activity-policies.ts).
const acts = wf.proxyActivities<ReturnType<typeof createActivities>>(BATCH_ACTIVITY);

/** The last business day before `date`: the deposit day to reconcile. */
function previousBusinessDay(date: string): string {
  let d = addCalendarDays(date, -1);
  while (!isBusinessDay(d)) d = addCalendarDays(d, -1);
  return d;
}

export async function dailyReconciliationWorkflow(input: DailyReconciliationInput): Promise<DailyReconciliationResult> {
  wf.upsertSearchAttributes([
    { key: RcmKind, value: 'reconciliation' },
    { key: PracticeId, value: input.practiceId },
  ]);
  const asOf = input.asOf ?? new Date().toISOString().slice(0, 10);
  const charges = await acts.reconcileCharges({ practiceId: input.practiceId, asOf });
  const date = previousBusinessDay(asOf);
  const deposits = await acts.reconcileDeposits({ practiceId: input.practiceId, date });
  wf.setCurrentDetails(`CHG-2: ${charges.missing.length} missing charge(s) of ${charges.checked}; POST-7 ${date}: difference ${(deposits.differenceCents / 100).toFixed(2)}`);
  return { practiceId: input.practiceId, asOf, charges, deposits: { date, ...deposits } };
}
