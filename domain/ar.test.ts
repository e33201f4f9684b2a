import { describe, expect, it } from 'vitest';
import {
  arTouchPlan,
  dollarsAtRisk,
  isHighValue,
  nextTouch,
  timelyFilingStatus,
  validateTouchOutcome,
  worklistOrder,
  writeOffAllowed,
  type ArClaim,
  type TouchKind,
  type TouchOutcome,
  type WorklistItem,
  type WriteOffApproval,
  type WriteOffRequest,
} from './ar';

const claim = (...lines: Array<[string, number]>): ArClaim => ({ lines: lines.map(([cpt, chargeCents]) => ({ cpt, chargeCents })) });

describe('isHighValue (AR-2)', () => {
  it.each<[string, ArClaim, boolean]>([
    ['exactly $1,000 billed', claim(['64483', 80000], ['77003', 20000]), true],
    ['$999.99 billed (near miss)', claim(['64483', 79999], ['77003', 20000]), false],
    ['any RFA line, however small', claim(['64635', 100]), true],
    ['RFA add-on 64636 alone', claim(['64636', 100]), true],
    ['SCS trial leads 63650', claim(['63650', 5000]), true],
    ['SCS generator 63685', claim(['63685', 5000]), true],
    ['device C1607', claim(['C1607', 5000]), true],
    ['facet block below threshold', claim(['64493', 50000]), false],
  ])('AR-2 %s → %s', (_why, c, expected) => {
    expect(isHighValue(c)).toBe(expected);
  });

  it('AR-2 threshold is configurable', () => {
    expect(isHighValue(claim(['64493', 50000]), { thresholdCents: 50000 })).toBe(true);
  });
});

describe('arTouchPlan (AR-1…AR-5)', () => {
  it('AR-1/AR-2 a high-value claim is touched on days 15, 30, 60 and 90', () => {
    const plan = arTouchPlan('2026-03-02', claim(['64635', 150000]));
    expect(plan.highValue).toBe(true);
    expect(plan.touches.map((t) => [t.day, t.kind, t.rule, t.dueDate])).toEqual([
      [15, 'active_payer_contact', 'AR-2', '2026-03-17'],
      [30, 'status_inquiry', 'AR-3', '2026-04-01'],
      [60, 'payer_call', 'AR-4', '2026-05-01'],
      [90, 'resolution_path', 'AR-5', '2026-06-01'], // day 90 is Sunday 05-31 → Monday
    ]);
  });

  it('AR-2 a low-value claim is first touched on day 30', () => {
    const plan = arTouchPlan('2026-03-02', claim(['64493', 50000]));
    expect(plan.highValue).toBe(false);
    expect(plan.touches.map((t) => t.day)).toEqual([30, 60, 90]);
  });

  it('AR-1 a touch that falls on a federal holiday is due the next business day', () => {
    const plan = arTouchPlan('2026-10-27', claim(['64493', 50000]));
    expect(plan.touches[0]).toMatchObject({ day: 30, dueDate: '2026-11-27' }); // 11-26 is Thanksgiving
  });

  it('AR-4 the day-60 touch requires the representative name and the reference number', () => {
    const plan = arTouchPlan('2026-03-02', claim(['64493', 50000]));
    expect(plan.touches.find((t) => t.kind === 'payer_call')?.requires).toEqual(
      expect.arrayContaining(['representativeName', 'referenceNumber']),
    );
  });

  it('AR-1 nextTouch is the first not completed, overdue after its due date', () => {
    const plan = arTouchPlan('2026-03-02', claim(['64635', 150000]));
    expect(nextTouch(plan, [], '2026-03-17')).toMatchObject({ touch: { kind: 'active_payer_contact' }, overdue: false });
    expect(nextTouch(plan, [], '2026-03-18')).toMatchObject({ overdue: true });
    expect(nextTouch(plan, ['active_payer_contact', 'status_inquiry'], '2026-04-10')?.touch.kind).toBe('payer_call');
    expect(nextTouch(plan, ['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path'], '2026-09-01')).toBeNull();
  });
});

describe('validateTouchOutcome', () => {
  it.each<[string, TouchKind, TouchOutcome, string[]]>([
    ['AR-3 status inquiry with result documented', 'status_inquiry', { channel: 'edi_276', claimStatus: 'in_process', note: '277: in process' }, []],
    ['AR-3 status inquiry without the result', 'status_inquiry', { channel: 'portal', claimStatus: 'in_process' }, ['note']],
    ['AR-4 payer call without representative and reference', 'payer_call', { claimStatus: 'in_process' }, ['representativeName', 'referenceNumber']],
    ['AR-4 payer call with blank reference', 'payer_call', { claimStatus: 'in_process', representativeName: 'J. Smith', referenceNumber: '  ' }, ['referenceNumber']],
    ['AR-4 payer call complete', 'payer_call', { claimStatus: 'pended_information_requested', representativeName: 'J. Smith', referenceNumber: 'REF-77' }, []],
    ['AR-2 day-15 phone contact needs representative and reference', 'active_payer_contact', { channel: 'phone', claimStatus: 'in_process', note: 'called' }, ['representativeName', 'referenceNumber']],
    ['AR-5 no resolution chosen', 'resolution_path', {}, ['resolution']],
    ['AR-5 payment expected without a date', 'resolution_path', { resolution: 'payment_expected' }, ['expectedPaymentDate']],
    ['AR-5 appeal in process without a reference', 'resolution_path', { resolution: 'appeal_in_process' }, ['appealReference']],
    ['AR-5 write-off analysis without a rationale', 'resolution_path', { resolution: 'write_off_analysis' }, ['rationale']],
    ['AR-5 write-off analysis with a rationale', 'resolution_path', { resolution: 'write_off_analysis', rationale: 'timely filing expired, no proof of submission' }, []],
    ['AR-5 payment expected with a date', 'resolution_path', { resolution: 'payment_expected', expectedPaymentDate: '2026-06-15' }, []],
  ])('%s → missing %j', (_why, kind, outcome, missing) => {
    const v = validateTouchOutcome(kind, outcome);
    if (missing.length === 0) expect(v).toEqual({ ok: true });
    else expect(v).toMatchObject({ ok: false, missing });
  });

  it.each<[string, TouchKind, TouchOutcome, string]>([
    ['AR-3 a phone call is not a portal/276 status inquiry', 'status_inquiry', { channel: 'phone', claimStatus: 'in_process', note: 'x' }, 'channel'],
    ['AR-5 an expected payment date that is not a date', 'resolution_path', { resolution: 'payment_expected', expectedPaymentDate: '2026-02-30' }, 'expectedPaymentDate'],
    ['AR-5 an expected payment date before the touch', 'resolution_path', { resolution: 'payment_expected', expectedPaymentDate: '2026-05-01', touchedOn: '2026-06-01' }, 'expectedPaymentDate'],
    ['AR-5 an unknown resolution path', 'resolution_path', { resolution: 'wait' as never }, 'resolution'],
  ])('%s is invalid (%s)', (_why, kind, outcome, field) => {
    const v = validateTouchOutcome(kind, outcome);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.invalid.map((i) => i.field)).toContain(field);
  });
});

describe('writeOffAllowed (AR-6)', () => {
  const request: WriteOffRequest = { requestedBy: 'alice', amountCents: 12500, rationale: 'timely filing expired; no proof of timely submission' };
  const approval: WriteOffApproval = { approvedBy: 'bob', approverRole: 'billing_manager', recoveryReview: 'checked appeal rights, secondary coverage and patient balance: none recoverable' };

  it('AR-6 a write-off reviewed by another approver with an allowed role passes', () => {
    expect(writeOffAllowed(request, approval)).toEqual({ ok: true });
  });

  it.each<[string, Partial<WriteOffRequest>, Partial<WriteOffApproval>, string]>([
    ['the requester approves their own write-off', {}, { approvedBy: 'alice' }, 'approvedBy'],
    ['the requester approves with different case/space', {}, { approvedBy: ' Alice ' }, 'approvedBy'],
    ['the approver role is not allowed', {}, { approverRole: 'front_desk' }, 'approverRole'],
    ['no recovery review documented', {}, { recoveryReview: '   ' }, 'recoveryReview'],
    ['no approver', {}, { approvedBy: '' }, 'approvedBy'],
    ['no rationale', { rationale: '' }, {}, 'rationale'],
    ['zero amount', { amountCents: 0 }, {}, 'amountCents'],
    ['fractional cents', { amountCents: 10.5 }, {}, 'amountCents'],
  ])('AR-6 refuses when %s', (_why, req, appr, field) => {
    const decision = writeOffAllowed({ ...request, ...req }, { ...approval, ...appr });
    expect(decision).toMatchObject({ ok: false, field });
    if (!decision.ok) expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('AR-6 the allowed roles come from the caller', () => {
    expect(writeOffAllowed(request, { ...approval, approverRole: 'owner' }, { allowedApproverRoles: ['owner'] })).toEqual({ ok: true });
    expect(writeOffAllowed(request, approval, { allowedApproverRoles: ['owner'] })).toMatchObject({ ok: false, field: 'approverRole' });
  });
});

describe('dollarsAtRisk and worklistOrder (AR-2, AR-7)', () => {
  it.each([
    [{ billedCents: 100000 }, 100000],
    [{ billedCents: 100000, expectedAllowedCents: 60000 }, 60000],
    [{ billedCents: 100000, expectedAllowedCents: 60000, paidCents: 48000, patientResponsibilityCents: 12000 }, 0],
    [{ billedCents: 100000, expectedAllowedCents: 60000, paidCents: 30000 }, 30000],
    [{ billedCents: 100000, contractualAdjustmentCents: 40000, paidCents: 20000 }, 40000],
    [{ billedCents: 100000, expectedAllowedCents: 60000, paidCents: 70000 }, 0],
  ])('AR-2 dollarsAtRisk(%j) = %i', (balance, expected) => {
    expect(dollarsAtRisk(balance)).toBe(expected);
  });

  it('AR-2 worklist sorts by dollars at risk, then nearest due date; AR-7 escalations first', () => {
    const items: WorklistItem[] = [
      { claimId: 'A', dollarsAtRiskCents: 5000, dueDate: '2026-03-10' },
      { claimId: 'B', dollarsAtRiskCents: 90000, dueDate: '2026-03-20' },
      { claimId: 'C', dollarsAtRiskCents: 90000, dueDate: '2026-03-12' },
      { claimId: 'D', dollarsAtRiskCents: 100, dueDate: '2026-04-01', escalated: true },
      { claimId: 'E', dollarsAtRiskCents: 5000, dueDate: '2026-03-10' },
    ];
    expect([...items].sort(worklistOrder).map((i) => i.claimId)).toEqual(['D', 'C', 'B', 'A', 'E']);
  });

  it.each([
    ['2026-10-01', 90, '2026-12-30', false, false],
    ['2026-10-01', 31, '2026-12-30', false, false],
    ['2026-10-01', 30, '2026-12-30', true, false],
    ['2026-10-01', 0, '2026-12-30', true, false],
    ['2026-10-01', -1, '2026-12-30', true, true],
  ])('AR-7 commercial (90 days) DOS %s with %i days left: escalate=%s', (dos, daysLeft, deadline, escalate, expired) => {
    const asOf = addDays(deadline, -daysLeft);
    expect(timelyFilingStatus(dos, asOf, { timelyFilingDays: 90 })).toEqual({ deadline, daysLeft, escalate, expired });
  });
});

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
