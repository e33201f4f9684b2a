/**
 * Accounts receivable follow-up (AR-1 … AR-7): which claims are high value, the structured
 * touch plan after submission (days 15/30/60/90), what each touch must record, the write-off
 * guard, dollars at risk and worklist order, and timely-filing escalation.
 *
 * Pure: no I/O, no clock (`asOf` and every date are arguments), safe to import from workflow code.
 *
 * Decisions where DOMAIN.md is silent:
 * - Touch days are calendar days after the submission date; a touch that falls on a weekend or
 *   federal holiday is due the next business day (`dueDate`), `day` keeps the nominal offset.
 * - High value = billed total (sum of line charges) ≥ threshold (default 100000 cents = $1,000),
 *   or any RFA (64633–64636) / SCS (63650, 63655, 63685, C1607) line. High-value claims get all
 *   four touches (15, 30, 60, 90); low-value claims start at day 30 (30, 60, 90).
 * - A day-15 contact by phone needs the representative and reference number, like day 60.
 * - Dollars at risk are what the payer still owes: expected allowed (or billed − contractual
 *   adjustments when no contract expectation is known) − paid − patient responsibility, never < 0.
 * - Worklist order: AR-7 escalations first, then dollars at risk (highest first), then the nearest
 *   due date, then claim id (a total, stable order).
 * - Write-off approver roles default to billing_manager, revenue_cycle_manager,
 *   practice_administrator; the caller may pass its own list.
 */
import { addBusinessDays, addCalendarDays, daysBetween, toEpochDay } from './business-days';

export const HIGH_VALUE_THRESHOLD_CENTS = 100_000;
/** RFA and SCS codes that make any claim high value (AR-2, DOMAIN §4). */
export const HIGH_VALUE_CODES: ReadonlySet<string> = new Set([
  '64633', '64634', '64635', '64636',
  '63650', '63655', '63685', 'C1607',
]);

export interface ArClaim {
  lines: ReadonlyArray<{ cpt: string; chargeCents: number }>;
}

export function billedCents(claim: ArClaim): number {
  return claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
}

/** AR-2: ≥ $1,000 billed, or any RFA / SCS line. */
export function isHighValue(claim: ArClaim, options: { thresholdCents?: number } = {}): boolean {
  const threshold = options.thresholdCents ?? HIGH_VALUE_THRESHOLD_CENTS;
  return billedCents(claim) >= threshold || claim.lines.some((l) => HIGH_VALUE_CODES.has(l.cpt));
}

// ---------------------------------------------------------------------------------------------
// Touch plan

export type TouchKind = 'active_payer_contact' | 'status_inquiry' | 'payer_call' | 'resolution_path';

export interface TouchPoint {
  kind: TouchKind;
  rule: 'AR-2' | 'AR-3' | 'AR-4' | 'AR-5';
  /** Calendar days after submission. */
  day: number;
  /** submittedOn + day, moved to the next business day when it is not one. */
  dueDate: string;
  /** Outcome fields that must be recorded (see `validateTouchOutcome`). */
  requires: string[];
  description: string;
}

export interface TouchPlan {
  highValue: boolean;
  touches: TouchPoint[];
}

const TOUCH_DEFINITIONS: Record<TouchKind, Omit<TouchPoint, 'dueDate'>> = {
  active_payer_contact: {
    kind: 'active_payer_contact',
    rule: 'AR-2',
    day: 15,
    requires: ['channel', 'claimStatus', 'note'],
    description: 'High-value claim: contact the payer actively (portal, 276 or phone) and record the claim status.',
  },
  status_inquiry: {
    kind: 'status_inquiry',
    rule: 'AR-3',
    day: 30,
    requires: ['channel', 'claimStatus', 'note'],
    description: 'No response by day 30: payer portal or 276 status inquiry, result documented.',
  },
  payer_call: {
    kind: 'payer_call',
    rule: 'AR-4',
    day: 60,
    requires: ['claimStatus', 'representativeName', 'referenceNumber'],
    description: 'Day 60: call the payer; record the representative name and call reference number.',
  },
  resolution_path: {
    kind: 'resolution_path',
    rule: 'AR-5',
    day: 90,
    requires: ['resolution'],
    description:
      'Day 90: choose a resolution path: payment expected (with a date), appeal in process (with its reference), or write-off analysis (with a rationale).',
  },
};

/** AR-1/AR-2: the follow-up schedule fixed at submission (not reactive). */
export function arTouchPlan(submittedOn: string, claim: ArClaim, options: { thresholdCents?: number } = {}): TouchPlan {
  const highValue = isHighValue(claim, options);
  const kinds: TouchKind[] = highValue
    ? ['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path']
    : ['status_inquiry', 'payer_call', 'resolution_path'];
  return {
    highValue,
    touches: kinds.map((kind) => {
      const def = TOUCH_DEFINITIONS[kind];
      return { ...def, requires: [...def.requires], dueDate: addBusinessDays(addCalendarDays(submittedOn, def.day), 0) };
    }),
  };
}

/** The first touch of the plan not yet completed, and whether it is overdue on `asOf`. */
export function nextTouch(
  plan: TouchPlan,
  completed: readonly TouchKind[],
  asOf: string,
): { touch: TouchPoint; overdue: boolean } | null {
  const done = new Set(completed);
  const touch = plan.touches.find((t) => !done.has(t.kind));
  return touch ? { touch, overdue: daysBetween(touch.dueDate, asOf) > 0 } : null;
}

export const CONTACT_CHANNELS = ['portal', 'edi_276', 'phone'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const FOLLOW_UP_STATUSES = ['not_on_file', 'in_process', 'pended_information_requested', 'paid', 'denied', 'other'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];
export const RESOLUTION_PATHS = ['payment_expected', 'appeal_in_process', 'write_off_analysis'] as const;
export type ResolutionPath = (typeof RESOLUTION_PATHS)[number];

export interface TouchOutcome {
  /** Date the touch was done (used to check that an expected payment date is not in the past). */
  touchedOn?: string;
  channel?: ContactChannel;
  claimStatus?: FollowUpStatus;
  note?: string;
  representativeName?: string;
  referenceNumber?: string;
  resolution?: ResolutionPath;
  expectedPaymentDate?: string;
  appealReference?: string;
  rationale?: string;
}

export type TouchValidation =
  | { ok: true }
  | { ok: false; missing: string[]; invalid: Array<{ field: string; message: string }> };

const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
function validDate(v: string): boolean {
  try {
    toEpochDay(v);
    return true;
  } catch {
    return false;
  }
}

/** AR-2…AR-5: which required outcome fields are missing or invalid for this touch kind. */
export function validateTouchOutcome(kind: TouchKind, outcome: TouchOutcome): TouchValidation {
  const missing: string[] = [];
  const invalid: Array<{ field: string; message: string }> = [];
  const need = (field: keyof TouchOutcome) => {
    if (blank(outcome[field])) missing.push(field);
  };
  const oneOf = (field: keyof TouchOutcome, allowed: readonly string[]) => {
    const v = outcome[field];
    if (!blank(v) && !allowed.includes(v as string)) invalid.push({ field, message: `must be one of ${allowed.join(', ')}` });
  };

  switch (kind) {
    case 'active_payer_contact':
    case 'status_inquiry':
      need('channel');
      need('claimStatus');
      need('note');
      oneOf('channel', kind === 'status_inquiry' ? ['portal', 'edi_276'] : CONTACT_CHANNELS);
      oneOf('claimStatus', FOLLOW_UP_STATUSES);
      if (outcome.channel === 'phone') {
        need('representativeName');
        need('referenceNumber');
      }
      break;
    case 'payer_call':
      need('claimStatus');
      need('representativeName');
      need('referenceNumber');
      oneOf('claimStatus', FOLLOW_UP_STATUSES);
      break;
    case 'resolution_path':
      need('resolution');
      oneOf('resolution', RESOLUTION_PATHS);
      if (outcome.resolution === 'payment_expected') {
        need('expectedPaymentDate');
        const d = outcome.expectedPaymentDate;
        if (!blank(d)) {
          if (!validDate(d as string)) invalid.push({ field: 'expectedPaymentDate', message: 'expected a date as YYYY-MM-DD' });
          else if (outcome.touchedOn && validDate(outcome.touchedOn) && daysBetween(outcome.touchedOn, d as string) < 0) {
            invalid.push({ field: 'expectedPaymentDate', message: 'is before the touch date' });
          }
        }
      } else if (outcome.resolution === 'appeal_in_process') {
        need('appealReference');
      } else if (outcome.resolution === 'write_off_analysis') {
        need('rationale');
      }
      break;
  }
  return missing.length || invalid.length ? { ok: false, missing, invalid } : { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Write-off guard (AR-6)

export const DEFAULT_WRITE_OFF_APPROVER_ROLES = ['billing_manager', 'revenue_cycle_manager', 'practice_administrator'] as const;

export interface WriteOffRequest {
  requestedBy: string;
  amountCents: number;
  /** The AR-5 write-off analysis: why the balance is not recoverable. */
  rationale: string;
}
export interface WriteOffApproval {
  approvedBy: string;
  approverRole: string;
  /** The approver's documented review of recovery potential (appeal, corrected claim, secondary, patient). */
  recoveryReview: string;
}
export type WriteOffDecision = { ok: true } | { ok: false; reason: string; field: string };

/** AR-6: no write-off without a documented recovery review by an approver other than the requester. */
export function writeOffAllowed(
  request: WriteOffRequest,
  approval: WriteOffApproval,
  options: { allowedApproverRoles?: readonly string[] } = {},
): WriteOffDecision {
  const roles = options.allowedApproverRoles ?? DEFAULT_WRITE_OFF_APPROVER_ROLES;
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  if (blank(request.requestedBy)) return { ok: false, reason: 'the requester is not recorded', field: 'requestedBy' };
  if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
    return { ok: false, reason: 'the write-off amount must be a positive number of cents', field: 'amountCents' };
  }
  if (blank(request.rationale)) return { ok: false, reason: 'the write-off analysis has no rationale', field: 'rationale' };
  if (blank(approval.approvedBy)) return { ok: false, reason: 'no approver', field: 'approvedBy' };
  if (same(approval.approvedBy, request.requestedBy)) {
    return { ok: false, reason: 'the approver must be someone other than the requester', field: 'approvedBy' };
  }
  if (!roles.includes(approval.approverRole)) {
    return { ok: false, reason: `role ${approval.approverRole || '(none)'} may not approve write-offs`, field: 'approverRole' };
  }
  if (blank(approval.recoveryReview)) {
    return { ok: false, reason: 'the review of recovery potential is not documented', field: 'recoveryReview' };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Dollars at risk, worklist, timely filing (AR-2, AR-7)

export interface ArBalance {
  billedCents: number;
  /** Contract expectation of the allowed amount (see contract.expectedPayment), when known. */
  expectedAllowedCents?: number;
  paidCents?: number;
  patientResponsibilityCents?: number;
  /** Contractual adjustments posted (CO-45), used only when no expectation is known. */
  contractualAdjustmentCents?: number;
}

/** AR-2: what the payer still owes on the claim, in cents (never negative). */
export function dollarsAtRisk(balance: ArBalance): number {
  const base = balance.expectedAllowedCents ?? balance.billedCents - (balance.contractualAdjustmentCents ?? 0);
  return Math.max(0, base - (balance.paidCents ?? 0) - (balance.patientResponsibilityCents ?? 0));
}

export interface WorklistItem {
  claimId: string;
  dollarsAtRiskCents: number;
  /** Due date of the next touch (or of the escalation). */
  dueDate: string;
  /** AR-7 timely-filing escalation. */
  escalated?: boolean;
}

/** Comparator for `Array.prototype.sort`: escalations, then highest dollars at risk, then nearest due date. */
export function worklistOrder(a: WorklistItem, b: WorklistItem): number {
  return (
    Number(!!b.escalated) - Number(!!a.escalated) ||
    b.dollarsAtRiskCents - a.dollarsAtRiskCents ||
    (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0) ||
    (a.claimId < b.claimId ? -1 : a.claimId > b.claimId ? 1 : 0)
  );
}

export interface TimelyFilingStatus {
  /** Last day a (corrected) claim is accepted: date of service + the payer's window. */
  deadline: string;
  daysLeft: number;
  expired: boolean;
  /** AR-7: escalate now (window closing or closed). */
  escalate: boolean;
}

/**
 * AR-7 (with SUB-4): a claim still unresolved near the payer's timely-filing window is escalated
 * immediately. `asOf` is the day being evaluated (an argument, not the clock).
 */
export function timelyFilingStatus(
  serviceDate: string,
  asOf: string,
  options: { timelyFilingDays: number; escalateWhenDaysLeft?: number },
): TimelyFilingStatus {
  const deadline = addCalendarDays(serviceDate, options.timelyFilingDays);
  const daysLeft = daysBetween(asOf, deadline);
  const expired = daysLeft < 0;
  return { deadline, daysLeft, expired, escalate: expired || daysLeft <= (options.escalateWhenDaysLeft ?? 30) };
}
