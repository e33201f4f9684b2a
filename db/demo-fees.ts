import { builtInFeeSchedule, isKnownPayer } from '../domain/payer-policy';

/** Fee schedules for the demo seed: the built-in (illustrative) schedules of domain/payer-policy. */
export function demoFeeSchedule(payerId: string, year: number) {
  if (!isKnownPayer(payerId)) return undefined;
  const fees = builtInFeeSchedule(payerId, year);
  return fees.year === year ? fees : undefined;
}
