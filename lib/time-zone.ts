/**
 * Calendar dates as instants in a practice's IANA time zone (issue 13): "due on date D" means up to
 * the end of D where the practice is, not 00:00 UTC. DST-aware through @date-fns/tz (TZDate).
 * Used by the deadline activity (activities/deadlines.ts), never by workflow code: the time-zone
 * database is data that changes, so workflows record the instants instead of computing them.
 */
import { TZDate } from '@date-fns/tz';

/** What practices.time_zone defaults to (db/migrations/008_practice_master.ts). */
export const DEFAULT_TIME_ZONE = 'America/New_York';

/** The zone if the runtime knows it, else undefined. */
export function knownTimeZone(timeZone: string | undefined | null): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/** The instant (ISO, UTC) at which `date` (YYYY-MM-DD) begins in `timeZone`: 00:00 local. */
export function startOfDateIn(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const instant = new TZDate(y, m - 1, d, timeZone).getTime();
  if (Number.isNaN(instant)) throw new RangeError(`cannot place ${date} in time zone ${timeZone}`);
  return new Date(instant).toISOString();
}

/** The instant (ISO, UTC) at which `date` ends in `timeZone`: the start of the next local day. */
export function endOfDateIn(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return startOfDateIn(next, timeZone);
}
