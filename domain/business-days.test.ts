import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addBusinessDays,
  addCalendarDays,
  businessDaysBetween,
  dayOfWeek,
  daysBetween,
  federalHolidays,
  isBusinessDay,
  nextBusinessDay,
  observedFederalHoliday,
} from './business-days';

describe('§5 business days skip weekends and observed US federal holidays', () => {
  it.each([
    ['2026-11-26', false, 'Thanksgiving 2026 (Thursday)'],
    ['2026-11-27', true, 'day after Thanksgiving is not a federal holiday'],
    ['2026-06-19', false, 'Juneteenth 2026 (Friday)'],
    ['2027-06-18', false, 'Juneteenth 2027 is a Saturday → observed Friday June 18'],
    ['2020-06-19', true, 'Juneteenth before 2021 was not a federal holiday'],
    ['2026-07-03', false, 'July 4th 2026 is a Saturday → observed Friday July 3'],
    ['2027-07-05', false, 'July 4th 2027 is a Sunday → observed Monday July 5'],
    ['2027-12-31', false, 'New Year 2028 is a Saturday → observed Friday Dec 31 2027'],
    ['2027-12-24', false, 'Christmas 2027 is a Saturday → observed Friday Dec 24'],
    ['2026-12-25', false, 'Christmas 2026 (Friday)'],
    ['2022-12-26', false, 'Christmas 2022 is a Sunday → observed Monday Dec 26'],
    ['2028-11-10', false, 'Veterans Day 2028 is a Saturday → observed Friday Nov 10'],
    ['2026-01-19', false, 'MLK Day 2026'],
    ['2026-02-16', false, "Washington's Birthday 2026"],
    ['2026-05-25', false, 'Memorial Day 2026'],
    ['2026-09-07', false, 'Labor Day 2026'],
    ['2026-10-12', false, 'Columbus Day 2026'],
    ['2026-11-11', false, 'Veterans Day 2026 (Wednesday)'],
    ['2026-03-07', false, 'a Saturday'],
    ['2026-03-08', false, 'a Sunday'],
    ['2026-03-09', true, 'an ordinary Monday'],
    ['2026-07-06', true, 'the Monday after the observed July 4th'],
    ['2028-01-03', true, 'the Monday after New Year 2028 (no second observed day)'],
  ])('isBusinessDay(%s) = %s: %s', (date, expected) => {
    expect(isBusinessDay(date)).toBe(expected);
  });

  it('lists exactly the eleven federal holidays of 2026 by observed date', () => {
    expect(federalHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-10-12',
      '2026-11-11',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('2028 has no observed New Year in January (it moved to 2027-12-31)', () => {
    const dates2028 = federalHolidays(2028).map((h) => h.date);
    expect(dates2028).not.toContain('2028-01-01');
    expect(observedFederalHoliday('2027-12-31')).toMatchObject({ actualDate: '2028-01-01' });
  });

  it.each(['Pacific/Kiritimati', 'Pacific/Pago_Pago'])(
    'does not depend on the process time zone (TZ=%s, year not cached yet)',
    (tz) => {
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        const year = tz === 'Pacific/Kiritimati' ? 2033 : 2034;
        const byName = Object.fromEntries(federalHolidays(year).map((h) => [h.name, h.date]));
        if (year === 2033) {
          expect(byName['Thanksgiving Day']).toBe('2033-11-24');
          expect(byName['Christmas Day']).toBe('2033-12-26'); // Sunday → Monday
          expect(byName["New Year's Day"]).toBeUndefined(); // observed 2032-12-31
        } else {
          expect(byName['Thanksgiving Day']).toBe('2034-11-23');
          expect(byName['Independence Day']).toBe('2034-07-04');
          expect(byName["New Year's Day"]).toBe('2034-01-02'); // Sunday → Monday
        }
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    },
  );
});

describe('addBusinessDays', () => {
  it.each([
    // [start, n, expected, why]
    ['2026-03-13', 1, '2026-03-16', 'POST-1 ERA received Friday → posted by Monday'],
    ['2026-03-14', 1, '2026-03-16', 'POST-1 ERA received Saturday → posted by Monday'],
    ['2026-03-10', 1, '2026-03-11', 'POST-1 ERA received Tuesday → Wednesday'],
    ['2026-11-25', 1, '2026-11-27', 'POST-1 received the day before Thanksgiving → Friday'],
    ['2026-07-02', 1, '2026-07-06', 'POST-1 received Thursday before observed July 4th → Monday'],
    ['2026-11-25', 5, '2026-12-03', 'DEN-3 5 business days from the Wednesday before Thanksgiving'],
    ['2026-03-11', 5, '2026-03-18', 'DEN-3 5 business days from an ordinary Wednesday'],
    ['2027-12-23', 5, '2028-01-03', 'POST-5 5 business days across observed Christmas and New Year'],
    ['2026-12-24', 1, '2026-12-28', 'Christmas Eve Thursday → Monday after Christmas'],
    ['2026-03-11', 0, '2026-03-11', 'n = 0 on a business day is that day'],
    ['2026-03-14', 0, '2026-03-16', 'n = 0 on a Saturday is the next business day'],
    ['2026-11-26', 0, '2026-11-27', 'n = 0 on Thanksgiving is the Friday after'],
  ])('addBusinessDays(%s, %i) = %s (%s)', (start, n, expected) => {
    expect(addBusinessDays(start, n)).toBe(expected);
  });

  it('refuses negative and fractional n and malformed dates', () => {
    expect(() => addBusinessDays('2026-03-11', -1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-03-11', 1.5)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addBusinessDays('03/11/2026', 1)).toThrow(RangeError);
  });

  it('nextBusinessDay skips a whole holiday weekend', () => {
    expect(nextBusinessDay('2026-07-02')).toBe('2026-07-06');
  });

  it('always lands on a business day, strictly after the start for n ≥ 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 19_000, max: 22_000 }), fc.integer({ min: 0, max: 40 }), (day, n) => {
        const start = addCalendarDays('1970-01-01', day);
        const end = addBusinessDays(start, n);
        expect(isBusinessDay(end)).toBe(true);
        if (n >= 1) expect(daysBetween(start, end)).toBeGreaterThan(0);
        if (n >= 1) expect(businessDaysBetween(start, end)).toBe(n);
      }),
    );
  });
});

describe('calendar days', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-02', 30, '2026-04-01'],
    ['2026-03-02', -2, '2026-02-28'],
    ['2026-03-08', 0, '2026-03-08'],
  ])('addCalendarDays(%s, %i) = %s', (start, n, expected) => {
    expect(addCalendarDays(start, n)).toBe(expected);
  });

  it('daysBetween is signed and crosses DST changes without drift', () => {
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(daysBetween('2026-03-31', '2026-03-01')).toBe(-30);
    expect(daysBetween('2026-11-01', '2026-11-02')).toBe(1);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
  });

  it('dayOfWeek knows the calendar', () => {
    expect(dayOfWeek('2026-11-26')).toBe(4); // Thursday
    expect(dayOfWeek('2026-07-04')).toBe(6); // Saturday
  });
});

describe('businessDaysBetween counts business days in (a, b]', () => {
  it.each([
    ['2026-03-13', '2026-03-16', 1, 'Friday → Monday'],
    ['2026-03-13', '2026-03-15', 0, 'Friday → Sunday'],
    ['2026-11-25', '2026-11-30', 2, 'Wednesday before Thanksgiving → Monday (Fri + Mon)'],
    ['2026-03-16', '2026-03-13', -1, 'reversed'],
    ['2026-03-11', '2026-03-11', 0, 'same day'],
  ])('businessDaysBetween(%s, %s) = %i (%s)', (a, b, expected) => {
    expect(businessDaysBetween(a, b)).toBe(expected);
  });
});
