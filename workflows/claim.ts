/**
 * claimWorkflow: one per claim (`claim:<claimId>`), from charge entry until every dollar is posted
 * or the claim is closed. Deterministic orchestration only: time comes from the workflow clock,
 * every side effect (Postgres, payer gateway) from an activity, and rules whose outcome must not
 * change on replay (scrub, denial classification, contract comparison) run inside activities so
 * their results are recorded in history.
 *
 * Shape: signals and updates only queue what arrived; one loop applies them, fires due deadlines
 * and advances the claim. Every deadline is a durable timer in `state.timers`, computed from the
 * event that starts it (DOS, submission, ERA receipt, the payer's denial date), never from when
 * the workflow noticed it.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  acknowledgementSignal,
  approveWriteOffUpdate,
  claimStateQuery,
  closeClaimUpdate,
  correctClaimUpdate,
  credentialChangedSignal,
  remittanceSignal,
  requestWriteOffUpdate,
  submitAppealUpdate,
  workItemCompletedSignal,
  type AcknowledgementDelivery,
  type ClaimStatus,
  type ClaimTimer,
  type ClaimWorkflowInput,
  type ClaimWorkflowState,
  type ClaimCarriedState,
  type CorrectClaimInput,
  CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS,
  type RemittanceDelivery,
  type WorkItemCompletion,
} from '../contracts/claim';
import {
  CptCodes,
  DenialCategory,
  DollarsAtRisk,
  NextDeadline,
  PayerId,
  PracticeId,
  ProviderNpi,
  RcmKind,
  RcmStatus,
} from '../contracts/search-attributes';
import { ClaimDocument } from '../domain/claim-document';
import { addBusinessDays, addCalendarDays, daysBetween } from '../domain/business-days';
import { arTouchPlan, writeOffAllowed, type TouchKind } from '../domain/ar';
import { deniedLineIndexes, isDenied } from '../domain/denials';
import { DATABASE_ACTIVITY, PAYER_ACTIVITY, RULE_ACTIVITY, isBusinessFailure } from '../contracts/activity-policies';

type Activities = ReturnType<typeof createActivities>;

// An outage delays a claim, never fails it (contracts/activity-policies.ts).
const acts = wf.proxyActivities<Activities>(DATABASE_ACTIVITY);
/** Calls that reach the payer gateway: longer, more patient, never retried for a claim that cannot be expressed. */
const payer = wf.proxyActivities<Activities>(PAYER_ACTIVITY);
/** Rule results recorded in history (AR plan, denial tests, business-day deadlines): a rule change never changes a replay. */
const rules = wf.proxyLocalActivities<Activities>(RULE_ACTIVITY);

/** Roles that may approve a write-off (AR-6). */
const WRITE_OFF_APPROVER_ROLES = ['approver', 'admin'];
const AR_WORK_ITEM_KINDS = ['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path', 'payment_overdue'];

type Queued =
  | { type: 'ack'; ack: AcknowledgementDelivery }
  | { type: 'remittance'; delivery: RemittanceDelivery }
  | { type: 'workItem'; completion: WorkItemCompletion }
  | { type: 'credential' };

/** Deadlines are dates; a date's deadline instant is its start (00:00 UTC). */
const startOf = (date: string): number => Date.parse(`${date}T00:00:00.000Z`);
const today = (): string => new Date().toISOString().slice(0, 10);
const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function sameDocument(a: ClaimDocument, b: ClaimDocument): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

function conflict(message: string): never {
  throw wf.ApplicationFailure.create({ type: 'Conflict', message, nonRetryable: true });
}
function invalid(message: string, field?: string): never {
  throw wf.ApplicationFailure.create({ type: 'Invalid', message, details: field ? [{ field }] : [], nonRetryable: true });
}

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimWorkflowState> {
  const workflowId = wf.workflowInfo().workflowId;
  const carried = input.carried;
  let claim = carried?.claim ?? input.claim;
  const billedCents = claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
  const s: ClaimWorkflowState = carried?.state ?? {
    claimId: claim.claimId,
    status: 'charge_entered',
    version: 1,
    billedCents,
    paidCents: 0,
    patientResponsibilityCents: 0,
    submissions: [],
    payments: [],
    arTouches: [],
    timers: [],
    waitingFor: 'recording the charge',
    history: [{ at: input.enteredAt, status: 'charge_entered', actor: input.actor }],
  };
  const queue: Queued[] = [];
  const seenDeliveries = new Set<string>(carried?.seenDeliveries ?? []);
  let correction: CorrectClaimInput | undefined;
  let appeal: { actor: string; appealReference: string; note?: string } | undefined;
  let closeRequest: { actor: string; reason: string } | undefined;
  let timelyFilingPassed = carried?.timelyFilingPassed ?? false;
  let primaryDone = carried?.primaryDone ?? false; // primary adjudicated and posted (paid / partially paid)
  let secondarySent = carried?.secondarySent ?? false;
  let openDispute = carried?.openDispute ?? false;
  let payerControlNumber: string | undefined = carried?.payerControlNumber;
  let lastSearchAttributes = '';
  let openLineDenials = carried?.openLineDenials ?? 0;
  let secondaryAdjudicated = carried?.secondaryAdjudicated ?? false;
  let lineDeniedCents = carried?.lineDeniedCents ?? 0;

  // ------------------------------------------------------------------ messages
  wf.setHandler(claimStateQuery, () => s);
  wf.setHandler(acknowledgementSignal, (ack) => void queue.push({ type: 'ack', ack }));
  wf.setHandler(remittanceSignal, (delivery) => {
    const key = `${delivery.remittanceKey}#${delivery.seq}`;
    if (seenDeliveries.has(key)) return; // duplicate delivery of the same ERA claim payment
    seenDeliveries.add(key);
    queue.push({ type: 'remittance', delivery });
  });
  // A work item is applied once, however often its completion arrives (two staff clicking at once
  // both pass the API's open check; a retried request signals again).
  const appliedWorkItems = new Set<number>(carried?.appliedWorkItems ?? []);
  wf.setHandler(workItemCompletedSignal, (completion) => {
    if (appliedWorkItems.has(completion.workItemId) && wf.patched('work-item-once')) return;
    appliedWorkItems.add(completion.workItemId);
    queue.push({ type: 'workItem', completion });
  });
  wf.setHandler(credentialChangedSignal, () => void queue.push({ type: 'credential' }));

  wf.setHandler(
    correctClaimUpdate,
    async (update) => {
      correction = update;
      await wf.condition(() => correction === undefined);
      return s;
    },
    {
      validator: (update) => {
        if (!['needs_correction', 'rejected', 'denied', 'held'].includes(s.status)) {
          conflict(`claim is ${s.status}: a corrected claim is taken only while it needs correction, is held, or was rejected or denied`);
        }
        if (correction) conflict('a correction is already being applied');
        const parsed = ClaimDocument.safeParse(update.claim);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          invalid(`claim.${issue.path.join('.')}: ${issue.message}`, `claim.${issue.path.join('.')}`);
        }
        if (update.claim.claimId !== s.claimId) invalid(`claimId ${update.claim.claimId} does not match this claim`, 'claim.claimId');
        if (update.claim.practiceId !== claim.practiceId) invalid('a corrected claim cannot move to another practice', 'claim.practiceId');
        for (const [field, before, after] of [
          ['payerId', claim.payerId, update.claim.payerId],
          ['serviceDate', claim.serviceDate, update.claim.serviceDate],
          ['patient.id', claim.patient.id, update.claim.patient.id],
        ] as const) {
          if (before !== after) invalid(`a corrected claim keeps its ${field} (deadlines and coverage hang on it): close this claim and enter a new one`, `claim.${field}`);
        }
        if (!update.reason?.trim()) invalid('say what was corrected', 'reason');
        if (s.status === 'denied' && s.denial?.category === 'hard' && sameDocument(update.claim, claim)) {
          conflict('DEN-8: a hard denial is never resubmitted unchanged; appeal it (submit-appeal) or change what the denial is about');
        }
      },
    },
  );
  wf.setHandler(
    submitAppealUpdate,
    async (update) => {
      appeal = update;
      await wf.condition(() => s.status !== 'denied');
      return s;
    },
    {
      validator: (update) => {
        if (s.status !== 'denied' || !s.denial) conflict(`claim is ${s.status}: only a denied claim can be appealed`);
        if (s.denial.category !== 'hard') conflict('soft denial: send a corrected claim (action "correct") instead of an appeal (DEN-3)');
        if (!s.denial.appealable) conflict(`CARC ${s.denial.carc} is not appealable for this payer (e.g. Medicare timely filing): review for write-off`);
        if (s.denial.payerAppealDeadline && today() > s.denial.payerAppealDeadline) {
          conflict(`the payer's appeal window closed on ${s.denial.payerAppealDeadline} (DEN-4)`);
        }
        if (!update.appealReference?.trim()) invalid('appealReference is required', 'appealReference');
      },
    },
  );
  wf.setHandler(
    requestWriteOffUpdate,
    (update) => {
      s.writeOff = { requestedBy: update.actor, amountCents: update.amountCents, rationale: update.rationale };
      log(s.status, update.actor, `write-off of ${money(update.amountCents)} requested (AR-6): awaiting approval by someone else`);
      return s;
    },
    {
      validator: (update) => {
        if (s.status === 'closed') conflict('claim is closed');
        if (s.writeOff && !s.writeOff.approvedBy) conflict(`a write-off of ${money(s.writeOff.amountCents)} requested by ${s.writeOff.requestedBy} is awaiting approval`);
        if (!Number.isInteger(update.amountCents) || update.amountCents <= 0) invalid('amountCents must be a positive whole number of cents', 'amountCents');
        if (update.amountCents > openBalanceCents()) invalid(`amountCents exceeds the open balance of ${money(openBalanceCents())}`, 'amountCents');
        if (!update.rationale?.trim()) invalid('the write-off analysis needs a documented rationale (AR-5/AR-6)', 'rationale');
      },
    },
  );
  wf.setHandler(
    approveWriteOffUpdate,
    async (update) => {
      s.writeOff = { ...s.writeOff!, approvedBy: update.actor, recoveryReview: update.recoveryReview };
      const open = openBalanceCents();
      if (s.writeOff.amountCents < open && wf.patched('partial-write-off')) {
        // A write-off of part of the balance: recorded, and the claim goes on for the rest.
        s.writtenOffCents = (s.writtenOffCents ?? 0) + s.writeOff.amountCents;
        await setStatus(s.status, update.actor, `written off ${money(s.writeOff.amountCents)} (AR-6 partial, requested by ${s.writeOff.requestedBy}); ${money(open - s.writeOff.amountCents)} still open`);
        return s;
      }
      closeRequest = { actor: update.actor, reason: `written off ${money(s.writeOff.amountCents)} (AR-6, requested by ${s.writeOff.requestedBy})` };
      await wf.condition(() => s.status === 'closed');
      return s;
    },
    {
      validator: (update) => {
        if (!s.writeOff) conflict('no write-off has been requested');
        if (s.writeOff.approvedBy) conflict('the write-off is already approved');
        const decision = writeOffAllowed(
          { requestedBy: s.writeOff.requestedBy, amountCents: s.writeOff.amountCents, rationale: s.writeOff.rationale },
          { approvedBy: update.actor, approverRole: update.role, recoveryReview: update.recoveryReview },
          { allowedApproverRoles: WRITE_OFF_APPROVER_ROLES },
        );
        if (!decision.ok) {
          if (decision.field === 'approvedBy' || decision.field === 'approverRole') conflict(`AR-6: ${decision.reason}`);
          invalid(`AR-6: ${decision.reason}`, decision.field);
        }
      },
    },
  );
  wf.setHandler(
    closeClaimUpdate,
    async (update) => {
      closeRequest = update;
      await wf.condition(() => s.status === 'closed');
      return s;
    },
    {
      validator: (update) => {
        if (s.status === 'closed') conflict('claim is already closed');
        if (!update.reason?.trim()) invalid('say why the claim is closed', 'reason');
        if (s.status === 'timely_filing_expired') conflict('the filing window has passed with the charge unpaid: request and approve a write-off (AR-6) instead of closing');
        if (openDispute) conflict('an underpayment dispute is open (POST-5): complete it first');
        if (openLineDenials > 0) conflict('a denied line is still being worked (DEN-3/DEN-4): complete its work item first');
        if (s.billedCents - s.paidCents - s.patientResponsibilityCents > 0 && primaryDone === false && s.submissions.length > 0) {
          conflict(`claim has an open balance of ${money(s.billedCents - s.paidCents)} with the payer: write it off (AR-6) rather than close it`);
        }
      },
    },
  );

  // ------------------------------------------------------------------ helpers
  function log(status: ClaimStatus, actor: string, note?: string) {
    s.history.push({ at: new Date().toISOString(), status, actor, note });
  }

  async function setStatus(status: ClaimStatus, actor = 'system', note?: string) {
    const from = s.status;
    s.status = status;
    log(status, actor, note);
    refreshSearchAttributes();
    await acts.recordClaimEvent({
      claimId: s.claimId,
      idempotencyKey: `${workflowId}:${s.history.length}:${status}`,
      at: new Date().toISOString(),
      actor,
      fromStatus: from,
      toStatus: status,
      note,
    });
  }

  function refreshSearchAttributes() {
    const next = s.timers.filter((t) => t.state === 'pending').sort((a, b) => a.at.localeCompare(b.at))[0];
    s.nextDeadline = next ? { ruleId: next.ruleId, label: next.label, at: next.at } : undefined;
    const atRisk = dollarsAtRiskCents();
    const denialCategory = s.status === 'denied' || s.status === 'appealed' ? s.denial?.category : undefined;
    const fingerprint = `${s.status}|${atRisk}|${next?.at ?? ''}|${denialCategory ?? ''}`;
    if (fingerprint !== lastSearchAttributes) {
      lastSearchAttributes = fingerprint;
      wf.upsertSearchAttributes([
        { key: RcmStatus, value: s.status },
        { key: DollarsAtRisk, value: atRisk / 100 },
        { key: NextDeadline, value: next ? new Date(next.at) : null },
        { key: DenialCategory, value: denialCategory ?? null },
      ]);
    }
    s.waitingFor = describeWait();
    wf.setCurrentDetails(`**${s.status}** — ${s.waitingFor}${s.nextDeadline ? `\n\nNext deadline: ${s.nextDeadline.label} (${s.nextDeadline.at.slice(0, 10)})` : ''}`);
  }

  /** What is still owed on the claim: billed − paid − earlier partial write-offs. */
  function openBalanceCents(): number {
    return Math.max(0, s.billedCents - s.paidCents - (s.writtenOffCents ?? 0));
  }

  /** Before adjudication the whole charge is at risk; after, what is disputed, denied or still owed by a secondary. */
  function dollarsAtRiskCents(): number {
    if (s.status === 'closed') return 0;
    if (!primaryDone) return openBalanceCents();
    const underpaid = s.payments.reduce((sum, p) => sum + p.underpaidCents, 0);
    const secondaryOwed = secondarySent && !secondaryAdjudicated && !s.payments.some((p) => p.statusCode === '2' || p.statusCode === '20') ? s.patientResponsibilityCents : 0;
    return (openDispute ? underpaid : 0) + secondaryOwed + lineDeniedCents;
  }

  function describeWait(): string {
    switch (s.status) {
      case 'needs_correction':
      case 'rejected':
        return 'a corrected claim from staff (action "correct")';
      case 'held':
        return 'the rendering provider’s credential or enrollment to be active (CRED-7)';
      case 'submitted':
        return 'the payer’s acknowledgement (999/277CA)';
      case 'acknowledged':
      case 'secondary_submitted':
        return 'the payer’s remittance (835)';
      case 'denied':
        return s.denial?.category === 'hard' ? 'an appeal (action "submit-appeal") or a write-off decision' : 'a corrected claim (action "correct")';
      case 'appealed':
        return 'the payer’s answer to the appeal';
      case 'posted':
        return openDispute ? 'the underpayment dispute (POST-5)' : 'closing';
      case 'timely_filing_expired':
        return 'a write-off review: the timely filing window has passed (SUB-4)';
      case 'closed':
        return 'nothing: the claim is closed';
      default:
        return 'processing';
    }
  }

  function addTimer(id: string, ruleId: string, label: string, at: string | number) {
    const when = typeof at === 'number' ? new Date(at).toISOString() : new Date(startOf(at)).toISOString();
    const existing = s.timers.find((t) => t.id === id);
    if (existing) {
      existing.at = when;
      existing.state = 'pending';
      existing.label = label;
    } else {
      s.timers.push({ id, ruleId, label, at: when, state: 'pending' });
    }
  }
  function cancelTimers(pred: (t: ClaimTimer) => boolean) {
    for (const t of s.timers) if (t.state === 'pending' && pred(t)) t.state = 'cancelled';
  }

  async function workItem(key: string, kind: string, ruleId: string, title: string, dueDate: string | undefined, detail: Record<string, unknown> = {}) {
    return acts.openWorkItem({
      idempotencyKey: `${workflowId}:${key}`,
      practiceId: claim.practiceId,
      kind,
      ruleId,
      entityType: 'claim',
      entityId: s.claimId,
      workflowId,
      title,
      detail: { claimId: s.claimId, payerId: claim.payerId, ...detail },
      dueDate,
      dollarsAtRiskCents: dollarsAtRiskCents(),
    });
  }

  async function summary(extra: Parameters<Activities['updateClaimSummary']>[0] = { claimId: s.claimId }) {
    refreshSearchAttributes();
    await acts.updateClaimSummary({
      ...extra,
      claimId: s.claimId,
      nextDeadline: s.nextDeadline ? { at: s.nextDeadline.at, ruleId: s.nextDeadline.ruleId } : null,
      dollarsAtRiskCents: dollarsAtRiskCents(),
    });
  }

  /** Wait until `ready()` holds, firing due deadlines and applying queued messages meanwhile. */
  async function waitUntil(ready: () => boolean): Promise<void> {
    for (;;) {
      await fireDueTimers();
      await drainQueue();
      if (ready()) return;
      const next = s.timers.filter((t) => t.state === 'pending').sort((a, b) => a.at.localeCompare(b.at))[0];
      const wake = () => queue.length > 0 || ready();
      if (next === undefined) await wf.condition(wake);
      // The durable timer carries the rule in its summary, so the Web UI shows what the claim waits for.
      else await wf.condition(wake, Math.max(1, Date.parse(next.at) - Date.now()), { summary: next.label });
    }
  }

  // ------------------------------------------------------------------ deadlines
  async function fireDueTimers() {
    for (;;) {
      const due = s.timers.filter((t) => t.state === 'pending' && Date.parse(t.at) <= Date.now()).sort((a, b) => a.at.localeCompare(b.at))[0];
      if (!due) return;
      due.state = 'fired';
      await onTimer(due);
      await summary();
    }
  }

  const awaitingPayer = () => ['submitted', 'acknowledged'].includes(s.status);
  const accepted = () => s.submissions.some((x) => x.coverage === 'primary' && x.ack !== 'rejected');

  async function onTimer(t: ClaimTimer) {
    if (t.id === 'sub4-warning') {
      if (!accepted() && s.status !== 'closed') {
        await workItem('sub4-warning', 'timely_filing_escalation', 'SUB-4', `Timely filing: ${s.timelyFilingDeadline} is the last day to submit (AR-7 escalation)`, s.timelyFilingDeadline, { deadline: s.timelyFilingDeadline });
        log(s.status, 'system', `SUB-4/AR-7 escalated: timely filing ends ${s.timelyFilingDeadline}`);
      }
    } else if (t.id === 'sub4-expired') {
      timelyFilingPassed = true;
      if (!accepted() && ['needs_correction', 'held', 'rejected', 'charge_entered', 'scrubbed'].includes(s.status)) {
        await workItem('sub4-expired', 'write_off_review', 'SUB-4', `Timely filing window closed on ${s.timelyFilingDeadline}: submission blocked, review for write-off`, today());
        await setStatus('timely_filing_expired', 'system', `SUB-4: the filing window (${s.timelyFilingDeadline}) has passed; submission is blocked`);
      }
    } else if (t.id.startsWith('ar:')) {
      const kind = t.id.slice(3) as TouchKind;
      const touch = s.arTouches.find((x) => x.kind === kind && x.state === 'pending');
      if (!touch || !awaitingPayer()) return;
      if (kind === 'status_inquiry') {
        // AR-3: a 276 status inquiry through the gateway, result documented on the claim.
        const last = s.submissions[s.submissions.length - 1];
        const result = await payer.statusInquiry({ claimId: s.claimId, payerId: claim.payerId, submittedAt: last.submittedAt });
        touch.state = 'done';
        touch.outcome = { channel: 'edi_276', claimStatus: result.category, note: result.detail, checkedAt: result.checkedAt };
        log(s.status, 'system', `AR-3 day-30 276 status inquiry: ${result.category} — ${result.detail}`);
        if (result.category === 'not_found') {
          await workItem(`ar:${s.submissions.length}:status_inquiry`, 'status_inquiry', 'AR-3', 'Payer has no record of the claim at day 30: check the portal and resubmit if needed', touch.dueDate, { inquiry: result });
        }
      } else {
        const titles: Record<string, string> = {
          active_payer_contact: `Day 15, high-value claim (${money(s.billedCents)}): contact the payer and record the status (AR-2)`,
          payer_call: 'Day 60, no payment: call the payer, record the representative name and reference number (AR-4)',
          resolution_path: 'Day 90: choose the resolution path: payment expected (date), appeal in process, or write-off analysis (AR-5)',
        };
        await workItem(`ar:${s.submissions.length}:${kind}`, kind, touch.ruleId, titles[kind] ?? kind, touch.dueDate);
      }
    } else if (t.id.startsWith('payment-expected')) {
      if (awaitingPayer() || s.status === 'appealed' || (s.status === 'secondary_submitted' && !secondaryAdjudicated)) await workItem(t.id, 'payment_overdue', 'AR-5', s.status === 'appealed' ? 'No answer to the appeal: call the payer and record the status' : 'The payment the payer promised has not arrived: follow up', today());
    } else if (t.id === 'den-correction') {
      if (s.status === 'denied') await workItem(`den-correction-overdue:${s.denial?.denialDate}:v${s.version}`, 'denial_escalation', 'DEN-3', 'Soft denial not corrected within 5 business days: escalate', today());
    } else if (t.id === 'den-appeal') {
      if (s.status === 'denied') await workItem(`den-appeal-overdue:${s.denial?.denialDate}:v${s.version}`, 'denial_escalation', 'DEN-4', `Hard denial not appealed within 30 days of the denial date (${s.denial?.denialDate}); payer deadline ${s.denial?.payerAppealDeadline}`, s.denial?.payerAppealDeadline);
    } else if (t.id === 'den-final') {
      if (s.status === 'denied') await workItem(`den-final:${s.denial?.denialDate}:v${s.version}`, 'write_off_review', 'DEN-4', `The payer's appeal window closed on ${s.denial?.payerAppealDeadline}: review for write-off`, today());
    } else if (t.id === 'post5-dispute') {
      if (openDispute) await workItem(`post5-dispute-overdue:${s.payments.length}`, 'dispute_escalation', 'POST-5', 'Underpayment dispute not opened within 5 business days: escalate', today());
    } else if (t.id.startsWith('hold-recheck')) {
      if (s.status === 'held') queue.push({ type: 'credential' });
    }
  }

  // ------------------------------------------------------------------ inbound messages
  let needsResubmission = false;

  async function drainQueue() {
    while (queue.length) {
      const item = queue.shift()!;
      if (item.type === 'ack') await onAck(item.ack);
      else if (item.type === 'remittance') await onRemittance(item.delivery);
      else if (item.type === 'workItem') await onWorkItem(item.completion);
      else if (item.type === 'credential' && s.status === 'held') needsResubmission = true;
    }
    await summary();
  }

  async function onAck(ack: AcknowledgementDelivery) {
    const sub = [...s.submissions].reverse().find((x) => !ack.interchangeControlNumber || x.interchangeControlNumber === ack.interchangeControlNumber);
    if (!sub || sub.ack) return; // unknown or duplicate acknowledgement: the claim stays as it is
    sub.ack = ack.accepted ? 'accepted' : 'rejected';
    sub.reasons = ack.reasons;
    await acts.recordAcknowledgement({ claimId: s.claimId, interchangeControlNumber: sub.interchangeControlNumber, accepted: ack.accepted, reasons: ack.reasons, at: ack.at });
    if (ack.payerClaimControlNumber && sub.coverage === 'primary') payerControlNumber = ack.payerClaimControlNumber;
    if (ack.accepted) {
      if (sub.coverage === 'primary') cancelTimers((t) => t.id.startsWith('sub4'));
      if (s.status === 'submitted') await setStatus('acknowledged', 'payer', `accepted (${ack.source})`);
      return;
    }
    if (sub.coverage === 'secondary' && wf.patched('secondary-rejection')) {
      // SUB-5 for the secondary claim: a person corrects the COB data and sends it again.
      await workItem(`rejected:${sub.interchangeControlNumber}`, 'secondary_rejection', 'SUB-5', `Secondary claim to ${sub.payerId} rejected: ${ack.reasons.join('; ')}`, addBusinessDays(today(), 2), { reasons: ack.reasons });
      openLineDenials += 1;
      return;
    }
    if (s.status !== 'submitted' && s.status !== 'acknowledged') return; // already paid/denied: a late reject changes nothing
    // SUB-5: a front-end rejection is a soft failure that returns to correction.
    cancelTimers((t) => t.id.startsWith('ar:'));
    for (const touch of s.arTouches) if (touch.state === 'pending') touch.state = 'cancelled';
    await setStatus('rejected', 'payer', `rejected: ${ack.reasons.join('; ')}`);
    await workItem(`rejected:${sub.interchangeControlNumber}`, 'correction', 'SUB-5', `Claim rejected by the clearinghouse/payer: ${ack.reasons.join('; ')}`, addBusinessDays(today(), 2), { reasons: ack.reasons });
  }

  async function onRemittance(d: RemittanceDelivery) {
    const cp = d.claimPayment;
    const secondary = cp.statusCode === '2' || cp.statusCode === '20' || (secondarySent && d.payerId === claim.secondaryCoverage?.payerId);
    // A payer response at any point cancels the pending follow-up touches (AR-1).
    cancelTimers((t) => t.id.startsWith('ar:') || t.id.startsWith('payment-expected'));
    for (const touch of s.arTouches) if (touch.state === 'pending') touch.state = 'cancelled';
    await acts.closeWorkItems({ entityType: 'claim', entityId: s.claimId, kinds: AR_WORK_ITEM_KINDS, reason: 'the payer responded' });

    if (cp.payerClaimControlNumber && !secondary) payerControlNumber = cp.payerClaimControlNumber; // CLP07: the ICN a replacement claim refers to
    const posted = await acts.postClaimPayment({ claim, delivery: d, coveragePriority: secondary ? 'secondary' : 'primary', postedAt: new Date().toISOString() });
    s.payments.push({
      remittanceKey: d.remittanceKey,
      statusCode: cp.statusCode,
      paidCents: cp.paidCents,
      patientResponsibilityCents: cp.patientResponsibilityCents,
      expectedCents: posted.expectedCents,
      underpaidCents: posted.underpaidCents,
      postedAt: new Date().toISOString(),
      findings: posted.findings.map((f) => ({ rule: f.rule, kind: f.kind, message: f.message })),
    });
    s.paidCents += cp.paidCents;
    if (!secondary) s.patientResponsibilityCents += cp.patientResponsibilityCents;
    // Which rules say this payment is a denial, which lines are denied, when a dispute is due: recorded
    // (claims started before 'payment-rules-recorded' compute them here, as they did).
    const recordedRules = wf.patched('payment-rules-recorded') ? await rules.paymentRules({ claimPayment: cp, receivedOn: d.receivedAt.slice(0, 10) }) : undefined;
    const denied = recordedRules ? recordedRules.denied : isDenied(cp);
    const acknowledgedSub = [...s.submissions].reverse().find((x) => !x.ack);
    if (acknowledgedSub) acknowledgedSub.ack = 'accepted'; // a payment is an acceptance, even if the 277CA never came
    if (!secondary) cancelTimers((t) => t.id.startsWith('sub4'));

    if ((cp.statusCode === '23' || cp.statusCode === '25') && wf.patched('clp02-23-25')) {
      if (cp.statusCode === '23') {
        // Not this payer's claim, forwarded to another: coordination of benefits needs a person.
        await workItem(`cob:${d.remittanceKey}:${d.seq}`, 'coordination_of_benefits', 'POST-6', `Payer ${d.payerId} says the claim is not theirs (CLP02 23): confirm coverage order and bill the right payer`, addBusinessDays(d.receivedAt.slice(0, 10), 1));
      }
      log(s.status, 'payer', cp.statusCode === '23' ? 'CLP02 23: not our claim, forwarded' : 'CLP02 25: predetermination pricing only, no payment');
      return;
    }
    if (cp.statusCode === '22') {
      // Reversal of a previous payment: amounts come back out; the corrected payment follows.
      await setStatus('acknowledged', 'payer', `payment reversed (${money(cp.paidCents)}); awaiting the corrected payment`);
      primaryDone = false;
      if (wf.patched('reversal-follow-up')) {
        // The corrected payment is followed up if it does not come within 30 days of the reversal.
        addTimer(`payment-expected:reversal:${d.remittanceKey}`, 'AR-5', 'AR-5 corrected payment expected after a reversal', addCalendarDays(d.receivedAt.slice(0, 10), 30));
      }
      return;
    }

    if (secondary) {
      secondaryAdjudicated = true;
      cancelTimers((t) => t.id.startsWith('payment-expected:secondary'));
      if (denied && wf.patched('secondary-denial-worked')) {
        // DEN-1/DEN-2 for the secondary payer's denial: logged and worked before the claim closes.
        const secondaryDenial = await acts.classifyAndLogDenial({ claim: { ...claim, payerId: d.payerId }, delivery: d });
        const c = secondaryDenial.classification;
        openLineDenials += 1;
        lineDeniedCents += s.patientResponsibilityCents;
        await workItem(`secondary-denial:${d.remittanceKey}:${d.seq}`, 'line_denial', c.category === 'soft' ? 'DEN-3' : 'DEN-4', `Secondary payer ${d.payerId} denied the claim (CARC ${c.primaryCarc ?? 'unknown'}, ${c.category}): ${c.category === 'soft' ? 'correct and resubmit' : 'appeal or bill the patient'}`, c.category === 'soft' ? secondaryDenial.correctionDue : secondaryDenial.internalAppealDue, {
          carc: c.primaryCarc,
          category: c.category,
          kind: c.kind,
          coverage: 'secondary',
          cpts: claim.lines.map((l) => l.cpt),
        });
        await setStatus('posted', 'system', `secondary claim denied by ${d.payerId} (CARC ${c.primaryCarc ?? 'unknown'}): being worked`);
        return;
      }
      await setStatus('posted', 'system', `secondary payment ${money(cp.paidCents)} posted`);
      return;
    }

    if (denied) {
      const denial = await acts.classifyAndLogDenial({ claim, delivery: d });
      s.denial = {
        carc: denial.classification.primaryCarc,
        category: denial.classification.category,
        kind: denial.classification.kind,
        appealable: denial.classification.appealable,
        denialDate: denial.denialDate,
        correctionDue: denial.correctionDue,
        internalAppealDue: denial.internalAppealDue,
        payerAppealDeadline: denial.payerAppealDeadline,
        peerToPeerDue: denial.peerToPeerDue,
        appealPackage: denial.appealPackage,
        deniedVersion: s.version,
      };
      const carc = denial.classification.primaryCarc ?? 'unknown';
      await setStatus('denied', 'payer', `denied CARC ${carc} (${denial.classification.category}, ${denial.classification.kind}); denial date ${denial.denialDate}`);
      await acts.checkDenialPattern({ practiceId: claim.practiceId, payerId: d.payerId, asOf: d.receivedAt.slice(0, 10) });
      if (denial.classification.category === 'soft') {
        await workItem(`denial:${d.remittanceKey}:correct`, 'denial_correction', 'DEN-3', `Soft denial CARC ${carc}: correct and resubmit (frequency 7) by ${denial.correctionDue}`, denial.correctionDue, { carc, rarcs: denial.rarcs });
        if (denial.correctionDue) addTimer('den-correction', 'DEN-3', `DEN-3 corrected claim due ${denial.correctionDue}`, addCalendarDays(denial.correctionDue, 1));
      } else if (!denial.classification.appealable) {
        await workItem(`denial:${d.remittanceKey}:review`, 'write_off_review', 'DEN-2', `Hard denial CARC ${carc} is not appealable: review for write-off`, addBusinessDays(today(), 5), { carc });
      } else {
        await workItem(`denial:${d.remittanceKey}:appeal`, 'appeal', 'DEN-4', `Hard denial CARC ${carc}: appeal by ${denial.internalAppealDue} (payer deadline ${denial.payerAppealDeadline})`, denial.internalAppealDue, {
          carc,
          rarcs: denial.rarcs,
          appealPackage: denial.appealPackage, // DEN-6: the two diagnostic MBB notes for an RFA denial
          mbbNotes: denial.mbbNotes,
          payerAppealDeadline: denial.payerAppealDeadline,
        });
        if (denial.peerToPeerDue) {
          await workItem(`denial:${d.remittanceKey}:p2p`, 'peer_to_peer', 'DEN-5', `Medical-necessity denial of an interventional procedure: request peer-to-peer today (${denial.peerToPeerDue})`, denial.peerToPeerDue, { carc });
        }
        if (denial.internalAppealDue) addTimer('den-appeal', 'DEN-4', `DEN-4 appeal due ${denial.internalAppealDue}`, addCalendarDays(denial.internalAppealDue, 1));
        if (denial.payerAppealDeadline) addTimer('den-final', 'DEN-4', `DEN-4 payer appeal window closes ${denial.payerAppealDeadline}`, addCalendarDays(denial.payerAppealDeadline, 1));
      }
      return;
    }

    // Paid (in full or in part).
    cancelTimers((t) => t.id.startsWith('den-'));
    await acts.closeWorkItems({ entityType: 'claim', entityId: s.claimId, kinds: ['correction', 'denial_correction', 'appeal', 'peer_to_peer', 'denial_escalation', 'timely_filing_escalation'], reason: 'the claim has since been paid' });
    if (s.denial) await acts.markDenialStatus({ claimId: s.claimId, status: 'resolved_paid' });
    const deniedLines = (recordedRules?.deniedLineIndexes ?? deniedLineIndexes(cp)).map((i) => cp.lines[i]);
    if (deniedLines.length && wf.patched('line-denials-worked')) {
      // DEN-1/DEN-2 for the lines the payer denied inside a paid claim: logged, classified, worked.
      const lineDenial = await acts.classifyAndLogDenial({
        claim,
        delivery: { ...d, claimPayment: { ...cp, adjustments: [], lines: deniedLines, paidCents: 0, statusCode: '4' } },
      });
      const c = lineDenial.classification;
      const due = c.category === 'soft' ? lineDenial.correctionDue : lineDenial.internalAppealDue;
      openLineDenials += 1;
      lineDeniedCents += deniedLines.reduce((sum, l) => sum + l.chargedCents, 0);
      await workItem(`line-denial:${d.remittanceKey}:${d.seq}`, 'line_denial', c.category === 'soft' ? 'DEN-3' : 'DEN-4', `Line(s) ${deniedLines.map((l) => l.cpt).join(', ')} denied (CARC ${c.primaryCarc ?? 'unknown'}, ${c.category}): ${c.category === 'soft' ? 'correct and resubmit' : 'appeal'} by ${due}`, due, {
        carc: c.primaryCarc,
        category: c.category,
        kind: c.kind,
        cpts: deniedLines.map((l) => l.cpt),
        payerAppealDeadline: lineDenial.payerAppealDeadline,
        appealPackage: lineDenial.appealPackage,
      });
    }
    const partial = posted.disputeRequired || cp.lines.some((l) => l.paidCents === 0 && l.chargedCents > 0);
    await setStatus(partial ? 'partially_paid' : 'paid', 'payer', `paid ${money(cp.paidCents)}, patient responsibility ${money(cp.patientResponsibilityCents)}`);
    primaryDone = true;
    if (posted.disputeRequired) {
      // POST-5: an underpayment is disputed within 5 business days of the ERA, never adjusted off.
      const due = recordedRules?.disputeDue ?? addBusinessDays(d.receivedAt.slice(0, 10), 5);
      openDispute = true;
      await workItem(`dispute:${d.remittanceKey}`, 'underpayment_dispute', 'POST-5', `Underpaid by ${money(posted.underpaidCents)} against the contract: open a dispute by ${due}`, due, {
        underpaidCents: posted.underpaidCents,
        findings: posted.findings.filter((f) => f.rule !== 'POST-2' || f.kind !== 'no_contract_rate'),
      });
      addTimer('post5-dispute', 'POST-5', `POST-5 dispute due ${due}`, addCalendarDays(due, 1));
    }
    await setStatus('posted', 'system', posted.disputeRequired ? `posted; underpayment of ${money(posted.underpaidCents)} to dispute` : 'posted at contract');
    const crossedOver = cp.statusCode === '19' && wf.patched('crossover-19');
    if (crossedOver && claim.secondaryCoverage) log(s.status, 'payer', `CLP02 19: ${d.payerId} forwarded the claim to the secondary payer (crossover); no secondary claim of ours`);
    if (claim.secondaryCoverage && !secondarySent && cp.patientResponsibilityCents > 0 && !crossedOver) {
      // POST-6: the secondary claim goes out within one business day of the primary's adjudication.
      secondarySent = true;
      const attempt = s.submissions.length + 1;
      let sent: Awaited<ReturnType<Activities['submitClaim']>>;
      try {
        sent = await payer.submitClaim({
          workflowId,
          step: `submit:${attempt}:secondary`,
          claim: { ...claim, payerId: claim.secondaryCoverage.payerId, coverage: { memberId: claim.secondaryCoverage.memberId, priority: 'secondary' } },
          version: s.version,
          payerId: claim.secondaryCoverage.payerId,
          coveragePriority: 'secondary',
          frequencyCode: '1',
          at: new Date().toISOString(),
          // The COB loops (2320/2330/2430): what the primary paid and adjusted, per line.
          otherPayer: {
            payerId: claim.payerId,
            name: claim.payerId,
            memberId: claim.coverage.memberId,
            priority: 'primary',
            paidCents: cp.paidCents,
            adjudicationDate: d.adjudicationDate,
            claimAdjustments: cp.adjustments.map((a) => ({ group: a.group, carc: a.carc, amountCents: a.amountCents })),
            lines: cp.lines.map((l, i) => ({
              lineNumber: l.lineNumber ?? i + 1,
              cpt: l.cpt,
              modifiers: l.modifiers,
              paidCents: l.paidCents,
              units: l.units,
              adjustments: l.adjustments.map((a) => ({ group: a.group, carc: a.carc, amountCents: a.amountCents, quantity: a.quantity })),
            })),
          },
        });
      } catch (err) {
        if (!wf.patched('secondary-send-failure')) throw err;
        // Only a claim the 837P cannot express lands here; an outage is retried until it ends.
        if (wf.patched('send-failure-business-only') && !isBusinessFailure(err)) throw err;
        const reason = err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure ? err.cause.message : String(err);
        openLineDenials += 1;
        await workItem(`secondary-send:${attempt}`, 'secondary_rejection', 'POST-6', `The secondary claim to ${claim.secondaryCoverage.payerId} could not be built: ${reason}`, addBusinessDays(today(), 1));
        return;
      }
      s.submissions.push({ attempt, payerId: claim.secondaryCoverage.payerId, coverage: 'secondary', frequencyCode: '1', interchangeControlNumber: sent.interchangeControlNumber, submittedAt: sent.submittedAt });
      await setStatus('secondary_submitted', 'system', `POST-6 secondary claim to ${claim.secondaryCoverage.payerId}`);
      if (wf.patched('secondary-follow-up')) {
        addTimer('payment-expected:secondary', 'AR-1', `AR-1 secondary payer ${claim.secondaryCoverage.payerId}: answer expected`, addCalendarDays(sent.submittedAt.slice(0, 10), 30));
      }
    }
  }

  async function onWorkItem(c: WorkItemCompletion) {
    const touch = s.arTouches.find((t) => t.kind === c.kind && t.state === 'pending');
    if (touch) {
      touch.state = 'done';
      touch.outcome = { ...c.outcome, completedBy: c.completedBy };
      log(s.status, c.completedBy, `${touch.ruleId} ${c.kind} recorded`);
      if (c.kind === 'resolution_path') {
        const resolution = String(c.outcome.resolution ?? '');
        s.resolutionPath = { path: resolution, expectedPaymentDate: c.outcome.expectedPaymentDate as string | undefined, note: (c.outcome.note ?? c.outcome.rationale) as string | undefined };
        if (resolution === 'payment_expected' && typeof c.outcome.expectedPaymentDate === 'string') {
          addTimer(`payment-expected:${c.outcome.expectedPaymentDate}`, 'AR-5', `AR-5 payment expected by ${c.outcome.expectedPaymentDate}`, addCalendarDays(c.outcome.expectedPaymentDate, 1));
        }
      }
    } else if (c.kind === 'underpayment_dispute') {
      openDispute = false;
      cancelTimers((t) => t.id === 'post5-dispute');
      log(s.status, c.completedBy, `POST-5 dispute opened: ${String(c.outcome.disputeReference ?? c.outcome.note ?? '')}`);
    } else if (c.kind === 'appeal' && s.status === 'denied' && typeof c.outcome.appealReference === 'string') {
      // Completing the appeal task is submitting the appeal (same as the submit-appeal action).
      appeal = { actor: c.completedBy, appealReference: c.outcome.appealReference, note: c.outcome.note as string | undefined };
    } else if (c.kind === 'line_denial' || c.kind === 'secondary_rejection') {
      if (c.kind === 'secondary_rejection') secondaryAdjudicated = true; // resolved by a person (resent or billed elsewhere)
      openLineDenials = Math.max(0, openLineDenials - 1);
      log(s.status, c.completedBy, `DEN-1 denied line worked: ${String(c.outcome.resolution ?? c.outcome.note ?? 'resolved')}`);
    } else if (c.kind === 'peer_to_peer') {
      log(s.status, c.completedBy, `DEN-5 peer-to-peer: ${String(c.outcome.result ?? c.outcome.note ?? 'requested')}`);
    }
  }

  // ------------------------------------------------------------------ the claim's life
  wf.upsertSearchAttributes([
    { key: RcmKind, value: 'claim' },
    { key: RcmStatus, value: s.status },
    { key: PracticeId, value: claim.practiceId },
    { key: PayerId, value: claim.payerId },
    { key: ProviderNpi, value: claim.renderingNpi },
    { key: CptCodes, value: [...new Set(claim.lines.map((l) => l.cpt))] },
    { key: DollarsAtRisk, value: (carried ? dollarsAtRiskCents() : billedCents) / 100 },
  ]);
  if (!carried) {
    await acts.recordClaim({ claim, enteredAt: input.enteredAt, actor: input.actor, workflowId });

    const policy = await acts.claimPolicy({ payerId: claim.payerId });
    // CHG-1: charge lag from the DOS to charge entry, measured and recorded per claim.
    s.chargeLagDays = Math.max(0, daysBetween(claim.serviceDate, input.enteredAt.slice(0, 10)));
    if (s.chargeLagDays > 7) log(s.status, 'system', `CHG-1: charge entered ${s.chargeLagDays} days after the date of service (target: same week)`);
    // SUB-4: timely filing counted from the date of service with the payer's window.
    s.timelyFilingDeadline = addCalendarDays(claim.serviceDate, policy.timelyFilingDays);
    addTimer('sub4-warning', 'SUB-4', `SUB-4 timely filing, ${policy.timelyFilingWarningDays} days left`, addCalendarDays(s.timelyFilingDeadline, -policy.timelyFilingWarningDays));
    addTimer('sub4-expired', 'SUB-4', `SUB-4 timely filing window closes ${s.timelyFilingDeadline}`, addCalendarDays(s.timelyFilingDeadline, 1));
    await summary({ claimId: s.claimId, chargeLagDays: s.chargeLagDays });
  }

  /**
   * Bounded history: at the top of the claim's loop (nothing half done), once the run's history is
   * long (a claim held and re-checked daily for months, many corrections), the claim continues as
   * new carrying everything it knows. Updates wait for the new run (the server routes them there).
   */
  async function continueAsNewIfLong(): Promise<void> {
    const info = wf.workflowInfo();
    const limit = input.continueAsNewAfterEvents ?? CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS;
    if (!info.continueAsNewSuggested && info.historyLength < limit) return;
    if (!wf.patched('claim-continue-as-new')) return;
    await wf.condition(wf.allHandlersFinished);
    if (queue.length || correction || appeal || closeRequest) return; // a message arrived: handle it first, hand over later
    log(s.status, 'system', `continued as new after ${info.historyLength} history events (run ${(carried?.runs ?? 1) + 1})`);
    const state: ClaimWorkflowState = { ...s, timers: s.timers.filter((t) => t.state === 'pending') };
    const handOver: ClaimCarriedState = {
      state,
      claim,
      runs: (carried?.runs ?? 1) + 1,
      frequencyCode,
      timelyFilingPassed,
      primaryDone,
      secondarySent,
      secondaryAdjudicated,
      openDispute,
      openLineDenials,
      lineDeniedCents,
      payerControlNumber,
      seenDeliveries: [...seenDeliveries],
      appliedWorkItems: [...appliedWorkItems],
    };
    await wf.continueAsNew<typeof claimWorkflow>({ ...input, claim: input.claim, carried: handOver });
  }

  let frequencyCode: '1' | '7' = carried?.frequencyCode ?? '1';
  mainLoop: while (!closeRequest) {
    await continueAsNewIfLong();
    await fireDueTimers();
    if (timelyFilingPassed && !accepted()) {
      if (s.status !== 'timely_filing_expired') {
        await setStatus('timely_filing_expired', 'system', `SUB-4: the filing window (${s.timelyFilingDeadline}) has passed; submission is blocked`);
      }
      await waitUntil(() => closeRequest !== undefined);
      break;
    }

    // Scrub (SUB-1): errors block submission, warnings do not.
    const scrub = await acts.scrubForSubmission({ claim, asOf: today() });
    s.scrub = { status: scrub.status, findings: scrub.findings };
    await summary({ claimId: s.claimId, scrub });
    const errors = scrub.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      const credentialOnly = errors.every((f) => f.ruleId === 'CHG-3');
      if (credentialOnly) {
        // CRED-7: the provider is not credentialed/enrolled with this payer on the DOS: hold, do not send.
        const holdOnce = wf.patched('hold-once');
        if (!holdOnce || s.status !== 'held') await setStatus('held', 'system', errors.map((f) => f.message).join('; '));
        await workItem(holdOnce ? `hold:v${s.version}` : `hold:${s.version}:${s.history.length}`, 'credential_hold', 'CRED-7', 'Claim held: the rendering provider is not credentialed/enrolled with this payer on the date of service', addBusinessDays(today(), 2), { findings: errors });
        addTimer(`hold-recheck:${s.history.length}`, 'CRED-7', 'CRED-7 re-check the held claim', Date.now() + 24 * 3600 * 1000);
        needsResubmission = false;
        await waitUntil(() => needsResubmission || correction !== undefined || closeRequest !== undefined || timelyFilingPassed);
        cancelTimers((t) => t.id.startsWith('hold-recheck'));
      } else {
        await setStatus('needs_correction', 'system', `${errors.length} scrub error(s): ${errors.map((f) => f.ruleId).join(', ')}`);
        await workItem(`correction:v${s.version}`, 'correction', 'SUB-1', `Scrub errors block submission: ${errors.map((f) => `${f.ruleId}${f.line ? ` line ${f.line}` : ''}`).join(', ')}`, addBusinessDays(today(), 2), { findings: errors });
        await waitUntil(() => correction !== undefined || closeRequest !== undefined || timelyFilingPassed);
      }
      if (correction) await applyCorrection();
      continue mainLoop;
    }
    if (s.status !== 'scrubbed') await setStatus('scrubbed', 'system', scrub.status === 'warnings' ? `${scrub.findings.length} warning(s)` : 'clean');

    // Submit (SUB-5): 837P through the clearinghouse interface.
    const attempt = s.submissions.length + 1;
    let sent: Awaited<ReturnType<Activities['submitClaim']>>;
    try {
      sent = await payer.submitClaim({
        workflowId,
        step: `submit:${attempt}:v${s.version}`,
        claim,
        version: s.version,
        payerId: claim.payerId,
        coveragePriority: 'primary',
        frequencyCode,
        originalPayerClaimControlNumber: frequencyCode === '7' ? payerControlNumber : undefined,
        at: new Date().toISOString(),
      });
    } catch (err) {
      // The 837P cannot be built from this claim (missing practice data, values X12 cannot carry):
      // a person has to fix it; the claim waits for the correction instead of failing. An outage
      // never lands here (PAYER_ACTIVITY retries until it ends): it is not a data problem.
      if (wf.patched('send-failure-business-only') && !isBusinessFailure(err)) throw err;
      const reason = err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure ? err.cause.message : String(err);
      await setStatus('needs_correction', 'system', reason);
      await workItem(`x12:v${s.version}:${attempt}`, 'correction', 'SUB-5', `The claim could not be sent: ${reason}`, addBusinessDays(today(), 1));
      await waitUntil(() => correction !== undefined || closeRequest !== undefined || timelyFilingPassed);
      if (correction) await applyCorrection();
      continue mainLoop;
    }
    s.submissions.push({ attempt, payerId: claim.payerId, coverage: 'primary', frequencyCode, interchangeControlNumber: sent.interchangeControlNumber, submittedAt: sent.submittedAt });
    await setStatus('submitted', 'system', `837P ICN ${sent.interchangeControlNumber}, frequency ${frequencyCode}`);
    await acts.closeWorkItems({ entityType: 'claim', entityId: s.claimId, kinds: ['correction', 'denial_correction', 'credential_hold', 'timely_filing_escalation'], reason: 'corrected claim submitted' });
    // SUB-4 keeps running until the payer accepts the claim: a rejection is not a filing.
    const keepTimelyFiling = wf.patched('sub4-until-accepted');
    cancelTimers((t) => (!keepTimelyFiling && t.id.startsWith('sub4')) || t.id.startsWith('den-'));

    // AR-1/AR-2: structured follow-up fixed at submission, high value first at day 15.
    const submittedOn = sent.submittedAt.slice(0, 10);
    const plan = wf.patched('ar-plan-recorded') ? await rules.followUpPlan({ submittedOn, claim: { lines: claim.lines } }) : arTouchPlan(submittedOn, claim);
    s.arTouches = plan.touches.map((t) => ({ kind: t.kind, ruleId: t.rule, dueDate: t.dueDate, state: 'pending' as const }));
    for (const t of plan.touches) addTimer(`ar:${t.kind}`, t.rule, `${t.rule} day-${t.day} ${t.kind.replace(/_/g, ' ')}`, t.dueDate);
    await summary();

    // Until the payer settles it: paid and posted (closing), denied (correct or appeal), rejected (correct).
    for (;;) {
      await waitUntil(
        () =>
          closeRequest !== undefined ||
          correction !== undefined ||
          appeal !== undefined ||
          s.status === 'rejected' ||
          (s.status === 'posted' && !openDispute && openLineDenials === 0 && !(secondarySent && !secondaryAdjudicated && !s.payments.some((p) => p.statusCode === '2' || p.statusCode === '20'))),
      );
      if (closeRequest) break mainLoop;
      if (appeal && s.status === 'denied') {
        const a = appeal;
        appeal = undefined;
        cancelTimers((t) => t.id === 'den-appeal' || t.id === 'den-final');
        await acts.markDenialStatus({ claimId: s.claimId, status: 'appealed' });
        await acts.closeWorkItems({ entityType: 'claim', entityId: s.claimId, kinds: ['appeal', 'denial_escalation'], reason: `appeal ${a.appealReference} submitted` });
        await setStatus('appealed', a.actor, `appeal ${a.appealReference} submitted${a.note ? `: ${a.note}` : ''}`);
        if (wf.patched('appeal-follow-up')) {
          // The payer's answer to an appeal is followed up like any AR: no answer in 45 days → a person calls.
          addTimer(`payment-expected:appeal:${a.appealReference}`, 'AR-5', `AR-5 appeal ${a.appealReference}: payer answer expected`, addCalendarDays(today(), 45));
          await summary();
        }
        continue;
      }
      appeal = undefined;
      if (correction) {
        // Corrected claim after a rejection (resubmit as original) or a denial (replacement,
        // frequency 7, which must name the payer's claim control number; without one the payer has
        // no claim to replace, so it goes as a new original).
        frequencyCode = s.status === 'denied' && payerControlNumber ? '7' : '1';
        await applyCorrection();
        continue mainLoop;
      }
      if (s.status === 'rejected') {
        await waitUntil(() => correction !== undefined || closeRequest !== undefined);
        if (correction) await applyCorrection();
        continue mainLoop;
      }
      // posted, nothing outstanding
      closeRequest = { actor: 'system', reason: 'every dollar posted' };
      break mainLoop;
    }
  }

  async function applyCorrection() {
    const c = correction!;
    claim = c.claim;
    s.version += 1;
    s.billedCents = claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
    await acts.recordClaimVersion({ claimId: s.claimId, version: s.version, document: claim, reason: c.reason, actor: c.actor });
    await acts.updateClaimSummary({ claimId: s.claimId, version: s.version, document: claim });
    await setStatus('charge_entered', c.actor, `corrected claim v${s.version}: ${c.reason}`);
    correction = undefined;
  }

  // Closed: nothing left to chase.
  cancelTimers(() => true);
  await acts.closeWorkItems({ entityType: 'claim', entityId: s.claimId, reason: `claim closed: ${closeRequest!.reason}` });
  await setStatus('closed', closeRequest!.actor, closeRequest!.reason);
  await summary();
  if (wf.patched('park-after-close')) {
    // A payment that arrives while the claim closes is parked for a person, never dropped.
    await wf.condition(wf.allHandlersFinished);
    while (queue.length) {
      const item = queue.shift()!;
      if (item.type === 'remittance') await acts.parkClosedClaimPayment({ claimId: s.claimId, practiceId: claim.practiceId, delivery: item.delivery });
    }
  } else {
    await wf.condition(wf.allHandlersFinished);
  }
  return s;
}
