/**
 * Claim workflow contract: id helper, task queue, message definitions and the state the API
 * reads. Clients (API, CLI, tests) import this, never the workflow code. Registered message
 * names never change.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClaimDocument } from '../domain/claim-document';
import type { ClaimPayment } from '../domain/remittance';
import type { Inbox } from './inbox';
import type { SearchAttributePair } from '@temporalio/common';
import { CptCodes, PayerId, PracticeId, ProviderNpi, RcmKind, RcmStatus } from './search-attributes';

export const TASK_QUEUE = 'rcm';

/**
 * A claim's workflow id: `claim:<practiceId>:<claimId>` (claim ids are unique per practice, issue 13;
 * both are non-PHI ids). Claims started before keep `claim:<claimId>` (legacyClaimWorkflowId): the
 * read model stores each claim's workflow id (claims.workflow_id) and clients resolve it from there.
 */
export const claimWorkflowId = (practiceId: string, claimId: string): string => `claim:${practiceId}:${claimId}`;
/** The id of a claim started before claim ids were per practice. */
export const legacyClaimWorkflowId = (claimId: string): string => `claim:${claimId}`;

export const CLAIM_STATUSES = [
  'charge_entered',
  'needs_correction',
  'held',
  'scrubbed',
  'submitted',
  'acknowledged',
  'rejected',
  'paid',
  'partially_paid',
  'denied',
  'appealed',
  'posted',
  'secondary_submitted',
  'timely_filing_expired',
  'closed',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export type ClaimWorkflowInput = {
  claim: ClaimDocument;
  /** When the charge was entered (ISO instant): CHG-1 charge lag is measured from the DOS to here. */
  enteredAt: string;
  actor: string;
  /**
   * Continue as new once a run's history reaches this many events (default
   * CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS), or earlier when the server suggests it.
   */
  continueAsNewAfterEvents?: number;
  /** Set on continue-as-new: everything the claim knows, as plain JSON. */
  carried?: ClaimCarriedState;
  /**
   * A claim already submitted by another system (bulk import, `rcm import claims`): it is not
   * scrubbed or sent again; its submission is recorded as it happened and the AR-1/AR-2 follow-up
   * counts from `submittedAt` (the real date), so touches already due come due at once.
   */
  imported?: ImportedSubmission;
};

export type ImportedSubmission = {
  /** When the other system sent the 837P (ISO instant). */
  submittedAt: string;
  /** The payer's claim control number (CLP07 / 277CA), when the old system has it: a later replacement claim (frequency 7) needs it. */
  payerClaimControlNumber?: string;
};

/**
 * How every client starts a claim (POST /api/claims, bulk import): its workflow id, a summary the
 * Temporal UI shows (no PHI: claim id, payer, DOS, CPTs) and the search attributes it is found by.
 */
/**
 * Issue 16: a claim's workflow task runs its step's local activities (claimDbBatch); 30 s instead of
 * the default 10 s before the worker must heartbeat the task (at 80%), see DATABASE_LOCAL_ACTIVITY.
 * A worker that dies mid-task is replaced after at most this long.
 */
export const CLAIM_WORKFLOW_TASK_TIMEOUT = '30 seconds';

export function claimWorkflowStartOptions(input: ClaimWorkflowInput) {
  const claim = input.claim;
  return {
    taskQueue: TASK_QUEUE,
    workflowTaskTimeout: CLAIM_WORKFLOW_TASK_TIMEOUT,
    workflowId: claimWorkflowId(claim.practiceId, claim.claimId),
    args: [input] as [ClaimWorkflowInput],
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    staticSummary: `Claim ${claim.claimId} · ${claim.payerId} · DOS ${claim.serviceDate} · ${claim.lines.map((l) => l.cpt).join(', ')}${input.imported ? ' · imported' : ''}`,
    typedSearchAttributes: [
      { key: RcmKind, value: 'claim' },
      { key: RcmStatus, value: 'charge_entered' },
      { key: PracticeId, value: claim.practiceId },
      { key: PayerId, value: claim.payerId },
      { key: ProviderNpi, value: claim.renderingNpi },
      { key: CptCodes, value: [...new Set(claim.lines.map((l) => l.cpt))] },
    ] as SearchAttributePair[],
  };
}

/** A run's history length after which a claim continues as new at its next safe point. */
export const CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/**
 * Everything a claim knows, as one plain-JSON value: the queryable state, the current claim
 * version, the bookkeeping that is not part of the queryable state, and the messages received but
 * not yet applied. The workflow keeps exactly this object while it runs (workflows/claim/state.ts)
 * and carries it into its next run as is. Continue-as-new happens only at a safe point (no Update in
 * flight, no message waiting), so the pending parts are empty at every hand-over; older runs handed
 * over without them.
 */
export type ClaimCarriedState = {
  state: ClaimWorkflowState;
  claim: ClaimDocument;
  runs: number;
  frequencyCode: '1' | '7';
  timelyFilingPassed: boolean;
  primaryDone: boolean;
  secondarySent: boolean;
  secondaryAdjudicated: boolean;
  openDispute: boolean;
  openLineDenials: number;
  lineDeniedCents: number;
  payerControlNumber?: string;
  /** An imported claim whose submission elsewhere stands for this loop's scrub and send (cleared once used). */
  importedSubmissionPending?: boolean;
  /** ERA claim payments already taken (remittanceKey#seq): a redelivery after the hand-over is still ignored. */
  seenDeliveries: string[];
  /** Work items whose completion was applied: a repeated completion is ignored. */
  appliedWorkItems?: number[];
  /** Signals received and not yet applied, in arrival order (workflows/inbox.ts). */
  inbox?: Inbox<ClaimMessage>;
  /** Staff requests accepted and waiting for the claim's loop. */
  correction?: CorrectClaimInput;
  appeal?: SubmitAppealInput;
  closeRequest?: { actor: string; reason: string };
  /** A credential change (or the daily re-check) asks a held claim to try again. */
  needsResubmission?: boolean;
  /** An 837P is on its way to a payer (a close is refused meanwhile: issue 12). */
  sending?: boolean;
  /** Why the last accepted correction was not applied (the claim was paid meanwhile: issue 12). */
  correctionRefused?: string;
  /** Deadlines fire when their date begins in the practice's time zone (issue 13; claims started since the patch). */
  zoneDeadlines?: boolean;
};

/** A signal as the claim's inbox holds it until the loop applies it. */
export type ClaimMessage =
  | { type: 'ack'; ack: AcknowledgementDelivery }
  | { type: 'remittance'; delivery: RemittanceDelivery }
  | { type: 'workItem'; completion: WorkItemCompletion }
  | { type: 'credential' };

export type ScrubFindingView = { ruleId: string; severity: 'error' | 'warning' | 'info'; line?: number; message: string; fix?: string };

export type DeadlineView = { ruleId: string; label: string; at: string };

export type ClaimTimer = {
  id: string;
  ruleId: string;
  label: string;
  /** ISO instant the timer fires. */
  at: string;
  state: 'pending' | 'fired' | 'cancelled';
  /** The date the timer fires on (a claim whose deadlines are in the practice's zone): `at` is when it begins there. */
  date?: string;
  /** false until `at` has been placed in the practice's zone (a recorded local activity). */
  zoned?: boolean;
};

export type DenialView = {
  carc: string | null;
  category: 'hard' | 'soft';
  kind: string;
  appealable: boolean;
  denialDate: string;
  correctionDue?: string;
  internalAppealDue?: string;
  payerAppealDeadline?: string;
  peerToPeerDue?: string;
  appealPackage: string[];
  /** The claim document as it was denied: DEN-8 refuses an unchanged resubmission of a hard denial. */
  deniedVersion: number;
};

export type ClaimWorkflowState = {
  claimId: string;
  status: ClaimStatus;
  version: number;
  billedCents: number;
  paidCents: number;
  patientResponsibilityCents: number;
  chargeLagDays?: number;
  timelyFilingDeadline?: string;
  scrub?: { status: 'clean' | 'warnings' | 'errors'; findings: ScrubFindingView[] };
  submissions: Array<{ attempt: number; payerId: string; coverage: string; frequencyCode: string; interchangeControlNumber: number; submittedAt: string; ack?: 'accepted' | 'rejected'; reasons?: string[] }>;
  payments: Array<{ remittanceKey: string; statusCode: string; paidCents: number; patientResponsibilityCents: number; expectedCents: number; underpaidCents: number; postedAt: string; findings: Array<{ rule: string; kind: string; message: string }> }>;
  denial?: DenialView;
  arTouches: Array<{ kind: string; ruleId: string; dueDate: string; state: 'pending' | 'done' | 'cancelled'; outcome?: Record<string, unknown> }>;
  resolutionPath?: { path: string; expectedPaymentDate?: string; note?: string };
  writeOff?: { requestedBy: string; amountCents: number; rationale: string; approvedBy?: string; recoveryReview?: string };
  /** AR-6 write-offs of part of the balance approved so far (the claim stays open for the rest). */
  writtenOffCents?: number;
  timers: ClaimTimer[];
  nextDeadline?: DeadlineView;
  /** Human-readable one-liner of what the claim waits for. */
  waitingFor: string;
  history: Array<{ at: string; status: ClaimStatus; actor: string; note?: string }>;
};

export const claimStateQuery = defineQuery<ClaimWorkflowState>('claimState');

// ---------------------------------------------------------------------------------------------
// Messages from outside (Signals: no answer needed)

/** A claim payment from a posted remittance (835 or JSON), delivered by the ingestion service. */
export type RemittanceDelivery = {
  remittanceKey: string;
  payerId: string;
  paymentDate: string;
  /** The payer's adjudication (denial) date: DEN-4 clocks start here, never at receipt. */
  adjudicationDate: string;
  /** ISO instant the ERA reached us: POST-1 posting lag is measured from here. */
  receivedAt: string;
  seq: number;
  claimPayment: ClaimPayment;
};
export const remittanceSignal = defineSignal<[RemittanceDelivery]>('remittance');

export type AcknowledgementDelivery = {
  accepted: boolean;
  reasons: string[];
  interchangeControlNumber?: number;
  payerClaimControlNumber?: string;
  at: string;
  source: string;
};
export const acknowledgementSignal = defineSignal<[AcknowledgementDelivery]>('acknowledgement');

/** A human task this workflow waits on was completed (POST /api/work-items/:id/complete). */
export type WorkItemCompletion = { workItemId: number; kind: string; outcome: Record<string, unknown>; completedBy: string; completedAt: string };
export const workItemCompletedSignal = defineSignal<[WorkItemCompletion]>('workItemCompleted');

/** The rendering provider's credential status changed (CRED-7): re-check held claims. */
export const credentialChangedSignal = defineSignal<[{ npi: string; at: string }]>('credentialChanged');

// ---------------------------------------------------------------------------------------------
// Staff actions (Updates with validators: accepted, or refused with a reason)

export type CorrectClaimInput = { claim: ClaimDocument; reason: string; actor: string };
export const correctClaimUpdate = defineUpdate<ClaimWorkflowState, [CorrectClaimInput]>('correctClaim');

export type RequestWriteOffInput = { actor: string; amountCents: number; rationale: string };
export const requestWriteOffUpdate = defineUpdate<ClaimWorkflowState, [RequestWriteOffInput]>('requestWriteOff');

export type ApproveWriteOffInput = { actor: string; role: string; recoveryReview: string };
export const approveWriteOffUpdate = defineUpdate<ClaimWorkflowState, [ApproveWriteOffInput]>('approveWriteOff');

/** An approver turns a pending write-off request down (AR-6): the request is cleared, the claim is worked on, a new request may follow. */
export type RejectWriteOffInput = { actor: string; role: string; reason: string };
export const rejectWriteOffUpdate = defineUpdate<ClaimWorkflowState, [RejectWriteOffInput]>('rejectWriteOff');

export type SubmitAppealInput = { actor: string; appealReference: string; note?: string };
export const submitAppealUpdate = defineUpdate<ClaimWorkflowState, [SubmitAppealInput]>('submitAppeal');

export const closeClaimUpdate = defineUpdate<ClaimWorkflowState, [{ actor: string; reason: string }]>('closeClaim');

/** URL action name → Update, for POST /api/claims/:claimId/actions/:action. */
export const CLAIM_ACTIONS = {
  correct: correctClaimUpdate,
  'request-write-off': requestWriteOffUpdate,
  'approve-write-off': approveWriteOffUpdate,
  'submit-appeal': submitAppealUpdate,
  close: closeClaimUpdate,
} as const;
