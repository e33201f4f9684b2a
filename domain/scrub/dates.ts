/** Year arithmetic on `YYYY-MM-DD` strings (UTC, no clock); day arithmetic lives in domain/business-days.ts. */
/** The same calendar day `years` years earlier or later, as a string (2024-02-29 − 1y → 2023-03-01). */
export function addYears(date: string, years: number): string {
  const d = new Date(Date.UTC(+date.slice(0, 4) + years, +date.slice(5, 7) - 1, +date.slice(8, 10)));
  return d.toISOString().slice(0, 10);
}

/** The `YYYY-MM-DD` string of the same month and day one year earlier, for comparisons only (02-29 stays 02-29). */
export function sameDayLastYear(date: string): string {
  return `${String(Number(date.slice(0, 4)) - 1).padStart(4, '0')}${date.slice(4)}`;
}
