/**
 * Provider credentialing deadlines (DOMAIN.md CRED-1…7). Pure: every date is an argument
 * (`YYYY-MM-DD`), nothing reads the clock, so the credential workflow imports it directly.
 *
 * Each credential item (a state license, the DEA registration, the malpractice policy, the CAQH
 * attestation, one enrollment per payer) yields a list of *milestones*: dated triggers such as
 * "open the renewal work item", "escalate", "remind", "lapse", "enrollment effective". A milestone
 * id carries the item key and the cycle it belongs to (the expiry / due date), so a renewal starts a
 * fresh cycle and a work item opened for a milestone is idempotent on its id.
 *
 * Status is a function of the item and a date (never of when the software noticed):
 * - license / DEA / malpractice: active through the expiry date, lapsed from the day after (CRED-1..3);
 * - CAQH: active through attestation + 120 days, expired (lapsed) the next day (CRED-4);
 * - enrollment: pending until its effective date (CRED-6), lapsed the day after a missed
 *   re-credentialing due date (CRED-5), otherwise active.
 */
import { addCalendarDays, daysBetween, fromEpochDay, toEpochDay } from './business-days';

export const CREDENTIAL_KINDS = ['license', 'dea', 'malpractice', 'caqh', 'enrollment'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
export type CredentialStatus = 'active' | 'pending' | 'lapsed';

/** Per-practice configuration; DOMAIN.md defaults below. */
export type CredentialPolicy = {
  /** CRED-1: renewal work item this many days before license expiry (90–120, default 120). */
  licenseRenewalLeadDays: number;
  /** CRED-1: escalations as expiry nears (days before expiry). */
  licenseEscalationDays: number[];
  /** CRED-2: DEA renewal start (default 90 days before expiry). */
  deaRenewalLeadDays: number;
  deaEscalationDays: number[];
  /** CRED-3: malpractice renewal confirmation requested this many days before expiry. */
  malpracticeRenewalLeadDays: number;
  malpracticeEscalationDays: number[];
  /** CRED-4: CAQH re-attestation cycle and reminders (days before the due date). */
  caqhCycleDays: number;
  caqhReminderDays: number[];
  /** CRED-5: payer re-credentialing cycle (months from the effective / last re-credentialing date). */
  recredentialingCycleMonths: number;
  /** CRED-5: re-credentialing work item this many days before the due date; escalations after. */
  recredentialingLeadDays: number;
  recredentialingEscalationDays: number[];
  /** CRED-5: escalate an unanswered re-credentialing notice this many days before its response date. */
  noticeEscalationDays: number[];
  /** CRED-6: enrollment starts this many days before the first billing date (90–120, default 120). */
  enrollmentLeadDays: number;
  /** CRED-6: escalate a still-pending enrollment this many days before the first billing date. */
  enrollmentEscalationDays: number[];
};

export const DEFAULT_CREDENTIAL_POLICY: CredentialPolicy = {
  licenseRenewalLeadDays: 120,
  licenseEscalationDays: [60, 30, 7],
  deaRenewalLeadDays: 90,
  deaEscalationDays: [30, 7],
  malpracticeRenewalLeadDays: 60,
  malpracticeEscalationDays: [30, 7],
  caqhCycleDays: 120,
  caqhReminderDays: [15, 10, 5],
  recredentialingCycleMonths: 36,
  recredentialingLeadDays: 180,
  recredentialingEscalationDays: [30],
  noticeEscalationDays: [5],
  enrollmentLeadDays: 120,
  enrollmentEscalationDays: [30],
};

export function resolvePolicy(overrides?: Partial<CredentialPolicy>): CredentialPolicy {
  const p = { ...DEFAULT_CREDENTIAL_POLICY, ...overrides };
  if (p.licenseRenewalLeadDays < 90 || p.licenseRenewalLeadDays > 120) throw new RangeError('CRED-1: licenseRenewalLeadDays must be 90–120');
  if (p.enrollmentLeadDays < 90 || p.enrollmentLeadDays > 120) throw new RangeError('CRED-6: enrollmentLeadDays must be 90–120');
  return p;
}

export type RecredentialingNotice = { receivedDate: string; respondBy: string; answeredDate?: string; documentRef?: string };

/** One tracked credential. Plain JSON (it is carried across continue-as-new). */
export type CredentialItem = {
  /** `license:<STATE>`, `dea`, `malpractice`, `caqh`, `enrollment:<payerId>`. */
  key: string;
  kind: CredentialKind;
  state?: string;
  payerId?: string;
  /** License / DEA / policy number, CAQH id, payer provider id. */
  identifier?: string;
  issueDate?: string;
  /** Enrollment effective date; malpractice policy start. */
  effectiveDate?: string;
  /** License / DEA / malpractice expiry. For CAQH: the re-attestation due date (last + 120). */
  expiryDate?: string;
  /** CAQH only. */
  lastAttestationDate?: string;
  /** Enrollment only (CRED-5). */
  recredentialingDueDate?: string;
  /** Enrollment only: date the enrollment was requested (CRED-6 start when there is no billing date). */
  requestedDate?: string;
  /** Enrollment only: the provider's first billing date with this payer (CRED-6). */
  firstBillingDate?: string;
  notice?: RecredentialingNotice;
  documentRef?: string;
  /** Milestone ids already acted on (pruned to the current cycle). */
  fired: string[];
};

export type MilestoneAction =
  | 'renewal_start' // CRED-1/2/3: open the renewal work item
  | 'escalation' // CRED-1/2/3/5/6: expiry or a due date nears
  | 'reminder' // CRED-4: CAQH reminder
  | 'lapse' // expiry passed: status lapsed, urgent work item
  | 'effective' // CRED-6: enrollment becomes effective (no work item)
  | 'enrollment_start' // CRED-6: start the enrollment application
  | 'recredentialing_start' // CRED-5
  | 'notice'; // CRED-5: answer a re-credentialing notice within its window

export type Milestone = {
  /** `<itemKey>@<cycle>:<name>`: stable, unique, the work-item idempotency suffix. */
  id: string;
  itemKey: string;
  ruleId: string;
  action: MilestoneAction;
  /** The day it triggers. */
  date: string;
  /** Due date of the work item it opens. */
  dueDate: string;
  priority: 'normal' | 'high' | 'urgent';
  title: string;
};

export function ruleIdFor(kind: CredentialKind): string {
  return { license: 'CRED-1', dea: 'CRED-2', malpractice: 'CRED-3', caqh: 'CRED-4', enrollment: 'CRED-5' }[kind];
}

export function itemLabel(item: Pick<CredentialItem, 'kind' | 'state' | 'payerId'>): string {
  switch (item.kind) {
    case 'license':
      return `State license ${item.state ?? ''}`.trim();
    case 'dea':
      return 'DEA registration';
    case 'malpractice':
      return 'Malpractice policy';
    case 'caqh':
      return 'CAQH attestation';
    case 'enrollment':
      return `${item.payerId} enrollment`;
  }
}

export const itemKeyFor = (kind: CredentialKind, qualifier?: string): string =>
  kind === 'license' ? `license:${(qualifier ?? '').toUpperCase()}` : kind === 'enrollment' ? `enrollment:${qualifier}` : kind;

/** `date` + n calendar months, clamped to the end of the month (2026-01-31 + 1 month = 2026-02-28). */
export function addMonths(date: string, months: number): string {
  toEpochDay(date);
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const d = Number(date.slice(8, 10));
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromEpochDay(Math.round(Date.UTC(year, month, Math.min(d, lastDay)) / 86_400_000));
}

/** CRED-4: the re-attestation due date of an attestation. */
export const caqhDueDate = (lastAttestationDate: string, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): string =>
  addCalendarDays(lastAttestationDate, policy.caqhCycleDays);

/** CRED-5: the default re-credentialing due date from an effective (or last re-credentialed) date. */
export const recredentialingDueDate = (from: string, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): string =>
  addMonths(from, policy.recredentialingCycleMonths);

/** Status of an item on `date` (DOMAIN §5: from the dates, never from when it was noticed). */
export function credentialStatusOn(item: CredentialItem, date: string): CredentialStatus {
  if (item.kind === 'enrollment') {
    if (!item.effectiveDate || item.effectiveDate > date) return 'pending';
    if (item.recredentialingDueDate && date > item.recredentialingDueDate) return 'lapsed';
    return 'active';
  }
  if (!item.expiryDate) return 'pending';
  if (item.effectiveDate && item.effectiveDate > date) return 'pending';
  return date > item.expiryDate ? 'lapsed' : 'active';
}

function expiryMilestones(item: CredentialItem, ruleId: string, lead: number, escalations: number[], startTitle: string): Milestone[] {
  const expiry = item.expiryDate;
  if (!expiry) return [];
  const label = itemLabel(item);
  const cycle = `${item.key}@${expiry}`;
  const out: Milestone[] = [
    { id: `${cycle}:renewal`, itemKey: item.key, ruleId, action: 'renewal_start', date: addCalendarDays(expiry, -lead), dueDate: expiry, priority: 'normal', title: `${ruleId} ${label} ${startTitle}: expires ${expiry}` },
  ];
  for (const days of [...escalations].sort((a, b) => b - a)) {
    if (days >= lead) continue;
    out.push({
      id: `${cycle}:escalation-${days}`,
      itemKey: item.key,
      ruleId,
      action: 'escalation',
      date: addCalendarDays(expiry, -days),
      dueDate: expiry,
      priority: days <= 7 ? 'urgent' : 'high',
      title: `${ruleId} ${label} expires in ${days} days (${expiry}): renewal not recorded`,
    });
  }
  out.push({
    id: `${cycle}:lapse`,
    itemKey: item.key,
    ruleId,
    action: 'lapse',
    date: addCalendarDays(expiry, 1),
    dueDate: addCalendarDays(expiry, 1),
    priority: 'urgent',
    title: `${ruleId} ${label} lapsed (expired ${expiry}): affected claims are held (CRED-7)`,
  });
  return out;
}

/** Every milestone of an item's current cycle, in date order. */
export function milestonesFor(item: CredentialItem, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): Milestone[] {
  let out: Milestone[] = [];
  switch (item.kind) {
    case 'license':
      out = expiryMilestones(item, 'CRED-1', policy.licenseRenewalLeadDays, policy.licenseEscalationDays, 'renewal');
      break;
    case 'dea':
      out = expiryMilestones(item, 'CRED-2', policy.deaRenewalLeadDays, policy.deaEscalationDays, 'renewal');
      break;
    case 'malpractice':
      out = expiryMilestones(item, 'CRED-3', policy.malpracticeRenewalLeadDays, policy.malpracticeEscalationDays, 'renewal confirmation');
      break;
    case 'caqh': {
      const due = item.expiryDate;
      if (!due) break;
      const cycle = `${item.key}@${due}`;
      for (const days of [...policy.caqhReminderDays].sort((a, b) => b - a)) {
        out.push({
          id: `${cycle}:reminder-${days}`,
          itemKey: item.key,
          ruleId: 'CRED-4',
          action: 'reminder',
          date: addCalendarDays(due, -days),
          dueDate: due,
          priority: days <= 5 ? 'high' : 'normal',
          title: `CRED-4 CAQH re-attestation due ${due} (${days} days)`,
        });
      }
      out.push({
        id: `${cycle}:lapse`,
        itemKey: item.key,
        ruleId: 'CRED-4',
        action: 'lapse',
        date: addCalendarDays(due, 1),
        dueDate: addCalendarDays(due, 1),
        priority: 'urgent',
        title: `CRED-4 CAQH attestation expired (due ${due}): every CAQH-based payer is affected, re-attest today`,
      });
      break;
    }
    case 'enrollment': {
      const label = itemLabel(item);
      if (!item.effectiveDate) {
        // CRED-6: enrollment starts 90–120 days before the first billing date (or at once without one).
        const billing = item.firstBillingDate;
        const cycle = `${item.key}@new`;
        const start = billing ? addCalendarDays(billing, -policy.enrollmentLeadDays) : (item.requestedDate ?? '1970-01-01');
        out.push({
          id: `${cycle}:start`,
          itemKey: item.key,
          ruleId: 'CRED-6',
          action: 'enrollment_start',
          date: start,
          dueDate: billing ?? addCalendarDays(start, policy.enrollmentLeadDays),
          priority: 'normal',
          title: `CRED-6 ${label}: start enrollment${billing ? ` (first billing date ${billing})` : ''}; claims to this payer are held until it is effective`,
        });
        if (billing) {
          for (const days of policy.enrollmentEscalationDays) {
            out.push({
              id: `${cycle}:escalation-${days}`,
              itemKey: item.key,
              ruleId: 'CRED-6',
              action: 'escalation',
              date: addCalendarDays(billing, -days),
              dueDate: billing,
              priority: 'high',
              title: `CRED-6 ${label} not effective ${days} days before the first billing date ${billing}: claims will be held`,
            });
          }
        }
        break;
      }
      out.push({
        id: `${item.key}@${item.effectiveDate}:effective`,
        itemKey: item.key,
        ruleId: 'CRED-6',
        action: 'effective',
        date: item.effectiveDate,
        dueDate: item.effectiveDate,
        priority: 'normal',
        title: `CRED-6 ${label} effective ${item.effectiveDate}: held claims released`,
      });
      const due = item.recredentialingDueDate;
      if (due) {
        const cycle = `${item.key}@${due}`;
        out.push({
          id: `${cycle}:recredentialing`,
          itemKey: item.key,
          ruleId: 'CRED-5',
          action: 'recredentialing_start',
          date: addCalendarDays(due, -policy.recredentialingLeadDays),
          dueDate: due,
          priority: 'normal',
          title: `CRED-5 ${label} re-credentialing due ${due}`,
        });
        for (const days of policy.recredentialingEscalationDays) {
          out.push({
            id: `${cycle}:escalation-${days}`,
            itemKey: item.key,
            ruleId: 'CRED-5',
            action: 'escalation',
            date: addCalendarDays(due, -days),
            dueDate: due,
            priority: 'high',
            title: `CRED-5 ${label} re-credentialing due in ${days} days (${due})`,
          });
        }
        out.push({
          id: `${cycle}:lapse`,
          itemKey: item.key,
          ruleId: 'CRED-5',
          action: 'lapse',
          date: addCalendarDays(due, 1),
          dueDate: addCalendarDays(due, 1),
          priority: 'urgent',
          title: `CRED-5 ${label} re-credentialing missed (due ${due}): enrollment lapsed, claims held (CRED-7)`,
        });
      }
      const notice = item.notice;
      if (notice && !notice.answeredDate) {
        const cycle = `${item.key}@notice-${notice.receivedDate}`;
        out.push({
          id: `${cycle}:notice`,
          itemKey: item.key,
          ruleId: 'CRED-5',
          action: 'notice',
          date: notice.receivedDate,
          dueDate: notice.respondBy,
          priority: 'high',
          title: `CRED-5 ${label} re-credentialing notice: respond by ${notice.respondBy}`,
        });
        for (const days of policy.noticeEscalationDays) {
          if (daysBetween(notice.receivedDate, notice.respondBy) <= days) continue;
          out.push({
            id: `${cycle}:escalation-${days}`,
            itemKey: item.key,
            ruleId: 'CRED-5',
            action: 'escalation',
            date: addCalendarDays(notice.respondBy, -days),
            dueDate: notice.respondBy,
            priority: 'urgent',
            title: `CRED-5 ${label} re-credentialing notice unanswered: response window closes ${notice.respondBy}`,
          });
        }
      }
      break;
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The milestones to act on today: every unfired milestone dated on or before `today`, except
 * that when several escalations/reminders of one item are overdue at once only the latest is
 * acted on, and none when the item has lapsed (the lapse escalation supersedes them).
 * `skipped` lists the superseded ones, to be marked fired too.
 */
export function dueMilestones(item: CredentialItem, today: string, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): { act: Milestone[]; skipped: Milestone[] } {
  const fired = new Set(item.fired);
  const due = milestonesFor(item, policy).filter((m) => m.date <= today && !fired.has(m.id));
  const lapseDue = due.some((m) => m.action === 'lapse');
  const nudges = due.filter((m) => m.action === 'escalation' || m.action === 'reminder');
  // Per cycle (a notice and a re-credentialing cycle may both be open on one enrollment).
  const latestNudge = new Map<string, Milestone>();
  for (const m of nudges) latestNudge.set(m.id.slice(0, m.id.lastIndexOf(':')), m);
  const keep = new Set(lapseDue ? [] : [...latestNudge.values()].map((m) => m.id));
  const act: Milestone[] = [];
  const skipped: Milestone[] = [];
  for (const m of due) {
    const isNudge = m.action === 'escalation' || m.action === 'reminder';
    const supersededStart = lapseDue && m.action === 'renewal_start';
    if ((isNudge && !keep.has(m.id)) || supersededStart) skipped.push(m);
    else act.push(m);
  }
  return { act, skipped };
}

/** The earliest unfired milestone strictly after `today` over all items (the next durable timer). */
export function nextMilestone(items: CredentialItem[], today: string, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): Milestone | undefined {
  let next: Milestone | undefined;
  for (const item of items) {
    const fired = new Set(item.fired);
    for (const m of milestonesFor(item, policy)) {
      if (m.date <= today || fired.has(m.id)) continue;
      if (!next || m.date < next.date) next = m;
    }
  }
  return next;
}

/** Drop fired ids that no longer belong to the item's current cycle (after a renewal). */
export function pruneFired(item: CredentialItem, policy: CredentialPolicy = DEFAULT_CREDENTIAL_POLICY): void {
  const ids = new Set(milestonesFor(item, policy).map((m) => m.id));
  item.fired = item.fired.filter((id) => ids.has(id));
}

/** Overall provider status for search attributes: the worst item wins. */
export function providerStatus(statuses: CredentialStatus[]): CredentialStatus {
  if (statuses.includes('lapsed')) return 'lapsed';
  if (statuses.includes('pending')) return 'pending';
  return 'active';
}
