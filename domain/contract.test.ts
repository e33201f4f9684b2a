import { describe, expect, it } from 'vitest';
import {
  applyPercent,
  compareRemittanceToContract,
  expectedPayment,
  matchRemittanceLines,
  type ContractFinding,
  type ContractLineInput,
  type ContractTerms,
} from './contract';
import { ClaimPayment, LinePayment, type Adjustment } from './remittance';

const ADD_ONS = ['64480', '64484', '64491', '64492', '64494', '64495', '64634', '64636'];

const contract: ContractTerms = {
  allowableCents: {
    '62323': 35000,
    '64483': 40000,
    '64484': 15000,
    '64493': 30000,
    '64494': 12000,
    '64635': 60000,
    '64636': 20000,
    '77003': 8000,
    '99214': 13000,
    '95972': 7000,
    '62320': 12345,
  },
  multipleProcedureReductionPercent: 50,
  addOnCodes: ADD_ONS,
};

const line = (cpt: string, modifiers: string[] = [], units = 1): ContractLineInput => ({ cpt, modifiers, units });

/** An 835 service line paid at 80/20 of `allowed` unless told otherwise. */
function svc(
  cpt: string,
  allowed: number,
  opts: { modifiers?: string[]; lineNumber?: number; paid?: number; pr?: number; extra?: Adjustment[]; charged?: number } = {},
): LinePayment {
  const pr = opts.pr ?? Math.round(allowed * 0.2);
  const paid = opts.paid ?? allowed - pr;
  const charged = opts.charged ?? 100_000;
  const adjustments: Adjustment[] = [...(opts.extra ?? [])];
  if (pr) adjustments.push({ group: 'PR', carc: '2', amountCents: pr });
  const extraTotal = (opts.extra ?? []).reduce((s, a) => s + a.amountCents, 0);
  adjustments.push({ group: 'CO', carc: '45', amountCents: charged - paid - pr - extraTotal });
  return LinePayment.parse({ cpt, modifiers: opts.modifiers ?? [], lineNumber: opts.lineNumber, chargedCents: charged, paidCents: paid, adjustments });
}

function payment(lines: LinePayment[], statusCode: ClaimPayment['statusCode'] = '1'): ClaimPayment {
  return ClaimPayment.parse({
    claimId: 'CLM-1',
    statusCode,
    chargedCents: lines.reduce((s, l) => s + l.chargedCents, 0),
    paidCents: lines.reduce((s, l) => s + l.paidCents, 0),
    lines,
  });
}

const kinds = (findings: ContractFinding[]) => findings.map((f) => `${f.rule}:${f.kind}@${f.claimLineIndex ?? '-'}`);

describe('applyPercent rounds half up to the cent', () => {
  it.each([
    [101, 50, 51],
    [100, 50, 50],
    [-101, 50, -51],
    [12345, 150, 18518],
    [33333, 37.5, 12500],
    [0, 50, 0],
  ])('applyPercent(%i, %d) = %i', (cents, pct, expected) => {
    expect(applyPercent(cents, pct)).toBe(expected);
  });
  it('refuses a percent with more than two decimals', () => {
    expect(() => applyPercent(100, 33.333)).toThrow(RangeError);
  });
});

describe('expectedPayment (POST-2, POST-3, POST-4)', () => {
  it.each<[string, ContractLineInput[], Array<[number | null, number | null]>]>([
    // [why, lines, [ [mprRank, expectedCents] per line ]]
    ['POST-2 single procedure pays fee × units', [line('64483')], [[1, 40000]]],
    ['POST-3 add-on is exempt from MPR', [line('64483'), line('64484')], [[1, 40000], [null, 15000]]],
    ['POST-3 second procedure reduced by 50%', [line('64635'), line('64493')], [[1, 60000], [2, 15000]]],
    ['POST-3 ranking by allowable, not by claim order', [line('64493'), line('64635')], [[2, 15000], [1, 60000]]],
    ['POST-3 bilateral modifier 50 pays 150% and ranks on it', [line('64493'), line('64483', ['50'])], [[2, 15000], [1, 60000]]],
    ['POST-3 RT + LT on two lines: the second side is reduced', [line('64483', ['RT']), line('64483', ['LT'])], [[1, 40000], [2, 20000]]],
    ['POST-3 extra units of the primary are reduced', [line('64493', [], 2)], [[1, 45000]]],
    ['POST-4 imaging guidance is not reduced', [line('62323'), line('77003')], [[1, 35000], [null, 8000]]],
    ['POST-3 E/M and programming are exempt', [line('99214', ['25']), line('64483'), line('95972')], [[null, 13000], [1, 40000], [null, 7000]]],
    ['POST-2 a CPT without a rate has no expectation', [line('64483'), line('64999')], [[1, 40000], [null, null]]],
    ['POST-3 bilateral rounding half up (12345 × 150%)', [line('62320', ['50'])], [[1, 18518]]],
  ])('%s', (_why, lines, expected) => {
    const result = expectedPayment(lines, contract);
    expect(result.lines.map((l) => [l.mprRank, l.expectedCents])).toEqual(expected);
    expect(result.totalExpectedCents).toBe(expected.reduce((s, [, c]) => s + (c ?? 0), 0));
  });

  it('POST-3 uses the contract percent: a 25% reduction pays the second procedure 75%', () => {
    const result = expectedPayment([line('64635'), line('64493')], { ...contract, multipleProcedureReductionPercent: 25 });
    expect(result.lines[1]).toMatchObject({ expectedCents: 22500, reductionCents: 7500, expectedPercent: 75 });
  });

  it('POST-3 bilateral percent is configurable', () => {
    const result = expectedPayment([line('64483', ['50'])], { ...contract, bilateralPercent: 200 });
    expect(result.lines[0].expectedCents).toBe(80000);
  });

  it('refuses a reduction percent outside 0–100', () => {
    expect(() => expectedPayment([line('64483')], { ...contract, multipleProcedureReductionPercent: 150 })).toThrow(RangeError);
  });
});

describe('compareRemittanceToContract', () => {
  it('POST-2 a correctly paid claim (80/20 split) has no findings', () => {
    const claim = [line('64635'), line('64636'), line('64493')];
    const result = compareRemittanceToContract(
      claim,
      payment([svc('64635', 60000), svc('64636', 20000), svc('64493', 15000, { extra: [{ group: 'CO', carc: '59', amountCents: 15000 }] })]),
      contract,
    );
    expect(result.findings).toEqual([]);
    expect(result.disputeRequired).toBe(false);
    expect(result.totalPayerAllowedCents).toBe(95000);
  });

  it('POST-2 flags a paid line below the contracted allowable × units', () => {
    const result = compareRemittanceToContract([line('64483')], payment([svc('64483', 38000)]), contract);
    expect(kinds(result.findings)).toEqual(['POST-2:rate_variance@0', 'POST-5:underpaid@0']);
    expect(result.underpaidCents).toBe(2000);
  });

  it('POST-3 flags an add-on reduced by 50%', () => {
    const result = compareRemittanceToContract(
      [line('64483'), line('64484')],
      payment([svc('64483', 40000), svc('64484', 7500, { extra: [{ group: 'CO', carc: '59', amountCents: 7500 }] })]),
      contract,
    );
    const f = result.findings.find((x) => x.rule === 'POST-3');
    expect(f).toMatchObject({ kind: 'mpr_on_add_on', claimLineIndex: 1, appliedPercent: 50, expectedPercent: 100 });
    expect(result.underpaidCents).toBe(7500);
  });

  it('POST-3 flags an add-on reduced by 50% even when the payer gives no CARC 59', () => {
    const result = compareRemittanceToContract([line('64483'), line('64484')], payment([svc('64483', 40000), svc('64484', 7500)]), contract);
    expect(kinds(result.findings)).toEqual(['POST-3:mpr_on_add_on@1', 'POST-5:underpaid@1']);
  });

  it('POST-3 flags a reduced primary and the secondary paid in full', () => {
    const result = compareRemittanceToContract(
      [line('64635'), line('64493')],
      payment([svc('64635', 30000, { extra: [{ group: 'CO', carc: '59', amountCents: 30000 }] }), svc('64493', 30000)]),
      contract,
    );
    expect(kinds(result.findings)).toEqual([
      'POST-3:mpr_on_primary@0',
      'POST-5:underpaid@0',
      'POST-3:mpr_not_applied@1',
      'POST-5:overpaid@1',
    ]);
    expect(result.underpaidCents).toBe(30000);
    expect(result.disputeRequired).toBe(true);
  });

  it('POST-3 flags the wrong reduction percent and says which percent was applied', () => {
    const result = compareRemittanceToContract(
      [line('64635'), line('64493')],
      payment([svc('64635', 60000), svc('64493', 7500, { extra: [{ group: 'CO', carc: '59', amountCents: 22500 }] })]),
      contract,
    );
    const f = result.findings.find((x) => x.rule === 'POST-3');
    expect(f).toMatchObject({ kind: 'mpr_wrong_percent', appliedPercent: 25, expectedPercent: 50, varianceCents: 7500 });
    expect(f?.message).toContain('25%');
  });

  it('POST-3 flags an MPR reduction on an exempt E/M line', () => {
    const result = compareRemittanceToContract(
      [line('64483'), line('99214', ['25'])],
      payment([svc('64483', 40000), svc('99214', 6500, { modifiers: ['25'], extra: [{ group: 'CO', carc: '59', amountCents: 6500 }] })]),
      contract,
    );
    expect(kinds(result.findings)).toEqual(['POST-3:mpr_on_exempt_line@1', 'POST-5:underpaid@1']);
  });

  it('POST-4 flags imaging guidance paid below its allowable', () => {
    const result = compareRemittanceToContract([line('62320'), line('77003')], payment([svc('62320', 12345), svc('77003', 6000)]), contract);
    expect(kinds(result.findings)).toEqual(['POST-4:imaging_variance@1', 'POST-5:underpaid@1']);
  });

  it('POST-4 an imaging line paid at its allowable is not flagged', () => {
    const result = compareRemittanceToContract([line('62320'), line('77003')], payment([svc('62320', 12345), svc('77003', 8000)]), contract);
    expect(result.findings).toEqual([]);
  });

  it.each([
    [99, false],
    [100, false],
    [101, true],
  ])('POST-5 an underpayment of %i cents with a $1.00 tolerance is flagged: %s', (shortBy, flagged) => {
    const result = compareRemittanceToContract([line('64483')], payment([svc('64483', 40000 - shortBy)]), contract);
    expect(result.findings.some((f) => f.rule === 'POST-5' && f.kind === 'underpaid')).toBe(flagged);
    expect(result.disputeRequired).toBe(flagged);
  });

  it('POST-5 tolerance is configurable (0 flags a 1-cent underpayment)', () => {
    const result = compareRemittanceToContract([line('64483')], payment([svc('64483', 39999)]), { ...contract, toleranceCents: 0 });
    expect(result.underpaidCents).toBe(1);
  });

  it('POST-5 counts patient responsibility as part of the allowed amount', () => {
    const withPr = compareRemittanceToContract([line('64483')], payment([svc('64483', 40000, { paid: 32000, pr: 8000 })]), contract);
    expect(withPr.findings).toEqual([]);
    const withoutPr = compareRemittanceToContract([line('64483')], payment([svc('64483', 32000, { paid: 32000, pr: 0 })]), contract);
    expect(withoutPr.underpaidCents).toBe(8000);
    expect(withoutPr.findings.find((f) => f.kind === 'underpaid')?.message).toMatch(/underpaid by \$80\.00/);
  });

  it('POST-5 Medicare sequestration (CO-253) is not an underpayment', () => {
    // allowed 40000: 80% = 32000, 2% sequestration of 32000 = 640, PR 8000.
    const result = compareRemittanceToContract(
      [line('64483')],
      payment([svc('64483', 40000, { paid: 31360, pr: 8000, extra: [{ group: 'CO', carc: '253', amountCents: 640 }] })]),
      contract,
    );
    expect(result.findings).toEqual([]);
  });

  it('POST-5 reports an overpayment as info, never as a dispute', () => {
    const result = compareRemittanceToContract([line('64483')], payment([svc('64483', 45000)]), contract);
    expect(result.findings.find((f) => f.rule === 'POST-5')).toMatchObject({ kind: 'overpaid', severity: 'info', varianceCents: -5000 });
    expect(result.disputeRequired).toBe(false);
    expect(result.overpaidCents).toBe(5000);
  });

  it('POST-5 compares claim totals when the remittance has no line detail', () => {
    const cp = ClaimPayment.parse({ claimId: 'CLM-1', statusCode: '1', chargedCents: 200000, paidCents: 40000, patientResponsibilityCents: 10000 });
    const result = compareRemittanceToContract([line('64483'), line('64484')], cp, contract);
    expect(kinds(result.findings)).toEqual(['POST-5:underpaid@-']);
    expect(result.underpaidCents).toBe(5000);
  });

  it('POST-2 a denied line goes to denial management, not to underpayment', () => {
    const denied = LinePayment.parse({ cpt: '64635', chargedCents: 100000, paidCents: 0, adjustments: [{ group: 'CO', carc: '50', amountCents: 100000 }] });
    const result = compareRemittanceToContract([line('64635')], payment([denied]), contract);
    expect(kinds(result.findings)).toEqual(['POST-2:line_denied@0']);
    expect(result.disputeRequired).toBe(false);
  });

  it.each([
    ['4', 'claim_denied'],
    ['22', 'reversal'],
  ] as const)('a claim with status %s is not compared (%s)', (status, skipped) => {
    const result = compareRemittanceToContract([line('64483')], payment([svc('64483', 0, { paid: 0, pr: 0 })], status), contract);
    expect(result).toMatchObject({ skipped, findings: [], disputeRequired: false });
  });

  it('POST-2 warns when the fee schedule has no rate for a billed CPT', () => {
    const result = compareRemittanceToContract([line('64999')], payment([svc('64999', 5000)]), contract);
    expect(kinds(result.findings)).toEqual(['POST-2:no_contract_rate@0']);
  });

  it('POST-2 reports claim lines without an answer and remittance lines without a claim line', () => {
    const result = compareRemittanceToContract([line('64483'), line('64484')], payment([svc('64483', 40000), svc('64493', 100)]), contract);
    expect(kinds(result.findings).sort()).toEqual(['POST-2:line_not_adjudicated@1', 'POST-2:unmatched_remittance_line@-']);
  });
});

describe('matching remittance lines to claim lines', () => {
  it('matches by REF*6R line number even when the payer reorders lines', () => {
    const claim = [line('64483', ['RT']), line('64483', ['LT'])];
    const { matches } = matchRemittanceLines(claim, [
      svc('64483', 20000, { lineNumber: 2, modifiers: ['LT'] }),
      svc('64483', 40000, { lineNumber: 1, modifiers: ['RT'] }),
    ]);
    expect(matches.map((m) => [m.claimLineIndex, m.remitLines[0].paidCents, m.matchedBy])).toEqual([
      [0, 32000, 'line_number'],
      [1, 16000, 'line_number'],
    ]);
  });

  it('matches by CPT + modifiers in order when there is no line number', () => {
    const claim = [line('64483', ['RT']), line('64483', ['LT'])];
    const { matches } = matchRemittanceLines(claim, [svc('64483', 20000, { modifiers: ['LT'] }), svc('64483', 40000, { modifiers: ['RT'] })]);
    expect(matches.map((m) => [m.claimLineIndex, m.remitLines[0].modifiers[0], m.matchedBy])).toEqual([
      [0, 'RT', 'cpt_modifiers'],
      [1, 'LT', 'cpt_modifiers'],
    ]);
  });

  it('falls back to CPT alone when the payer dropped the modifiers', () => {
    const { matches, unmatched } = matchRemittanceLines([line('64483', ['50'])], [svc('64483', 60000)]);
    expect(matches[0]).toMatchObject({ claimLineIndex: 0, matchedBy: 'cpt' });
    expect(unmatched).toEqual([]);
  });

  it('POST-3 RT/LT compared through the matching: the LT line reduced is correct, RT reduced is not', () => {
    const claim = [line('64483', ['RT']), line('64483', ['LT'])];
    const ok = compareRemittanceToContract(
      claim,
      payment([svc('64483', 40000, { modifiers: ['RT'] }), svc('64483', 20000, { modifiers: ['LT'], extra: [{ group: 'CO', carc: '59', amountCents: 20000 }] })]),
      contract,
    );
    expect(ok.findings).toEqual([]);
  });
});
