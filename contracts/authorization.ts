/**
 * Prior-authorization workflow contract (`auth:<authId>`): input and state types, the zod schema
 * the API validates with, Updates (staff actions with validators), Signals (payer answers) and the
 * Query. Clients import this, never the workflow code. Registered message names never change.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ServiceDate, Text, WorkflowDate, X12Text } from '../domain/primitives';
import { Approach, BusinessId, IsoDate, Laterality, Region } from '../domain/claim-document';
import { AuthFamily, AuthPackage, levelsOutsideRegion, type Finding } from '../domain/authorization';

/** The payer's answer to a 278 request or inquiry, as the gateway (simulator or clearinghouse) delivers it. */
export type AuthDecision = 'approved' | 'pended' | 'denied';
export type DenialReason = 'medical_necessity' | 'administrative' | 'not_covered' | 'frequency';

export type AuthorizationResponse278 = {
  requestId: string;
  authId: string;
  payerId: string;
  decision: AuthDecision;
  /** REF*BB, else HCR02. */
  authNumber?: string;
  validFrom?: string;
  validTo?: string;
  visitsAuthorized?: number;
  denialReason?: DenialReason;
  /** The payer's reason text (no PHI). */
  reason?: string;
  /** The payer's decision date (AUTH-5 clocks start here): DTP*102, else the day it was received. */
  decidedOn: string;
  /** The payer's 278 response as received (X12 text, 005010X217). */
  raw: string;
};

export const authorizationWorkflowId = (authId: string): string => `auth:${authId}`;

export const AUTH_STATUSES = [
  'draft',
  'incomplete',
  'submitted',
  'pended',
  'approved',
  'denied',
  'peer_to_peer',
  'expired',
  'cancelled',
] as const;
export type AuthStatus = (typeof AUTH_STATUSES)[number];

/** POST /api/authorizations body; also what an eligibility workflow starts a child with. */
export const AuthorizationRequest = z
  .object({
    authId: BusinessId,
    practiceId: BusinessId,
    payerId: BusinessId,
    patientId: X12Text(80, 1),
    providerNpi: z.string().regex(/^\d{10}$/, 'an NPI is 10 digits'),
    family: AuthFamily,
    cpts: z.array(z.string().regex(/^[A-Z0-9]{5}$/, 'CPT/HCPCS is 5 characters')).min(1).max(20),
    region: Region,
    approach: Approach.optional(),
    levels: z.array(Text(10, 1)).max(6).default([]),
    laterality: Laterality,
    /** The requested window. */
    validFrom: WorkflowDate,
    validTo: WorkflowDate,
    visitsRequested: z.number().int().min(1).max(52).default(1),
    package: AuthPackage.default({ diagnoses: [] }),
    /** SCS: the trial authorization this permanent one follows (AUTH-6); a renewal: the one it renews (AUTH-7). */
    linkedAuthId: BusinessId.optional(),
    appointmentId: BusinessId.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.validTo < a.validFrom) ctx.addIssue({ code: 'custom', path: ['validTo'], message: `the window ends (${a.validTo}) before it starts (${a.validFrom})` });
    for (const bad of levelsOutsideRegion(a.levels, a.region)) ctx.addIssue({ code: 'custom', path: ['levels', bad.index], message: bad.message });
  });
export type AuthorizationRequest = z.infer<typeof AuthorizationRequest>;

export type AuthWorkflowInput = {
  request: AuthorizationRequest;
  actor: string;
  /** Why it started: staff (API), an eligibility check (ELIG-5), a trial (AUTH-6), a renewal (AUTH-7). */
  origin: 'api' | 'eligibility' | 'scs_trial' | 'renewal';
  /** Continue-as-new after this many history events (tests use a low one); default: the server's suggestion only. */
  continueAsNewAfterEvents?: number;
  /** State carried across continue-as-new (plain JSON). */
  carried?: AuthWorkflowState;
};

export type DeadlineView = { ruleId: string; label: string; at: string };

export type AuthWorkflowState = {
  authId: string;
  status: AuthStatus;
  family: AuthFamily;
  payerId: string;
  practiceId: string;
  cpts: string[];
  region: Region;
  approach?: Approach;
  levels: string[];
  laterality: Laterality;
  requestedFrom: string;
  requestedTo: string;
  visitsRequested: number;
  package: AuthPackage;
  packageVersion: number;
  /** AUTH-7: the payer's renewal lead (days before expiry), from its policy. */
  renewalLeadDays?: number;
  /** What blocks submission (AUTH-1 / AUTH-2 / AUTH-4 / AUTH-6). */
  missing: Finding[];
  authNumber?: string;
  validFrom?: string;
  validTo?: string;
  visitsAuthorized?: number;
  visitsUsed: number;
  visits: Array<{ serviceDate: string; appointmentId?: string; recordedAt: string }>;
  /** The request the workflow waits on an answer for (278 trace number). */
  pendingRequestId?: string;
  requestSeq: number;
  followUpOn?: string;
  decision?: { decision: 'approved' | 'pended' | 'denied'; denialReason?: string; reason?: string; decidedOn: string };
  peerToPeer?: { dueDate: string; workItemId?: number; outcome?: 'overturned' | 'upheld' };
  linkedAuthId?: string;
  /** SCS trial → the permanent authorization started from it (AUTH-6). */
  permanentAuthId?: string;
  /** AUTH-7: the renewal authorization and the day it started. */
  renewal?: { authId: string; startedOn: string };
  trialResults?: AuthPackage['trialResults'];
  nextDeadline?: DeadlineView;
  waitingFor: string;
  /** Payer answers that matched no pending request: logged and kept, never applied. */
  parkedResponses: Array<{ requestId: string; decision: string; receivedAt: string }>;
  history: Array<{ at: string; status: AuthStatus; actor: string; note?: string }>;
  runs: number;
};

export const authorizationStateQuery = defineQuery<AuthWorkflowState>('authorizationState');

// ---------------------------------------------------------------------------------------------
// Signals: payer answers (no answer needed)

/** A 278 answer that arrived asynchronously (clearinghouse / portal), for the pending request. */
export const payerAuthResponseSignal = defineSignal<[AuthorizationResponse278]>('payerAuthResponse');

// ---------------------------------------------------------------------------------------------
// Updates: staff actions (accepted, or refused with a reason)

/** Refusal types: the API maps InvalidState → 409 and RuleViolation → 422. */
export const REFUSAL = { invalidState: 'InvalidState', ruleViolation: 'RuleViolation' } as const;

export const UpdatePackageInput = z.object({ actor: Text(200).optional(), package: AuthPackage });
export type UpdatePackageInput = z.infer<typeof UpdatePackageInput>;
export const updatePackageUpdate = defineUpdate<AuthWorkflowState, [UpdatePackageInput]>('updatePackage');

export const RecordDecisionInput = z.discriminatedUnion('decision', [
  z.object({ actor: Text(200).optional(), decision: z.literal('approved'), authNumber: Text(50, 1), validFrom: WorkflowDate, validTo: WorkflowDate, visitsAuthorized: z.number().int().min(1).max(1000).optional(), decidedOn: WorkflowDate }),
  z.object({ actor: Text(200).optional(), decision: z.literal('denied'), denialReason: z.enum(['medical_necessity', 'administrative', 'not_covered', 'frequency']), reason: Text(500).optional(), decidedOn: WorkflowDate }),
  z.object({ actor: Text(200).optional(), decision: z.literal('pended'), reason: Text(500).optional(), decidedOn: WorkflowDate }),
]);
export type RecordDecisionInput = z.infer<typeof RecordDecisionInput>;
export const recordDecisionUpdate = defineUpdate<AuthWorkflowState, [RecordDecisionInput]>('recordDecision');

export const RecordPeerToPeerInput = z.object({
  actor: Text(200).optional(),
  outcome: z.enum(['overturned', 'upheld']),
  authNumber: Text(50, 1).optional(),
  validFrom: WorkflowDate.optional(),
  validTo: WorkflowDate.optional(),
  visitsAuthorized: z.number().int().min(1).optional(),
  note: Text(1000).optional(),
});
export type RecordPeerToPeerInput = z.infer<typeof RecordPeerToPeerInput>;
export const recordPeerToPeerUpdate = defineUpdate<AuthWorkflowState, [RecordPeerToPeerInput]>('recordPeerToPeer');

export const RecordVisitInput = z.object({ actor: Text(200).optional(), serviceDate: ServiceDate, appointmentId: Text(64).optional() });
export type RecordVisitInput = z.infer<typeof RecordVisitInput>;
export const recordVisitUpdate = defineUpdate<AuthWorkflowState, [RecordVisitInput]>('recordVisit');

export const DocumentTrialResultsInput = z.object({
  actor: Text(200).optional(),
  documentedOn: WorkflowDate,
  reliefPercent: z.number().min(0).max(100),
  functionalImprovement: Text(1000).optional(),
});
export type DocumentTrialResultsInput = z.infer<typeof DocumentTrialResultsInput>;
export const documentTrialResultsUpdate = defineUpdate<AuthWorkflowState, [DocumentTrialResultsInput]>('documentTrialResults');

export const CancelAuthorizationInput = z.object({ actor: Text(200).optional(), reason: Text(500, 1) });
export type CancelAuthorizationInput = z.infer<typeof CancelAuthorizationInput>;
export const cancelAuthorizationUpdate = defineUpdate<AuthWorkflowState, [CancelAuthorizationInput]>('cancelAuthorization');

/** URL action name → Update and its body schema, for POST /api/authorizations/:authId/actions/:action. */
export const AUTHORIZATION_ACTIONS = {
  'update-package': { update: updatePackageUpdate, body: UpdatePackageInput },
  'record-decision': { update: recordDecisionUpdate, body: RecordDecisionInput },
  'record-peer-to-peer': { update: recordPeerToPeerUpdate, body: RecordPeerToPeerInput },
  'record-visit': { update: recordVisitUpdate, body: RecordVisitInput },
  'document-trial-results': { update: documentTrialResultsUpdate, body: DocumentTrialResultsInput },
  cancel: { update: cancelAuthorizationUpdate, body: CancelAuthorizationInput },
} as const;
