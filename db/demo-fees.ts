/** Fee schedules for the demo seed (replaced by the built-in payer fee schedules of domain/). */
export function demoFeeSchedule(_payerId: string, year: number) {
  return { year, allowableCents: {} as Record<string, number> };
}
