import { describe, expect, it } from 'vitest';
import carcReference from './reference-carc.json';
import rarcReference from './reference-rarc.json';
import {
  appealPackageRequirements,
  carcInfo,
  classifyDenial,
  denialDateOf,
  denialDeadlines,
  denialPatterns,
  isDenied,
  resubmissionAllowed,
  type DenialEvent,
  type DenialKind,
} from './denials';
import { ClaimPayment, Remittance, type Adjustment } from './remittance';

const co = (carc: string, amountCents = 10000): Adjustment => ({ group: 'CO', carc, amountCents });

describe('reference data', () => {
  it('names its X12 source list', () => {
    expect(carcReference._source).toMatch(/X12.*Claim Adjustment Reason Codes/);
    expect(rarcReference._source).toMatch(/Remittance Advice Remark Codes/);
  });
  it('has unique codes, each with a description', () => {
    for (const ref of [carcReference, rarcReference]) {
      const codes = ref.codes.map((c) => c.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const c of ref.codes) expect(c.description.length).toBeGreaterThan(5);
    }
  });
  it('gives every denial CARC a category and a kind', () => {
    for (const c of carcReference.codes) {
      if (c.denial) {
        expect(['hard', 'soft']).toContain(c.category);
        expect(c.kind).toBeTruthy();
      }
    }
  });
});

describe('classifyDenial (DEN-2)', () => {
  it.each<[string, 'hard' | 'soft', DenialKind]>([
    ['16', 'soft', 'missing_information'],
    ['4', 'soft', 'coding'],
    ['11', 'soft', 'coding'],
    ['97', 'soft', 'coding'],
    ['22', 'soft', 'coordination_of_benefits'],
    ['50', 'hard', 'medical_necessity'],
    ['197', 'hard', 'authorization'],
    ['15', 'hard', 'authorization'],
    ['96', 'hard', 'non_covered'],
    ['204', 'hard', 'non_covered'],
    ['119', 'hard', 'frequency'],
    ['151', 'hard', 'frequency'],
    ['185', 'hard', 'provider_eligibility'],
    ['B7', 'hard', 'provider_eligibility'],
    ['29', 'hard', 'timely_filing'],
    ['27', 'hard', 'eligibility'],
    ['31', 'hard', 'eligibility'],
    ['109', 'hard', 'eligibility'],
  ])('DEN-2 CARC %s is %s / %s', (carc, category, kind) => {
    const c = classifyDenial([co(carc)], { payerType: 'commercial' });
    expect(c).toMatchObject({ category, kind, primaryCarc: carc });
    expect(c.action).toBe(category === 'soft' ? 'correct_and_resubmit' : 'appeal');
  });

  it('DEN-2 an unknown CARC is hard/other and does not throw', () => {
    expect(classifyDenial([co('Z9')], { payerType: 'commercial' })).toMatchObject({ category: 'hard', kind: 'other', primaryCarc: 'Z9', appealable: true });
  });

  it('DEN-2 no denial CARC at all is hard/other with no primary', () => {
    expect(classifyDenial([], { payerType: 'commercial' })).toMatchObject({ category: 'hard', kind: 'other', primaryCarc: null });
  });

  it('DEN-2 a front-end rejection is soft', () => {
    expect(classifyDenial([], { payerType: 'commercial', frontEndRejection: true })).toMatchObject({ category: 'soft', action: 'correct_and_resubmit' });
  });

  it.each([
    ['medicare', false],
    ['medicare_advantage', true],
    ['commercial', true],
  ] as const)('DEN-2 / SUB-4 CARC 29 for %s is appealable: %s', (payerType, appealable) => {
    const c = classifyDenial([co('29')], { payerType });
    expect(c.appealable).toBe(appealable);
    expect(c.action).toBe(appealable ? 'appeal' : 'write_off_review');
  });

  it('DEN-2 payer type is matched case-insensitively (payer ids are upper case)', () => {
    expect(classifyDenial([co('29')], { payerType: 'MEDICARE' as never }).appealable).toBe(false);
  });

  it('DEN-2 the hard CARC wins over a larger soft one', () => {
    const c = classifyDenial([co('16', 90000), co('50', 1000)], { payerType: 'commercial' });
    expect(c).toMatchObject({ category: 'hard', primaryCarc: '50' });
    expect(c.denialCarcs).toEqual(['CO-50', 'CO-16']);
  });

  it('DEN-2 patient responsibility and contractual codes are not denial reasons', () => {
    const c = classifyDenial([{ group: 'PR', carc: '1', amountCents: 50000 }, co('45', 40000), co('4', 100)], { payerType: 'commercial' });
    expect(c).toMatchObject({ category: 'soft', primaryCarc: '4', denialCarcs: ['CO-4'] });
  });

  it('DEN-2 CARC 97 without a modifier fix is hard', () => {
    expect(classifyDenial([co('97')], { payerType: 'medicare', modifierFixAvailable: false }).category).toBe('hard');
    expect(classifyDenial([co('97')], { payerType: 'medicare', modifierFixAvailable: true }).category).toBe('soft');
  });

  it('DEN-2 payer overrides reclassify a CARC', () => {
    const c = classifyDenial([co('16')], { payerType: 'commercial', overrides: { '16': { category: 'hard', kind: 'other' } } });
    expect(c).toMatchObject({ category: 'hard', kind: 'other' });
  });

  it('DEN-2 RARC N211 makes a denial not appealable; MA130 makes it a soft resubmission', () => {
    expect(classifyDenial([co('50')], { payerType: 'commercial', remarks: ['N211'] }).appealable).toBe(false);
    expect(classifyDenial([co('50')], { payerType: 'commercial', remarks: ['MA130'] })).toMatchObject({ category: 'soft', action: 'correct_and_resubmit' });
  });

  it('DEN-5 a medical-necessity denial of an interventional CPT asks for a peer-to-peer', () => {
    expect(classifyDenial([co('50')], { payerType: 'commercial', cpts: ['64483'] }).action).toBe('peer_to_peer_and_appeal');
    expect(classifyDenial([co('50')], { payerType: 'commercial', cpts: ['99214'] }).action).toBe('appeal');
  });

  it('normalizes CARC spelling', () => {
    expect(carcInfo(' b7 ')?.kind).toBe('provider_eligibility');
  });
});

describe('denialDeadlines', () => {
  const soft = { category: 'soft', kind: 'missing_information', appealable: true } as const;
  const hard = { category: 'hard', kind: 'authorization', appealable: true } as const;
  const medNec = { category: 'hard', kind: 'medical_necessity', appealable: true } as const;

  it.each([
    ['2026-03-11', '2026-03-18', 'ordinary Wednesday'],
    ['2026-11-25', '2026-12-03', 'Wednesday before Thanksgiving'],
    ['2026-07-02', '2026-07-10', 'Thursday before the observed July 4th'],
  ])('DEN-3 a soft denial on %s is corrected by %s (5 business days, %s)', (date, due) => {
    const d = denialDeadlines(date, { classification: soft, payerType: 'commercial' });
    expect(d.correctionDue).toBe(due);
    expect(d.internalAppealDue).toBeUndefined();
    expect(d.deadlines).toEqual([{ rule: 'DEN-3', kind: 'correction', due }]);
  });

  it.each([
    ['medicare', undefined, '2026-06-30'],
    ['medicare_advantage', undefined, '2026-05-01'],
    ['medicaid', undefined, '2026-05-31'],
    ['commercial', undefined, '2026-08-29'],
    ['commercial', 90, '2026-05-31'],
  ] as const)('DEN-4 hard denial for %s (window %s): appeal within 30 days, payer deadline %s', (payerType, appealWindowDays, payerDeadline) => {
    const d = denialDeadlines('2026-03-02', { classification: hard, payerType, appealWindowDays });
    expect(d.internalAppealDue).toBe('2026-04-01');
    expect(d.payerAppealDeadline).toBe(payerDeadline);
    expect(d.correctionDue).toBeUndefined();
  });

  it('DEN-4 appeal window counts from the denial date, not the ERA receipt', () => {
    const remittance = Remittance.parse({
      payerId: 'AETNA',
      traceNumber: 'T1',
      totalPaidCents: 0,
      paymentDate: '2026-03-20',
      adjudicationDate: '2026-03-02',
      claims: [],
    });
    const receivedOn = '2026-03-23';
    const d = denialDeadlines(denialDateOf(remittance), { classification: hard, payerType: 'commercial' });
    expect(d.denialDate).toBe('2026-03-02');
    expect(d.internalAppealDue).toBe('2026-04-01');
    expect(d.payerAppealDeadline).toBe('2026-08-29');
    expect(d.internalAppealDue).not.toBe(denialDeadlines(receivedOn, { classification: hard, payerType: 'commercial' }).internalAppealDue);
  });

  it('DEN-4 the internal target never falls after a short payer window', () => {
    const d = denialDeadlines('2026-03-02', { classification: hard, payerType: 'commercial', appealWindowDays: 20 });
    expect(d.internalAppealDue).toBe('2026-03-22');
    expect(d.payerAppealDeadline).toBe('2026-03-22');
  });

  it('DEN-4 a non-appealable denial (Medicare CARC 29) gets no appeal deadlines', () => {
    const c = classifyDenial([co('29')], { payerType: 'medicare' });
    const d = denialDeadlines('2026-03-02', { classification: c, payerType: 'medicare' });
    expect(d.deadlines).toEqual([]);
  });

  it.each([
    ['2026-03-11', '2026-03-11', 'a business day → the same day'],
    ['2026-03-14', '2026-03-16', 'a Saturday → Monday'],
    ['2026-11-26', '2026-11-27', 'Thanksgiving → Friday'],
  ])('DEN-5 peer-to-peer for a medical-necessity denial of an interventional CPT dated %s is due %s (%s)', (date, due) => {
    const d = denialDeadlines(date, { classification: medNec, payerType: 'commercial', cpts: ['64635', '64636'] });
    expect(d.peerToPeerDue).toBe(due);
    expect(d.deadlines[0]).toEqual({ rule: 'DEN-5', kind: 'peer_to_peer', due });
    expect(d.internalAppealDue).toBeDefined();
  });

  it('DEN-5 no peer-to-peer for a medical-necessity denial of an E/M visit', () => {
    const d = denialDeadlines('2026-03-11', { classification: medNec, payerType: 'commercial', cpts: ['99214'] });
    expect(d.peerToPeerDue).toBeUndefined();
  });

  it('DEN-3 an injected business calendar is used', () => {
    const everyDay = { isBusinessDay: () => true, addBusinessDays: (d: string, n: number) => `${d}+${n}` };
    expect(denialDeadlines('2026-03-14', { classification: soft, payerType: 'commercial', businessDays: everyDay }).correctionDue).toBe('2026-03-14+5');
  });
});

describe('isDenied (DEN-1)', () => {
  const cp = (o: Record<string, unknown>) =>
    ClaimPayment.parse({ claimId: 'C1', statusCode: '1', chargedCents: 100000, paidCents: 0, ...o });

  it.each<[string, ClaimPayment, boolean]>([
    ['CLP02 = 4', cp({ statusCode: '4' }), true],
    ['zero paid, every line CO-50', cp({ lines: [{ cpt: '64483', chargedCents: 50000, paidCents: 0, adjustments: [co('50', 50000)] }, { cpt: '64484', chargedCents: 50000, paidCents: 0, adjustments: [co('197', 50000)] }] }), true],
    ['zero paid, claim-level PI-16 and no lines', cp({ adjustments: [{ group: 'PI', carc: '16', amountCents: 100000 }] }), true],
    ['zero paid because of the deductible (PR-1) is not a denial', cp({ lines: [{ cpt: '64483', chargedCents: 100000, paidCents: 0, adjustments: [{ group: 'PR', carc: '1', amountCents: 40000 }, co('45', 60000)] }] }), false],
    ['one line denied, one line with zero paid for deductible: not a whole-claim denial', cp({ lines: [{ cpt: '64483', chargedCents: 50000, paidCents: 0, adjustments: [co('50', 50000)] }, { cpt: '77003', chargedCents: 50000, paidCents: 0, adjustments: [{ group: 'PR', carc: '1', amountCents: 50000 }] }] }), false],
    ['something paid', cp({ paidCents: 100, lines: [{ cpt: '64483', chargedCents: 100000, paidCents: 100, adjustments: [co('50', 99900)] }] }), false],
    ['a reversal is not a denial', cp({ statusCode: '22', adjustments: [co('50', 100000)] }), false],
  ])('DEN-1 %s → %s', (_why, payment, expected) => {
    expect(isDenied(payment)).toBe(expected);
  });
});

describe('DEN-6 / DEN-8', () => {
  it('DEN-6 an RFA denial appeal package carries the two diagnostic MBB notes', () => {
    expect(appealPackageRequirements(['64635', '64636'], 'medical_necessity')).toEqual(
      expect.arrayContaining(['diagnostic_mbb_note_1', 'diagnostic_mbb_note_2']),
    );
    expect(appealPackageRequirements(['64483'], 'medical_necessity')).not.toContain('diagnostic_mbb_note_1');
  });
  it.each([
    ['hard', false, false],
    ['hard', true, true],
    ['soft', false, true],
  ] as const)('DEN-8 a %s denial resubmitted with claimChanged=%s is allowed: %s', (category, changed, allowed) => {
    expect(resubmissionAllowed(category, changed)).toBe(allowed);
  });
});

describe('denialPatterns (DEN-7)', () => {
  const ev = (denialDate: string, o: Partial<DenialEvent> = {}): DenialEvent => ({ cpt: '64483', payerId: 'AETNA', carc: '50', denialDate, ...o });

  it('DEN-7 three of the same CARC for the same CPT × payer in 30 days is a pattern', () => {
    const patterns = denialPatterns([ev('2026-03-01'), ev('2026-03-10'), ev('2026-03-30')], '2026-03-30');
    expect(patterns).toEqual([
      { rule: 'DEN-7', cpt: '64483', payerId: 'AETNA', carc: '50', count: 3, firstDenialDate: '2026-03-01', lastDenialDate: '2026-03-30' },
    ]);
  });

  it.each<[string, DenialEvent[]]>([
    ['only two in the window', [ev('2026-03-10'), ev('2026-03-30')]],
    ['the third is 30 days before asOf (outside the 30-day window)', [ev('2026-02-28'), ev('2026-03-10'), ev('2026-03-30')]],
    ['different CARCs', [ev('2026-03-10'), ev('2026-03-11', { carc: '197' }), ev('2026-03-12')]],
    ['different payers', [ev('2026-03-10'), ev('2026-03-11', { payerId: 'CIGNA' }), ev('2026-03-12')]],
    ['different CPTs', [ev('2026-03-10'), ev('2026-03-11', { cpt: '64484' }), ev('2026-03-12')]],
    ['one dated after asOf', [ev('2026-03-10'), ev('2026-03-11'), ev('2026-03-31')]],
  ])('DEN-7 near miss: %s → no pattern', (_why, events) => {
    expect(denialPatterns(events, '2026-03-30')).toEqual([]);
  });

  it('DEN-7 threshold and window are configurable and results are sorted by count', () => {
    const events = [ev('2026-03-01'), ev('2026-03-02'), ev('2026-03-03', { cpt: '64493' }), ev('2026-03-04', { cpt: '64493' }), ev('2026-03-05', { cpt: '64493' })];
    const patterns = denialPatterns(events, '2026-04-15', { threshold: 2, windowDays: 60 });
    expect(patterns.map((p) => [p.cpt, p.count])).toEqual([
      ['64493', 3],
      ['64483', 2],
    ]);
  });
});
