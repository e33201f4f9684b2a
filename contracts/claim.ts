/**
 * Claim workflow contract: id helper, task queue, message definitions and the state the API
 * reads. Clients (API, CLI, tests) import this, never the workflow code. Registered message
 * names never change.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClaimDocument } from '../domain/claim-document';

export const TASK_QUEUE = 'rcm';

export const claimWorkflowId = (claimId: string): string => `claim:${claimId}`;

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
  'posted',
  'secondary_submitted',
  'appealed',
  'closed',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export type ClaimWorkflowInput = {
  claim: ClaimDocument;
  /** When the charge was entered (ISO instant): CHG-1 charge lag is measured from the DOS to here. */
  enteredAt: string;
  actor: string;
};

export type ScrubFindingView = { ruleId: string; severity: 'error' | 'warning' | 'info'; line?: number; message: string; fix?: string };

export type DeadlineView = { ruleId: string; label: string; at: string };

export type ClaimWorkflowState = {
  claimId: string;
  status: ClaimStatus;
  version: number;
  scrub?: { status: 'clean' | 'warnings' | 'errors'; findings: ScrubFindingView[] };
  nextDeadline?: DeadlineView;
  /** Human-readable one-liner of what the claim waits for. */
  waitingFor: string;
  history: Array<{ at: string; status: ClaimStatus; actor: string; note?: string }>;
};

export const claimStateQuery = defineQuery<ClaimWorkflowState>('claimState');
