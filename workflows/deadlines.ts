/**
 * Dates as instants, for every workflow (issue 13): recorded local activities, behind
 * `patched('deadlines-in-practice-zone')`. Workflows started before the patch keep 00:00 UTC of the
 * date, as they did. `start` = the date begins where the practice is; `end` = the due date ends there.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { DEADLINE_ACTIVITY } from '../contracts/activity-policies';

const zone = wf.proxyLocalActivities<Pick<ReturnType<typeof createActivities>, 'practiceDayBounds'>>(DEADLINE_ACTIVITY);

/** 00:00 UTC of a date: what deadlines were before the patch. */
export const utcStartOf = (date: string): string => new Date(Date.parse(`${date}T00:00:00.000Z`)).toISOString();

/** The instants `dates` begin and end in the practice's zone (one marker event). */
export async function dayBounds(practiceId: string, dates: string[]): Promise<Map<string, { start: string; end: string }>> {
  const { days } = await zone.practiceDayBounds({ practiceId, dates });
  return new Map(days.map((d) => [d.date, { start: d.start, end: d.end }]));
}

/** When a date begins (`start`) or a due date ends (`end`) for this practice; before the patch, 00:00 UTC of `legacyDate`. */
export async function instantOf(practiceId: string, date: string, edge: 'start' | 'end', legacyDate = date): Promise<string> {
  if (!wf.patched('deadlines-in-practice-zone')) return utcStartOf(legacyDate);
  return (await dayBounds(practiceId, [date])).get(date)![edge];
}

/**
 * The date it is now where the practice is (one marker event): the UTC date, the day before or the
 * day after, whichever the practice's day bounds put the workflow clock in. Between 00:00 UTC and
 * local midnight in the Americas the UTC date is already tomorrow there.
 */
export async function practiceToday(practiceId: string): Promise<string> {
  const now = Date.now();
  const utc = new Date(now).toISOString().slice(0, 10);
  const dayMs = 86_400_000;
  const dates = [new Date(now - dayMs).toISOString().slice(0, 10), utc, new Date(now + dayMs).toISOString().slice(0, 10)];
  const bounds = await dayBounds(practiceId, dates);
  return dates.find((d) => Date.parse(bounds.get(d)!.start) <= now && now < Date.parse(bounds.get(d)!.end)) ?? utc;
}
