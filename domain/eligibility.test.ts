import { describe, expect, it } from 'vitest';
import { coverageFinding, evaluateEligibility, nextEligibilityCheck, type EligibilityAnswer, type KnownAuthorization } from './eligibility';
import { COMMERCIAL, MEDICARE, MEDICARE_ADVANTAGE } from './payer-policy';

const active: EligibilityAnswer = { coverage: { status: 'active' }, services: [{ cpt: '64483', covered: true }], frequencyUsed: [], msp: { status: 'medicare_primary' } };
const tfesi = { serviceDate: '2026-06-10', cpts: ['64483'], region: 'lumbar' as const, approach: 'transforaminal' as const, levels: ['L4-L5'], laterality: 'left' as const, conservativeCareWeeks: 6 };

describe('ELIG-1 check plan', () => {
  it('ELIG-1 verifies 3 days and again 1 day before the DOS', () => {
    expect(nextEligibilityCheck('2026-06-10', '2026-06-01', [])).toEqual({ kind: '3_day', on: '2026-06-07', covers: ['3_day'] });
    expect(nextEligibilityCheck('2026-06-10', '2026-06-07', ['3_day'])).toEqual({ kind: '1_day', on: '2026-06-09', covers: ['1_day'] });
    expect(nextEligibilityCheck('2026-06-10', '2026-06-09', ['3_day', '1_day'])).toBeUndefined();
  });
  it('ELIG-1 booked 2 days ahead: checked now, and again 1 day before (never only at intake)', () => {
    expect(nextEligibilityCheck('2026-06-10', '2026-06-08', [])).toEqual({ kind: '3_day', on: '2026-06-08', covers: ['3_day'] });
    expect(nextEligibilityCheck('2026-06-10', '2026-06-09', [])).toEqual({ kind: '1_day', on: '2026-06-09', covers: ['3_day', '1_day'] });
  });
});

describe('ELIG-2…7 evaluation', () => {
  const ev = (over: Partial<Parameters<typeof evaluateEligibility>[0]> = {}) =>
    evaluateEligibility({ scheduled: tfesi, answer: active, policy: MEDICARE, prior: [], authorizations: [], ...over });

  it('ELIG-7 active coverage for a Medicare TFESI verifies', () => {
    expect(ev()).toMatchObject({ result: 'verified', findings: [] });
  });
  it('ELIG-7 coverage terminated before the DOS is flagged', () => {
    const r = ev({ answer: { ...active, coverage: { status: 'terminated', terminationDate: '2026-06-08' } } });
    expect(r.result).toBe('flagged');
    expect(r.findings[0]).toMatchObject({ ruleId: 'ELIG-7' });
    expect(coverageFinding({ ...active, coverage: { status: 'terminated', terminationDate: '2026-06-30' } }, '2026-06-10')).toBeUndefined();
    expect(coverageFinding({ ...active, coverage: { status: 'inactive' } }, '2026-06-10')).toMatchObject({ ruleId: 'ELIG-7' });
  });
  it('ELIG-2 each scheduled CPT is checked', () => {
    const r = ev({ scheduled: { ...tfesi, cpts: ['64483', '64484'] }, answer: { ...active, services: [{ cpt: '64483', covered: true }, { cpt: '64484', covered: false }] } });
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-2', field: '64484' })]);
  });
  it('ELIG-3 conservative care shorter than the payer requirement is flagged', () => {
    expect(ev({ scheduled: { ...tfesi, conservativeCareWeeks: 2 } }).findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-3' })]);
    expect(ev({ scheduled: { ...tfesi, conservativeCareWeeks: 0 }, answer: { ...active, conservativeCareWeeksOnFile: 4 } }).findings).toEqual([]);
  });
  it('ELIG-4 fourth lumbar ESI in 12 months for a limit-3 payer is flagged (our claims)', () => {
    const prior = ['2025-08-01', '2025-12-01', '2026-03-01'].map((serviceDate) => ({ family: 'esi', region: 'lumbar' as const, serviceDate }));
    const r = evaluateEligibility({ scheduled: tfesi, answer: { ...active, msp: undefined }, policy: { ...COMMERCIAL, priorAuthFamilies: [] }, prior, authorizations: [] });
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-4' })]);
    expect(evaluateEligibility({ scheduled: tfesi, answer: active, policy: MEDICARE, prior, authorizations: [] }).findings).toEqual([]);
  });
  it('ELIG-4 the payer-reported count counts too', () => {
    const r = ev({ policy: { ...COMMERCIAL, priorAuthFamilies: [] }, answer: { ...active, frequencyUsed: [{ family: 'esi', regionGroup: 'lumbar_sacral', count: 3 }] } });
    expect(r.findings.map((f) => f.ruleId)).toEqual(['ELIG-4']);
  });
  it('ELIG-6 Medicare: MSP unconfirmed or another primary payer is flagged', () => {
    expect(ev({ answer: { ...active, msp: undefined } }).findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-6' })]);
    expect(ev({ answer: { ...active, msp: { status: 'other_primary', otherPayerType: 'group health plan' } } }).findings[0].message).toContain('secondary');
    expect(ev({ policy: { ...COMMERCIAL, priorAuthFamilies: [] }, answer: { ...active, msp: undefined } }).findings).toEqual([]);
  });
  it('ELIG-5 auth required by the payer policy and none on file → authorization needed', () => {
    const r = ev({ policy: MEDICARE_ADVANTAGE, answer: { ...active, msp: undefined } });
    expect(r.authNeeded).toEqual({ family: 'esi', cpts: ['64483'] });
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'ELIG-5' })]);
  });
  const approved: KnownAuthorization = { authId: 'A1', status: 'approved', family: 'esi', cpts: ['64483'], region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'bilateral', validFrom: '2026-06-01', validTo: '2026-08-31', visitsAuthorized: 1, visitsUsed: 0 };
  it('ELIG-5 an approved authorization in scope and window covers the appointment', () => {
    const r = ev({ policy: MEDICARE_ADVANTAGE, authorizations: [approved] });
    expect(r).toMatchObject({ result: 'verified', coveringAuthId: 'A1' });
    expect(r.authNeeded).toBeUndefined();
  });
  it('AUTH-8 an authorization whose window ends before the DOS or whose visits are used is flagged before the DOS', () => {
    expect(ev({ policy: MEDICARE_ADVANTAGE, authorizations: [{ ...approved, validTo: '2026-06-05' }] }).findings).toEqual([expect.objectContaining({ ruleId: 'AUTH-8', field: 'serviceDate' })]);
    expect(ev({ policy: MEDICARE_ADVANTAGE, authorizations: [{ ...approved, visitsUsed: 1 }] }).findings).toEqual([expect.objectContaining({ ruleId: 'AUTH-8', field: 'visits' })]);
  });
});
