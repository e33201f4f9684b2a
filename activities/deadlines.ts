/**
 * Deadline instants in the practice's time zone (issue 13), recorded in the workflows' histories as
 * local activities: "due on D" is the end of D where the practice is (practices.time_zone), and "on
 * D" (a follow-up, a check, a renewal start) is the start of D there. Workflows never compute these
 * themselves, so neither a practice moving zone nor a time-zone database update changes a replay.
 */
import type { Knex } from 'knex';
import { DEFAULT_TIME_ZONE, endOfDateIn, knownTimeZone, startOfDateIn } from '../lib/time-zone';

export type DayBounds = { date: string; start: string; end: string };

export function deadlineActivities(db: Knex) {
  return {
    /** For each date: the instants it begins and ends in the practice's zone (unknown practice or zone: the default zone). */
    async practiceDayBounds(input: { practiceId: string; dates: string[] }): Promise<{ timeZone: string; days: DayBounds[] }> {
      const row = await db('practices').where({ id: input.practiceId }).first('time_zone');
      const timeZone = knownTimeZone(row?.time_zone) ?? DEFAULT_TIME_ZONE;
      const dates = [...new Set(input.dates)];
      return { timeZone, days: dates.map((date) => ({ date, start: startOfDateIn(date, timeZone), end: endOfDateIn(date, timeZone) })) };
    },
  };
}
