/** Calendar arithmetic on `YYYY-MM-DD` strings (UTC, no clock). */
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / MS_PER_DAY;
}

export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The same calendar day `years` years earlier or later, as a string (2024-02-29 − 1y → 2023-03-01). */
export function addYears(date: string, years: number): string {
  const d = new Date(Date.UTC(+date.slice(0, 4) + years, +date.slice(5, 7) - 1, +date.slice(8, 10)));
  return d.toISOString().slice(0, 10);
}

/** The `YYYY-MM-DD` string of the same month and day one year earlier, for comparisons only (02-29 stays 02-29). */
export function sameDayLastYear(date: string): string {
  return `${String(Number(date.slice(0, 4)) - 1).padStart(4, '0')}${date.slice(4)}`;
}
