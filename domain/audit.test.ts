import { describe, expect, it } from 'vitest';
import { AUDIT_FAMILIES, buildAudit, codeGapFromFix, estimatedCents, familyOfRule, isAuditYear, missedCentsForGap, type AuditRow } from './audit';

const row = (r: Partial<AuditRow> & Pick<AuditRow, 'family' | 'ruleId'>): AuditRow => ({ metric: 'm', occurrences: 1, dollarsCents: 0, kind: 'at_risk', ...r });

describe('revenue-gap audit ranking (DOMAIN §6)', () => {
  it('lists findings largest first: dollars, then occurrences', () => {
    const audit = buildAudit([
      row({ family: 'CHG', ruleId: 'CHG-1', metric: 'charge_lag_over_7_days', occurrences: 9, dollarsCents: 10_000 }),
      row({ family: 'DEN', ruleId: 'DEN-2', metric: 'denied_hard', occurrences: 1, dollarsCents: 185_000, kind: 'denied' }),
      row({ family: 'POST', ruleId: 'POST-5', metric: 'underpaid', occurrences: 2, dollarsCents: 10_000, kind: 'underpaid' }),
      row({ family: 'AR', ruleId: 'AR-4', metric: 'late', occurrences: 3, dollarsCents: 0 }),
      row({ family: 'CRED', ruleId: 'CRED-4', metric: 'late', occurrences: 5, dollarsCents: 0 }),
    ]);
    expect(audit.findings.map((f) => f.ruleId)).toEqual(['DEN-2', 'CHG-1', 'POST-5', 'CRED-4', 'AR-4']);
  });

  it('breaks full ties by family order, rule number (CODE-2 before CODE-11) and metric', () => {
    const audit = buildAudit([
      row({ family: 'CODE', ruleId: 'CODE-11', metric: 'a' }),
      row({ family: 'CODE', ruleId: 'CODE-2', metric: 'b' }),
      row({ family: 'CODE', ruleId: 'CODE-2', metric: 'a' }),
      row({ family: 'ELIG', ruleId: 'ELIG-7', metric: 'z' }),
    ]);
    expect(audit.findings.map((f) => `${f.ruleId}:${f.metric}`)).toEqual(['ELIG-7:z', 'CODE-2:a', 'CODE-2:b', 'CODE-11:a']);
  });

  it('adds rows of the same rule, metric and kind; keeps different kinds apart; drops empty rows', () => {
    const audit = buildAudit([
      row({ family: 'SUB', ruleId: 'SUB-1', metric: 'x', occurrences: 1, dollarsCents: 100 }),
      row({ family: 'SUB', ruleId: 'SUB-1', metric: 'x', occurrences: 2, dollarsCents: 250 }),
      row({ family: 'SUB', ruleId: 'SUB-1', metric: 'x', occurrences: 1, dollarsCents: 5, kind: 'missed' }),
      row({ family: 'SUB', ruleId: 'SUB-4', metric: 'expired', occurrences: 0, dollarsCents: 0 }),
    ]);
    expect(audit.findings).toEqual([
      { family: 'SUB', ruleId: 'SUB-1', metric: 'x', occurrences: 3, dollarsCents: 350, kind: 'at_risk' },
      { family: 'SUB', ruleId: 'SUB-1', metric: 'x', occurrences: 1, dollarsCents: 5, kind: 'missed' },
    ]);
  });

  it('totals per family and overall, by kind; families ranked by dollars, empty families listed last', () => {
    const audit = buildAudit([
      row({ family: 'DEN', ruleId: 'DEN-2', metric: 'denied', occurrences: 2, dollarsCents: 300_000, kind: 'denied' }),
      row({ family: 'DEN', ruleId: 'DEN-4', metric: 'late', occurrences: 1, dollarsCents: 185_000 }),
      row({ family: 'POST', ruleId: 'POST-5', metric: 'underpaid', occurrences: 1, dollarsCents: 46_000, kind: 'underpaid' }),
      row({ family: 'AR', ruleId: 'AR-6', metric: 'written_off', occurrences: 1, dollarsCents: 500_000, kind: 'written_off' }),
      row({ family: 'CRED', ruleId: 'CRED-1', metric: 'lapsed', occurrences: 1, dollarsCents: 0 }),
    ]);
    expect(audit.families.map((f) => f.family)).toEqual(['AR', 'DEN', 'POST', 'CRED', 'ELIG', 'AUTH', 'CODE', 'CHG', 'SUB']);
    expect(audit.families).toHaveLength(AUDIT_FAMILIES.length);
    const den = audit.families.find((f) => f.family === 'DEN')!;
    expect(den).toMatchObject({ dollarsCents: 485_000, occurrences: 3, byKind: { denied: 300_000, at_risk: 185_000, underpaid: 0, missed: 0, written_off: 0 } });
    expect(den.findings.map((f) => f.ruleId)).toEqual(['DEN-2', 'DEN-4']);
    expect(den.findings[0]).not.toHaveProperty('family');
    expect(audit.families.find((f) => f.family === 'ELIG')).toMatchObject({ dollarsCents: 0, occurrences: 0, findings: [] });
    expect(audit.totals).toEqual({
      dollarsCents: 1_031_000,
      occurrences: 6,
      byKind: { denied: 300_000, underpaid: 46_000, missed: 0, written_off: 500_000, at_risk: 185_000 },
      findings: 5,
    });
  });

  it('an empty audit has zero totals and nine empty families', () => {
    const audit = buildAudit([]);
    expect(audit.findings).toEqual([]);
    expect(audit.totals).toMatchObject({ dollarsCents: 0, occurrences: 0, findings: 0 });
    expect(audit.families.map((f) => f.family)).toEqual([...AUDIT_FAMILIES]);
  });

  it('refuses rows that would make the figures wrong: rule outside its family, negative or fractional cents, unknown kind', () => {
    expect(() => buildAudit([row({ family: 'DEN', ruleId: 'POST-5' })])).toThrow(/not in family DEN/);
    expect(() => buildAudit([row({ family: 'DEN', ruleId: 'DEN-2', dollarsCents: -1 })])).toThrow(/dollarsCents/);
    expect(() => buildAudit([row({ family: 'DEN', ruleId: 'DEN-2', dollarsCents: 1.5 })])).toThrow(/dollarsCents/);
    expect(() => buildAudit([row({ family: 'DEN', ruleId: 'DEN-2', occurrences: Number.NaN })])).toThrow(/occurrences/);
    expect(() => buildAudit([row({ family: 'DEN', ruleId: 'DEN-2', kind: 'lost' as never })])).toThrow(/unknown kind/);
    expect(() => buildAudit([row({ family: 'XYZ' as never, ruleId: 'XYZ-1' })])).toThrow(/unknown family/);
  });

  it('does not mutate its input rows when merging', () => {
    const a = row({ family: 'AR', ruleId: 'AR-2', occurrences: 1, dollarsCents: 10 });
    buildAudit([a, { ...a }]);
    expect(a).toMatchObject({ occurrences: 1, dollarsCents: 10 });
  });
});

describe('familyOfRule', () => {
  it('maps DOMAIN rule ids to their family', () => {
    expect(familyOfRule('CODE-11')).toBe('CODE');
    expect(familyOfRule('ELIG-7')).toBe('ELIG');
    expect(familyOfRule('CRED-7')).toBe('CRED');
    expect(familyOfRule('FOO-1')).toBeUndefined();
    expect(familyOfRule('DEN')).toBeUndefined();
  });
});

describe('missed revenue from scrub fixes (CODE-7, CODE-11)', () => {
  it('reads the code to add or the code to bill instead', () => {
    expect(codeGapFromFix('Add a 77003 line for the guidance.')).toEqual({ add: '77003' });
    expect(codeGapFromFix('Bill 62323 (with imaging guidance) instead of 62322.')).toEqual({ bill: '62323', insteadOf: '62322' });
    expect(codeGapFromFix('Bill 99214 instead of 99213.')).toEqual({ bill: '99214', insteadOf: '99213' });
    expect(codeGapFromFix('Review the visit documentation before billing an E/M.')).toBeUndefined();
    expect(codeGapFromFix(undefined)).toBeUndefined();
  });

  it('prices the gap at the allowables, never below zero', () => {
    const fees = { '77003': 6_500, '99213': 9_000, '99214': 13_000, '62322': 20_000, '62323': 30_000 };
    expect(missedCentsForGap({ add: '77003' }, fees)).toBe(6_500);
    expect(missedCentsForGap({ bill: '99214', insteadOf: '99213' }, fees)).toBe(4_000);
    expect(missedCentsForGap({ bill: '99213', insteadOf: '99214' }, fees)).toBe(0);
    expect(missedCentsForGap({ bill: '62323', insteadOf: '62322' }, fees)).toBe(10_000);
    expect(missedCentsForGap({ add: '76942' }, fees)).toBe(0);
    expect(missedCentsForGap({ bill: '99999', insteadOf: '99213' }, fees)).toBe(0);
  });

  it('estimates scheduled codes at their allowables', () => {
    expect(estimatedCents(['64483', '64484', 'X'], { '64483': 40_000, '64484': 20_000 })).toBe(60_000);
  });
});

describe('isAuditYear', () => {
  it('accepts 2000–2100 whole years only', () => {
    expect(isAuditYear(2026)).toBe(true);
    expect(isAuditYear(1999)).toBe(false);
    expect(isAuditYear(2101)).toBe(false);
    expect(isAuditYear(2026.5)).toBe(false);
  });
});
