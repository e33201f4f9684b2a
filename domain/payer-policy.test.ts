import { describe, expect, it } from 'vitest';
import { painCodeSet } from './reference';
import {
  BUILT_IN_PAYER_IDS,
  COMMERCIAL,
  MEDICAID,
  MEDICARE,
  MEDICARE_ADVANTAGE,
  PayerPolicy,
  UnknownPayerError,
  builtInFeeSchedule,
  isKnownPayer,
  resolvePayerPolicy,
} from './payer-policy';

describe('built-in payer policies (DOMAIN.md §4 defaults)', () => {
  it.each([
    [MEDICARE, '50', 365, 120, 4, 80],
    [MEDICARE_ADVANTAGE, '50', 365, 60, 4, 80],
    [MEDICAID, '50', 365, 90, 3, 80],
    [COMMERCIAL, 'RT_LT', 90, 180, 3, 50],
  ] as const)('%o has the §4 defaults', (policy, bilateral, timely, appeal, esi, mbb) => {
    expect(PayerPolicy.parse(policy)).toEqual(policy);
    expect(policy.bilateralBilling).toBe(bilateral);
    expect(policy.timelyFilingDays).toBe(timely);
    expect(policy.appealWindowDays).toBe(appeal);
    expect(policy.esiSessionsPerRegionPer12Months).toBe(esi);
    expect(policy.mbbReliefThresholdPercent).toBe(mbb);
    expect(policy.multipleProcedureReductionPercent).toBe(50);
    expect(policy.timelyFilingWarningDays).toBe(30);
    expect(policy.underpaymentToleranceCents).toBe(100);
  });

  it('ELIG-5 prior-auth families per payer', () => {
    expect(MEDICARE.priorAuthFamilies).toEqual([]);
    expect(MEDICARE_ADVANTAGE.priorAuthFamilies).toEqual(['esi', 'rfa', 'scs']);
    expect(MEDICAID.priorAuthFamilies).toEqual(['esi', 'facet', 'rfa', 'scs']);
    expect(COMMERCIAL.priorAuthFamilies).toEqual(['esi', 'facet', 'rfa', 'scs']);
  });

  it('SUB-2 facet coverage is spondylosis (M47.81x), not radiculopathy (M54.1x)', () => {
    expect(MEDICARE.coveredDiagnoses.facet).toContain('M47.81');
    expect(MEDICARE.coveredDiagnoses.facet.some((c) => c.startsWith('M54.1'))).toBe(false);
    expect(MEDICARE.coveredDiagnoses.esi).toEqual(expect.arrayContaining(['M54.1', 'M51.1', 'M48.0']));
  });

  it('built-in policies are frozen', () => {
    expect(Object.isFrozen(MEDICARE)).toBe(true);
    expect(Object.isFrozen(MEDICARE.coveredDiagnoses.esi)).toBe(true);
  });
});

describe('resolvePayerPolicy', () => {
  it('returns the built-in policy without overrides', () => {
    expect(resolvePayerPolicy('MEDICARE')).toBe(MEDICARE);
  });
  it('applies overrides, merging covered diagnoses per family', () => {
    const policy = resolvePayerPolicy('COMMERCIAL', { timelyFilingDays: 180, coveredDiagnoses: { facet: ['M54.5'] } });
    expect(policy.timelyFilingDays).toBe(180);
    expect(policy.coveredDiagnoses.facet).toEqual(['M54.5']);
    expect(policy.coveredDiagnoses.esi).toEqual(COMMERCIAL.coveredDiagnoses.esi);
    expect(COMMERCIAL.timelyFilingDays).toBe(90);
  });
  it('throws a clear error for an unknown payer id', () => {
    expect(() => resolvePayerPolicy('NOPE')).toThrow(UnknownPayerError);
    expect(() => resolvePayerPolicy('NOPE')).toThrow(/unknown payer id 'NOPE'.*MEDICARE/);
  });
  it('accepts a named payer configured with a complete policy', () => {
    const { payerId: _ignored, ...fields } = COMMERCIAL;
    const policy = resolvePayerPolicy('ACME_HEALTH', { ...fields, name: 'Acme Health', timelyFilingDays: 120 });
    expect(policy.payerId).toBe('ACME_HEALTH');
    expect(policy.timelyFilingDays).toBe(120);
    expect(() => resolvePayerPolicy('ACME_HEALTH', { timelyFilingDays: 120 })).toThrow(UnknownPayerError);
  });
  it('isKnownPayer', () => {
    for (const id of BUILT_IN_PAYER_IDS) expect(isKnownPayer(id)).toBe(true);
    expect(isKnownPayer('medicare')).toBe(false);
  });
});

describe('builtInFeeSchedule (CHG-5)', () => {
  it.each(BUILT_IN_PAYER_IDS)('%s 2026 has an integer allowable for every code of the pain code set', (payerId) => {
    const schedule = builtInFeeSchedule(payerId, 2026);
    expect(schedule.year).toBe(2026);
    for (const code of painCodeSet()) {
      expect(Number.isInteger(schedule.allowableCents[code]), code).toBe(true);
      expect(schedule.allowableCents[code]).toBeGreaterThan(0);
    }
  });
  it('falls back to the latest earlier year and says which year it is', () => {
    expect(builtInFeeSchedule('MEDICARE', 2027).year).toBe(2026);
    expect(builtInFeeSchedule('MEDICARE', 2020).year).toBe(2026);
  });
  it('throws for an unknown payer', () => {
    expect(() => builtInFeeSchedule('NOPE', 2026)).toThrow(UnknownPayerError);
  });
});
