import { describe, expect, it } from 'vitest';
import { endOfDateIn, knownTimeZone, startOfDateIn } from './time-zone';

/** The wall-clock date and time an instant shows in a zone. */
const wallClock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

// Dates are chosen across the year (winter, both DST changes) rather than from today: the rule is calendar arithmetic.
const DATES = ['2026-01-15', '2026-03-08', '2026-07-01', '2026-11-01', '2026-12-31', '2028-02-29'];
const ZONES = ['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu', 'America/Chicago'];

describe('dates as instants in a practice time zone (issue 13)', () => {
  it.each(ZONES.flatMap((z) => DATES.map((d) => [z, d] as const)))('%s %s: the due date ends at local midnight; one minute earlier it is still the due date', (zone, date) => {
    const end = endOfDateIn(date, zone);
    expect(wallClock(end, zone).slice(11)).toBe('00:00');
    expect(wallClock(end, zone).slice(0, 10) > date).toBe(true);
    expect(wallClock(new Date(Date.parse(end) - 60_000).toISOString(), zone)).toBe(`${date} 23:59`);
    expect(wallClock(startOfDateIn(date, zone), zone)).toBe(`${date} 00:00`);
  });

  it('the same due date ends at different instants in New York and Honolulu (5 or 6 hours apart)', () => {
    for (const date of DATES) {
      const ny = Date.parse(endOfDateIn(date, 'America/New_York'));
      const hi = Date.parse(endOfDateIn(date, 'Pacific/Honolulu'));
      expect([5, 6]).toContain((hi - ny) / 3_600_000);
    }
  });

  it('an unknown zone is recognised as unknown', () => {
    expect(knownTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(knownTimeZone('America/Chicago')).toBe('America/Chicago');
  });
});
