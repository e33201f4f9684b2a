/**
 * The claim's messages. Signals are delivered to the inbox (applied in order by the claim's loop);
 * staff Updates are validated here, handed to the loop, and answer once the loop has acted on them.
 * Registered message names never change (contracts/claim.ts).
 */
import * as wf from '@temporalio/workflow';
import {
  acknowledgementSignal,
  claimStateQuery,
  closeClaimUpdate,
  correctClaimUpdate,
  credentialChangedSignal,
  remittanceSignal,
  submitAppealUpdate,
  workItemCompletedSignal,
} from '../../contracts/claim';
import type * as ClaimDocumentModule from '../../domain/claim-document';
import { deliver } from '../inbox';
import type { ClaimRun } from './run';
import { money, sameDocument, today } from './state';
import { registerWriteOffHandlers } from './write-off';
import { patched } from './patches';

export function conflict(message: string): never {
  throw wf.ApplicationFailure.create({ type: 'Conflict', message, nonRetryable: true });
}
export function invalid(message: string, field?: string): never {
  throw wf.ApplicationFailure.create({ type: 'Invalid', message, details: field ? [{ field }] : [], nonRetryable: true });
}

export function registerClaimHandlers(run: ClaimRun) {
  const c = run.c;
  const s = c.state;
  wf.setHandler(claimStateQuery, () => s);
  wf.setHandler(acknowledgementSignal, (ack) => void deliver(c.inbox, { type: 'ack', ack }));
  wf.setHandler(remittanceSignal, (delivery) => {
    const key = `${delivery.remittanceKey}#${delivery.seq}`;
    if (c.seenDeliveries.includes(key)) return; // duplicate delivery of the same ERA claim payment
    c.seenDeliveries.push(key);
    deliver(c.inbox, { type: 'remittance', delivery });
  });
  // A work item is applied once, however often its completion arrives (two staff clicking at once
  // both pass the API's open check; a retried request signals again).
  wf.setHandler(workItemCompletedSignal, (completion) => {
    const seen = c.appliedWorkItems.includes(completion.workItemId);
    if (seen && patched('work-item-once')) return;
    if (!seen) c.appliedWorkItems.push(completion.workItemId);
    deliver(c.inbox, { type: 'workItem', completion });
  });
  wf.setHandler(credentialChangedSignal, () => void deliver(c.inbox, { type: 'credential' }));

  wf.setHandler(
    correctClaimUpdate,
    async (update) => {
      c.correction = update;
      await wf.condition(() => c.correction === undefined);
      const refused = c.correctionRefused;
      c.correctionRefused = undefined;
      if (refused) conflict(refused);
      return s;
    },
    {
      validator: (update) => {
        if (!['needs_correction', 'rejected', 'denied', 'held'].includes(s.status)) {
          conflict(`claim is ${s.status}: a corrected claim is taken only while it needs correction, is held, or was rejected or denied`);
        }
        if (c.correction) conflict('a correction is already being applied');
        // Required here, not at the top: the schema (and zod) is evaluated only by a claim that gets a correction (issue 16).
        const { ClaimDocument } = require('../../domain/claim-document') as typeof ClaimDocumentModule;
        const parsed = ClaimDocument.safeParse(update.claim);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          invalid(`claim.${issue.path.join('.')}: ${issue.message}`, `claim.${issue.path.join('.')}`);
        }
        if (update.claim.claimId !== s.claimId) invalid(`claimId ${update.claim.claimId} does not match this claim`, 'claim.claimId');
        if (update.claim.practiceId !== c.claim.practiceId) invalid('a corrected claim cannot move to another practice', 'claim.practiceId');
        for (const [field, before, after] of [
          ['payerId', c.claim.payerId, update.claim.payerId],
          ['serviceDate', c.claim.serviceDate, update.claim.serviceDate],
          ['patient.id', c.claim.patient.id, update.claim.patient.id],
        ] as const) {
          if (before !== after) invalid(`a corrected claim keeps its ${field} (deadlines and coverage hang on it): close this claim and enter a new one`, `claim.${field}`);
        }
        if (!update.reason?.trim()) invalid('say what was corrected', 'reason');
        if (s.status === 'denied' && s.denial?.category === 'hard' && sameDocument(update.claim, c.claim)) {
          conflict('DEN-8: a hard denial is never resubmitted unchanged; appeal it (submit-appeal) or change what the denial is about');
        }
      },
    },
  );
  wf.setHandler(
    submitAppealUpdate,
    async (update) => {
      c.appeal = update;
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
  registerWriteOffHandlers(run);
  wf.setHandler(
    closeClaimUpdate,
    async (update) => {
      c.closeRequest = update;
      await wf.condition(() => s.status === 'closed');
      return s;
    },
    {
      validator: (update) => {
        if (s.status === 'closed') conflict('claim is already closed');
        if (!update.reason?.trim()) invalid('say why the claim is closed', 'reason');
        if (c.sending) conflict('an 837P is being sent to the payer right now: close the claim (or write it off, AR-6) once the payer has answered');
        if (s.status === 'timely_filing_expired') conflict('the filing window has passed with the charge unpaid: request and approve a write-off (AR-6) instead of closing');
        if (c.openDispute) conflict('an underpayment dispute is open (POST-5): complete it first');
        if (c.openLineDenials > 0) conflict('a denied line is still being worked (DEN-3/DEN-4): complete its work item first');
        if (s.billedCents - s.paidCents - s.patientResponsibilityCents > 0 && c.primaryDone === false && s.submissions.length > 0) {
          conflict(`claim has an open balance of ${money(s.billedCents - s.paidCents)} with the payer: write it off (AR-6) rather than close it`);
        }
      },
    },
  );
}
