/** Daily reconciliation (CHG-2, POST-7): the workflow Temporal Schedules start once a day per practice. */
export const dailyReconciliationScheduleId = (practiceId: string): string => `daily-reconciliation:${practiceId}`;
export type DailyReconciliationInput = { practiceId: string; /** run date YYYY-MM-DD; default: the workflow's date */ asOf?: string };
export type DailyReconciliationResult = {
  practiceId: string;
  asOf: string;
  /** `contractsMissing`: payers with claims this year and no contract for next year, from 60 days before Jan 1 (issue 13). */
  charges: { checked: number; missing: string[]; contractsMissing?: string[] };
  deposits: { date: string; postedCents: number; depositedCents: number | null; differenceCents: number };
};
