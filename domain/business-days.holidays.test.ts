import { describe, expect, it } from 'vitest';
import table from './reference/us-federal-holidays.json';
import { buildTable, libraryHolidays } from '../scripts/gen-holidays';
import { federalHolidays, isBusinessDay } from './business-days';

describe('US federal holiday table (generated from date-holidays)', () => {
  it('matches the date-holidays library for every year it covers', () => {
    expect(table).toEqual(buildTable());
  });
  it('is what business-day arithmetic uses (Thanksgiving 2026, observed July 4th 2026)', () => {
    expect(libraryHolidays(2026).map((h) => h.date)).toContain('2026-11-26');
    expect(isBusinessDay('2026-11-26')).toBe(false);
    expect(federalHolidays(2026).map((h) => h.date)).toContain('2026-07-03');
  });
  it('refuses a year outside the table with a clear message', () => {
    expect(() => isBusinessDay('1999-12-31')).toThrow(/outside the supported range/);
  });
});
