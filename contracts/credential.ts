/**
 * Provider credential workflow contract (CRED-1…7): id helper, input and state (plain JSON),
 * staff actions as Updates, a state Query. The API imports this, never the workflow code.
 * Registered message names never change.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ExpiryDate, Text } from '../domain/primitives';
import { IsoDate } from '../domain/claim-document';
import type { CredentialItem, CredentialPolicy, CredentialStatus } from '../domain/credentials';

export const credentialWorkflowId = (npi: string): string => `credential:${npi}`;

// ---------------------------------------------------------------------------------------------
// What a provider is added with (POST /api/providers body → workflow input)

export const LicenseInput = z.object({
  state: z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code'),
  number: Text(40, 1),
  issueDate: IsoDate.optional(),
  expiryDate: ExpiryDate,
  documentRef: Text(200).optional(),
});
export const DeaInput = z.object({
  number: z.string().regex(/^[A-Z]{2}\d{7}$/, 'a DEA number is two letters and seven digits'),
  issueDate: IsoDate.optional(),
  expiryDate: ExpiryDate,
  documentRef: Text(200).optional(),
});
export const MalpracticeInput = z.object({
  carrier: Text(100).optional(),
  policyNumber: Text(60, 1),
  effectiveDate: IsoDate.optional(),
  expiryDate: ExpiryDate,
  documentRef: Text(200).optional(),
});
export const CaqhInput = z.object({
  caqhId: z.string().regex(/^\d{5,10}$/, 'a CAQH provider id is 5–10 digits'),
  lastAttestationDate: IsoDate,
});
export const EnrollmentInput = z.object({
  payerId: Text(64, 1),
  /** Absent: not yet enrolled; the enrollment is started (CRED-6) and claims to this payer are held. */
  effectiveDate: IsoDate.optional(),
  /** Default: effective date + 36 months (CRED-5). */
  recredentialingDueDate: IsoDate.optional(),
  payerProviderId: Text(60).optional(),
});

const issueBeforeExpiry = (c: { issueDate?: string; effectiveDate?: string; expiryDate: string }, ctx: z.RefinementCtx, path: (string | number)[]) => {
  const start = c.issueDate ?? c.effectiveDate;
  if (start && c.expiryDate < start) {
    ctx.addIssue({ code: 'custom', path: [...path, 'expiryDate'], message: `expiry date ${c.expiryDate} is before the ${c.issueDate ? 'issue' : 'effective'} date ${start}` });
  }
};

export const ProviderCredentialsInput = z
  .object({
    licenses: z.array(LicenseInput).max(60).default([]),
    dea: DeaInput.optional(),
    malpractice: MalpracticeInput.optional(),
    caqh: CaqhInput.optional(),
    enrollments: z.array(EnrollmentInput).max(50).default([]),
  })
  .superRefine((c, ctx) => {
    c.licenses.forEach((l, i) => issueBeforeExpiry(l, ctx, ['licenses', i]));
    const states = c.licenses.map((l) => l.state);
    states.forEach((s, i) => {
      if (states.indexOf(s) !== i) ctx.addIssue({ code: 'custom', path: ['licenses', i, 'state'], message: `a second license for ${s}` });
    });
    if (c.dea) issueBeforeExpiry(c.dea, ctx, ['dea']);
    if (c.malpractice) issueBeforeExpiry(c.malpractice, ctx, ['malpractice']);
    const payers = c.enrollments.map((e) => e.payerId);
    c.enrollments.forEach((e, i) => {
      if (payers.indexOf(e.payerId) !== i) ctx.addIssue({ code: 'custom', path: ['enrollments', i, 'payerId'], message: `a second enrollment with ${e.payerId}` });
      if (e.recredentialingDueDate && !e.effectiveDate) ctx.addIssue({ code: 'custom', path: ['enrollments', i, 'effectiveDate'], message: 'a re-credentialing due date needs an effective date' });
      if (e.recredentialingDueDate && e.effectiveDate && e.recredentialingDueDate <= e.effectiveDate) {
        ctx.addIssue({ code: 'custom', path: ['enrollments', i, 'recredentialingDueDate'], message: 're-credentialing due date is not after the effective date' });
      }
    });
  });
export type ProviderCredentialsInput = z.infer<typeof ProviderCredentialsInput>;

export type ProviderCredentialWorkflowInput = {
  npi: string;
  practiceId: string;
  /** Provider name: fine in the read model and workflow state, never in search attributes. */
  name: string;
  specialty?: string;
  /** CRED-6: first date the provider bills; enrollments without an effective date start 90–120 days before. */
  firstBillingDate?: string;
  credentials: ProviderCredentialsInput;
  actor: string;
  /** Per-practice overrides of the DOMAIN.md defaults. */
  policy?: Partial<CredentialPolicy>;
  /** Continue-as-new once history reaches this many events (tests); otherwise when the server suggests it. */
  maxHistoryEventsBeforeContinueAsNew?: number;
  /** Set on continue-as-new: the state carried over (plain JSON). */
  carried?: CredentialCarriedState;
};

/** What one run hands the next on continue-as-new (plain JSON). */
export type CredentialCarriedState = {
  state: CredentialWorkflowState;
  /** Fingerprint of the last `credentials` row written per item key (so unchanged rows are not rewritten). */
  written: Record<string, string>;
  /** Items changed by staff actions whose stale work items still need closing. */
  dirty: string[];
};

// ---------------------------------------------------------------------------------------------
// State (Query answer and Update result)

export type CredentialItemView = CredentialItem & { label: string; status: CredentialStatus; ruleId: string };

export type CredentialDeadlineView = { ruleId: string; itemKey: string; label: string; date: string; at: string; action: string };

export type CredentialWorkflowState = {
  npi: string;
  practiceId: string;
  name: string;
  specialty?: string;
  firstBillingDate?: string;
  /** Worst item status: lapsed > pending > active. */
  status: CredentialStatus;
  items: CredentialItemView[];
  nextDeadline?: CredentialDeadlineView;
  waitingFor: string;
  /** Most recent events (bounded; the work_items table keeps everything). */
  history: Array<{ at: string; itemKey?: string; event: string; actor: string; note?: string }>;
  /** Incremented by every accepted staff action (and the start). */
  version: number;
  continuedAsNew: number;
};

export const credentialStateQuery = defineQuery<CredentialWorkflowState>('credentialState');

// ---------------------------------------------------------------------------------------------
// Staff actions (Updates with validators). Bodies validated by zod at the API; the workflow
// validator refuses what the provider's state does not allow (422/409 at the API).

export const RenewCredentialInput = z.object({
  kind: z.enum(['license', 'dea', 'malpractice']),
  /** Licenses: which state's license. */
  state: z.string().regex(/^[A-Z]{2}$/).optional(),
  expiryDate: ExpiryDate,
  documentRef: Text(200, 1),
  identifier: Text(60, 1).optional(),
  actor: Text(200).optional(),
});
export type RenewCredentialInput = z.infer<typeof RenewCredentialInput>;
export const renewCredentialUpdate = defineUpdate<CredentialWorkflowState, [RenewCredentialInput]>('renewCredential');

export const RecordCaqhAttestationInput = z.object({
  attestationDate: IsoDate,
  documentRef: Text(200).optional(),
  actor: Text(200).optional(),
});
export type RecordCaqhAttestationInput = z.infer<typeof RecordCaqhAttestationInput>;
export const recordCaqhAttestationUpdate = defineUpdate<CredentialWorkflowState, [RecordCaqhAttestationInput]>('recordCaqhAttestation');

export const RecordEnrollmentInput = z.object({
  payerId: Text(64, 1),
  /** Absent: start a new enrollment (pending). */
  effectiveDate: IsoDate.optional(),
  /** Default effective date + 36 months; also how a completed re-credentialing is recorded. */
  recredentialingDueDate: IsoDate.optional(),
  payerProviderId: Text(60).optional(),
  documentRef: Text(200).optional(),
  actor: Text(200).optional(),
});
export type RecordEnrollmentInput = z.infer<typeof RecordEnrollmentInput>;
export const recordEnrollmentUpdate = defineUpdate<CredentialWorkflowState, [RecordEnrollmentInput]>('recordEnrollment');

export const RecordRecredentialingNoticeInput = z.object({
  payerId: Text(64, 1),
  receivedDate: IsoDate,
  respondBy: IsoDate,
  actor: Text(200).optional(),
});
export type RecordRecredentialingNoticeInput = z.infer<typeof RecordRecredentialingNoticeInput>;
export const recordRecredentialingNoticeUpdate = defineUpdate<CredentialWorkflowState, [RecordRecredentialingNoticeInput]>('recordRecredentialingNotice');

export const AnswerRecredentialingNoticeInput = z.object({
  payerId: Text(64, 1),
  answeredDate: IsoDate,
  documentRef: Text(200, 1),
  /** The payer's new re-credentialing due date, when the answer completes re-credentialing. */
  recredentialingDueDate: IsoDate.optional(),
  actor: Text(200).optional(),
});
export type AnswerRecredentialingNoticeInput = z.infer<typeof AnswerRecredentialingNoticeInput>;
export const answerRecredentialingNoticeUpdate = defineUpdate<CredentialWorkflowState, [AnswerRecredentialingNoticeInput]>('answerRecredentialingNotice');

/** URL action name → Update and its body schema, for POST /api/providers/:npi/actions/:action. */
export const CREDENTIAL_ACTIONS = {
  'renew-credential': { update: renewCredentialUpdate, body: RenewCredentialInput },
  'record-caqh-attestation': { update: recordCaqhAttestationUpdate, body: RecordCaqhAttestationInput },
  'record-enrollment': { update: recordEnrollmentUpdate, body: RecordEnrollmentInput },
  'record-recredentialing-notice': { update: recordRecredentialingNoticeUpdate, body: RecordRecredentialingNoticeInput },
  'answer-recredentialing-notice': { update: answerRecredentialingNoticeUpdate, body: AnswerRecredentialingNoticeInput },
} as const;
export type CredentialActionName = keyof typeof CREDENTIAL_ACTIONS;

/** Failure types the workflow validators throw; the API maps them to HTTP statuses. */
export const CREDENTIAL_REFUSALS = {
  /** The provider does not hold the credential named (422). */
  NotHeld: 'CredentialNotHeld',
  /** The dates do not make sense against the current state (422). */
  InvalidDates: 'CredentialInvalidDates',
  /** Conflicts with the current state, e.g. answering a notice that was never received (409). */
  Conflict: 'CredentialConflict',
} as const;
