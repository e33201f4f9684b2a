import { describe, expect, it } from 'vitest';
import {
  addMonths,
  caqhDueDate,
  credentialStatusOn,
  dueMilestones,
  milestonesFor,
  nextMilestone,
  providerStatus,
  pruneFired,
  recredentialingDueDate,
  resolvePolicy,
  type CredentialItem,
} from './credentials';

const license = (expiryDate: string, fired: string[] = []): CredentialItem => ({ key: 'license:IL', kind: 'license', state: 'IL', identifier: '036-1', issueDate: '2024-01-01', expiryDate, fired });
const dates = (item: CredentialItem) => milestonesFor(item).map((m) => [m.action, m.date, m.ruleId]);

describe('credential deadlines', () => {
  it('CRED-1 license renewal work item 120 days before expiry, escalations as it nears, lapse the day after', () => {
    expect(dates(license('2027-06-30'))).toEqual([
      ['renewal_start', '2027-03-02', 'CRED-1'],
      ['escalation', '2027-05-01', 'CRED-1'],
      ['escalation', '2027-05-31', 'CRED-1'],
      ['escalation', '2027-06-23', 'CRED-1'],
      ['lapse', '2027-07-01', 'CRED-1'],
    ]);
    expect(milestonesFor(license('2027-06-30'))[0].dueDate).toBe('2027-06-30');
    expect(credentialStatusOn(license('2027-06-30'), '2027-06-30')).toBe('active');
    expect(credentialStatusOn(license('2027-06-30'), '2027-07-01')).toBe('lapsed');
  });

  it('CRED-1 renewal lead is configurable only within 90–120 days', () => {
    const p = resolvePolicy({ licenseRenewalLeadDays: 90 });
    expect(milestonesFor(license('2027-06-30'), p)[0].date).toBe('2027-04-01');
    expect(() => resolvePolicy({ licenseRenewalLeadDays: 60 })).toThrow(/CRED-1/);
  });

  it('CRED-2 DEA renewal starts 90 days before expiry and lapses the day after', () => {
    const dea: CredentialItem = { key: 'dea', kind: 'dea', expiryDate: '2027-01-31', fired: [] };
    const ms = milestonesFor(dea);
    expect(ms[0]).toMatchObject({ action: 'renewal_start', date: '2026-11-02', ruleId: 'CRED-2' });
    expect(ms.at(-1)).toMatchObject({ action: 'lapse', date: '2027-02-01' });
    expect(credentialStatusOn(dea, '2027-02-01')).toBe('lapsed');
  });

  it('CRED-3 malpractice renewal confirmation is requested before expiry', () => {
    const m: CredentialItem = { key: 'malpractice', kind: 'malpractice', expiryDate: '2026-12-31', fired: [] };
    const ms = milestonesFor(m);
    expect(ms[0]).toMatchObject({ action: 'renewal_start', ruleId: 'CRED-3', dueDate: '2026-12-31' });
    expect(ms[0].date < '2026-12-31').toBe(true);
  });

  it('CRED-4 CAQH due 120 days after attestation, reminders at 15/10/5 days, expired the next day', () => {
    expect(caqhDueDate('2026-01-01')).toBe('2026-05-01');
    const caqh: CredentialItem = { key: 'caqh', kind: 'caqh', lastAttestationDate: '2026-01-01', expiryDate: '2026-05-01', fired: [] };
    expect(dates(caqh)).toEqual([
      ['reminder', '2026-04-16', 'CRED-4'],
      ['reminder', '2026-04-21', 'CRED-4'],
      ['reminder', '2026-04-26', 'CRED-4'],
      ['lapse', '2026-05-02', 'CRED-4'],
    ]);
    expect(milestonesFor(caqh).at(-1)!.priority).toBe('urgent');
    expect(credentialStatusOn(caqh, '2026-05-01')).toBe('active');
    expect(credentialStatusOn(caqh, '2026-05-02')).toBe('lapsed');
  });

  it('CRED-4 an overdue CAQH lapse supersedes its reminders (one urgent escalation, not four items)', () => {
    const caqh: CredentialItem = { key: 'caqh', kind: 'caqh', lastAttestationDate: '2026-01-01', expiryDate: '2026-05-01', fired: [] };
    const { act, skipped } = dueMilestones(caqh, '2026-06-01');
    expect(act.map((m) => m.action)).toEqual(['lapse']);
    expect(skipped).toHaveLength(3);
  });

  it('CRED-1 several overdue escalations at once: only the latest is acted on', () => {
    const { act } = dueMilestones(license('2027-06-30'), '2027-06-01');
    expect(act.map((m) => m.id)).toEqual(['license:IL@2027-06-30:renewal', 'license:IL@2027-06-30:escalation-30']);
  });

  it('CRED-5 re-credentialing every 36 months, work item 180 days before, lapse the day after the due date', () => {
    expect(recredentialingDueDate('2026-01-31')).toBe('2029-01-31');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    const e: CredentialItem = { key: 'enrollment:MEDICARE', kind: 'enrollment', payerId: 'MEDICARE', effectiveDate: '2026-01-01', recredentialingDueDate: '2029-01-01', fired: [] };
    expect(milestonesFor(e).find((m) => m.action === 'recredentialing_start')).toMatchObject({ date: '2028-07-05', ruleId: 'CRED-5', dueDate: '2029-01-01' });
    expect(credentialStatusOn(e, '2029-01-02')).toBe('lapsed');
  });

  it('CRED-5 an unanswered notice is worked at once and escalated before its response window closes', () => {
    const e: CredentialItem = {
      key: 'enrollment:COMMERCIAL',
      kind: 'enrollment',
      payerId: 'COMMERCIAL',
      effectiveDate: '2026-01-01',
      recredentialingDueDate: '2029-01-01',
      notice: { receivedDate: '2026-03-01', respondBy: '2026-03-31' },
      fired: [],
    };
    const notice = milestonesFor(e).filter((m) => m.id.includes('notice'));
    expect(notice.map((m) => [m.action, m.date, m.dueDate])).toEqual([
      ['notice', '2026-03-01', '2026-03-31'],
      ['escalation', '2026-03-26', '2026-03-31'],
    ]);
    e.notice!.answeredDate = '2026-03-10';
    expect(milestonesFor(e).some((m) => m.id.includes('notice'))).toBe(false);
  });

  it('CRED-6 a new enrollment starts 120 days before the first billing date and stays pending until effective', () => {
    const e: CredentialItem = { key: 'enrollment:MEDICARE', kind: 'enrollment', payerId: 'MEDICARE', requestedDate: '2026-01-01', firstBillingDate: '2026-06-01', fired: [] };
    expect(milestonesFor(e)[0]).toMatchObject({ action: 'enrollment_start', date: '2026-02-01', dueDate: '2026-06-01', ruleId: 'CRED-6' });
    expect(credentialStatusOn(e, '2026-07-01')).toBe('pending');
    e.effectiveDate = '2026-05-15';
    expect(credentialStatusOn(e, '2026-05-14')).toBe('pending');
    expect(credentialStatusOn(e, '2026-05-15')).toBe('active');
  });

  it('CRED-1 a renewal starts a new cycle: the next deadline moves and old fired ids are pruned', () => {
    const item = license('2026-06-30', ['license:IL@2026-06-30:renewal']);
    expect(nextMilestone([item], '2026-03-15')!.date).toBe('2026-05-01');
    item.expiryDate = '2028-06-30';
    pruneFired(item);
    expect(item.fired).toEqual([]);
    expect(nextMilestone([item], '2026-03-15')).toMatchObject({ date: '2028-03-02', action: 'renewal_start' });
  });

  it('CRED-7 the worst item decides the provider status', () => {
    expect(providerStatus(['active', 'pending', 'lapsed'])).toBe('lapsed');
    expect(providerStatus(['active', 'pending'])).toBe('pending');
    expect(providerStatus(['active'])).toBe('active');
  });
});
