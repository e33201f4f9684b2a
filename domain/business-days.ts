/**
 * Business-day arithmetic for deadlines (DOMAIN §5 Time): business days skip Saturdays, Sundays
 * and US federal holidays *as observed* (5 U.S.C. 6103(b): a holiday on a Saturday is observed the
 * Friday before, on a Sunday the Monday after).
 *
 * Pure and deterministic: every date is an argument (`YYYY-MM-DD`), nothing reads the clock or the
 * process time zone, so it is safe to import from Temporal workflow code.
 *
 * Holidays come from `date-holidays` (country US, type `public`, time zone pinned to
 * America/New_York), through a table generated from it (`scripts/gen-holidays.ts`, 2000–2100):
 * loading the library inside every workflow sandbox cost ~4 MB and ~240 ms per workflow.
 * We take the library's *actual* holiday dates and apply the observance rule ourselves, because
 * the library's data does not shift every holiday (e.g. Veterans Day 2028, a Saturday, is observed
 * by the federal government on Friday 2028-11-10; the library lists only 11-11). Observed dates are
 * computed once per year and kept in a plain Map.
 *
 * Conventions (decided here; DOMAIN.md is silent):
 * - `addBusinessDays(d, n)` with n ≥ 1 returns the n-th business day strictly after `d`, whether
 *   or not `d` itself is a business day ("within one business day of receipt" of an ERA received on
 *   Friday is Monday; received on Saturday it is also Monday).
 * - `addBusinessDays(d, 0)` returns `d` when it is a business day, else the next business day:
 *   "the same business day" for an event that happens on a weekend or holiday is the next one.
 * - `daysBetween(a, b)` and `businessDaysBetween(a, b)` are signed (b before a → negative).
 *   `businessDaysBetween(a, b)` counts the business days in (a, b], so for a business day b after a,
 *   `addBusinessDays(a, businessDaysBetween(a, b)) === b`.
 */
import holidayTable from './reference/us-federal-holidays.json';

/** A calendar date `YYYY-MM-DD`. */
export type IsoDateString = string;

export interface ObservedHoliday {
  /** The date the holiday is observed (a weekday). */
  date: IsoDateString;
  /** The calendar date of the holiday itself (may be a Saturday or Sunday). */
  actualDate: IsoDateString;
  name: string;
}

/** Anything that answers business-day questions; lets callers inject a practice calendar. */
export interface BusinessCalendar {
  isBusinessDay(date: IsoDateString): boolean;
  addBusinessDays(date: IsoDateString, n: number): IsoDateString;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for a `YYYY-MM-DD` string; throws RangeError on a malformed or unreal date. */
export function toEpochDay(date: IsoDateString): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`not a real calendar date: ${date}`);
  }
  return Math.round(ms / MS_PER_DAY);
}

/** Inverse of `toEpochDay`. */
export function fromEpochDay(day: number): IsoDateString {
  if (!Number.isInteger(day)) throw new RangeError(`epoch day must be an integer, got ${day}`);
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(date: IsoDateString): number {
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

export function isWeekend(date: IsoDateString): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

function assertWholeDays(n: number, what: string): void {
  if (!Number.isInteger(n)) throw new RangeError(`${what} must be a whole number of days, got ${n}`);
}

/** `date` + n calendar days (n may be negative). */
export function addCalendarDays(date: IsoDateString, n: number): IsoDateString {
  assertWholeDays(n, 'n');
  return fromEpochDay(toEpochDay(date) + n);
}

/** Calendar days from `a` to `b` (b − a; negative when b is before a). */
export function daysBetween(a: IsoDateString, b: IsoDateString): number {
  return toEpochDay(b) - toEpochDay(a);
}

// ---------------------------------------------------------------------------------------------
// Federal holidays

const HOLIDAYS = holidayTable as { firstYear: number; lastYear: number; years: Record<string, Array<{ date: IsoDateString; name: string }>> };

/** Actual (unshifted) federal holiday dates of one year, from the table generated from date-holidays. */
function actualHolidays(year: number): Array<{ date: IsoDateString; name: string }> {
  const list = HOLIDAYS.years[String(year)];
  if (!list) throw new RangeError(`no federal holiday data for ${year} (table covers ${HOLIDAYS.firstYear}–${HOLIDAYS.lastYear}; regenerate with scripts/gen-holidays.ts)`);
  return list;
}

function observedDate(actual: IsoDateString): IsoDateString {
  const dow = dayOfWeek(actual);
  if (dow === 6) return addCalendarDays(actual, -1);
  if (dow === 0) return addCalendarDays(actual, 1);
  return actual;
}

const MIN_YEAR = HOLIDAYS.firstYear;
const MAX_YEAR = HOLIDAYS.lastYear - 1; // year + 1 is read for a Saturday New Year's Day
const observedByYear = new Map<number, ReadonlyMap<IsoDateString, ObservedHoliday>>();

function observedHolidayMap(year: number): ReadonlyMap<IsoDateString, ObservedHoliday> {
  let map = observedByYear.get(year);
  if (map) return map;
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year ${year} is outside the supported range ${MIN_YEAR}–${MAX_YEAR}`);
  }
  const built = new Map<IsoDateString, ObservedHoliday>();
  // Next year's New Year's Day, when a Saturday, is observed on December 31 of this year.
  for (const h of [...actualHolidays(year), ...actualHolidays(year + 1)]) {
    const date = observedDate(h.date);
    if (Number(date.slice(0, 4)) !== year) continue;
    if (!built.has(date)) built.set(date, { date, actualDate: h.date, name: h.name });
  }
  map = new Map([...built.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  observedByYear.set(year, map);
  return map;
}

/** The US federal holidays observed in `year` (sorted by observed date). */
export function federalHolidays(year: number): ObservedHoliday[] {
  return [...observedHolidayMap(year).values()];
}

/** The observed federal holiday on `date`, if any. */
export function observedFederalHoliday(date: IsoDateString): ObservedHoliday | undefined {
  toEpochDay(date); // validate
  return observedHolidayMap(Number(date.slice(0, 4))).get(date);
}

// ---------------------------------------------------------------------------------------------
// Business days

/** A weekday that is not an observed US federal holiday. */
export function isBusinessDay(date: IsoDateString): boolean {
  return !isWeekend(date) && observedFederalHoliday(date) === undefined;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: IsoDateString): IsoDateString {
  let d = addCalendarDays(date, 1);
  while (!isBusinessDay(d)) d = addCalendarDays(d, 1);
  return d;
}

/**
 * n ≥ 1: the n-th business day strictly after `date`. n = 0: `date` itself when it is a business
 * day, else the next business day (so "the same business day" of a Saturday event is Monday).
 */
export function addBusinessDays(date: IsoDateString, n: number): IsoDateString {
  assertWholeDays(n, 'n');
  if (n < 0) throw new RangeError(`addBusinessDays takes n ≥ 0, got ${n}`);
  if (n === 0) return isBusinessDay(date) ? date : nextBusinessDay(date);
  let d = date;
  for (let i = 0; i < n; i++) d = nextBusinessDay(d);
  return d;
}

/**
 * Business days in the half-open interval (a, b]; negative (−count of (b, a]) when b is before a.
 * Friday → next Monday is 1; Wednesday before Thanksgiving → the Monday after is 2.
 */
export function businessDaysBetween(a: IsoDateString, b: IsoDateString): number {
  const from = toEpochDay(a);
  const to = toEpochDay(b);
  if (to === from) return 0;
  const [lo, hi, sign] = to > from ? [from, to, 1] : [to, from, -1];
  let count = 0;
  for (let day = lo + 1; day <= hi; day++) if (isBusinessDay(fromEpochDay(day))) count++;
  return sign * count;
}

/** This module as a `BusinessCalendar` (the default wherever one can be injected). */
export const usFederalBusinessCalendar: BusinessCalendar = { isBusinessDay, addBusinessDays };
