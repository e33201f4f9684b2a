/**
 * A provider's credential messages: staff actions are Updates whose validators refuse and whose
 * handlers change one item, note the change in the inbox (workflows/inbox.ts) and answer once the
 * loop has written it.
 */
import * as wf from '@temporalio/workflow';
import {
  answerRecredentialingNoticeUpdate,
  credentialStateQuery,
  recordCaqhAttestationUpdate,
  recordEnrollmentUpdate,
  recordRecredentialingNoticeUpdate,
  renewCredentialUpdate,
  CREDENTIAL_REFUSALS,
} from '../../contracts/credential';
import { caqhDueDate, itemKeyFor, itemLabel, recredentialingDueDate, type CredentialItem } from '../../domain/credentials';
import { accepted, find, refuse, today, type CredentialRun } from './run';

export function registerCredentialHandlers(run: CredentialRun) {
  wf.setHandler(credentialStateQuery, () => run.state);

  wf.setHandler(
    renewCredentialUpdate,
    async (input) => {
      const item = renewalTarget(run, input.kind, input.state);
      const previous = item.expiryDate;
      item.expiryDate = input.expiryDate;
      item.documentRef = input.documentRef;
      if (input.identifier) item.identifier = input.identifier;
      return accepted(run, item.key, 'renewed', input.actor, `expiry ${previous} → ${input.expiryDate} (${input.documentRef})`);
    },
    {
      validator: (input) => {
        const item = renewalTarget(run, input.kind, input.state);
        if (item.expiryDate && input.expiryDate <= item.expiryDate) {
          throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `new expiry ${input.expiryDate} is not after the current expiry ${item.expiryDate}`);
        }
        if (input.expiryDate <= today()) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `new expiry ${input.expiryDate} is not in the future`);
      },
    },
  );

  wf.setHandler(
    recordCaqhAttestationUpdate,
    async (input) => {
      const item = find(run, 'caqh')!;
      item.lastAttestationDate = input.attestationDate;
      item.expiryDate = caqhDueDate(input.attestationDate, run.policy);
      if (input.documentRef) item.documentRef = input.documentRef;
      return accepted(run, 'caqh', 'attested', input.actor, `attested ${input.attestationDate}; next due ${item.expiryDate}`);
    },
    {
      validator: (input) => {
        const item = find(run, 'caqh');
        if (!item) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${run.state.npi} has no CAQH profile on file`);
        if (input.attestationDate > today()) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `attestation date ${input.attestationDate} is in the future`);
        if (item.lastAttestationDate && input.attestationDate < item.lastAttestationDate) {
          throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `attestation date ${input.attestationDate} is before the last attestation ${item.lastAttestationDate}`);
        }
      },
    },
  );

  wf.setHandler(
    recordEnrollmentUpdate,
    async (input) => {
      const key = itemKeyFor('enrollment', input.payerId);
      let item = find(run, key);
      if (!item) {
        item = { key, kind: 'enrollment', payerId: input.payerId, requestedDate: today(), firstBillingDate: run.state.firstBillingDate, fired: [] };
        run.items.push(item);
      }
      if (input.effectiveDate) {
        const sameEffective = item.effectiveDate === input.effectiveDate;
        item.effectiveDate = input.effectiveDate;
        item.recredentialingDueDate =
          input.recredentialingDueDate ?? (sameEffective && item.recredentialingDueDate ? item.recredentialingDueDate : recredentialingDueDate(input.effectiveDate, run.policy));
      }
      if (input.payerProviderId) item.identifier = input.payerProviderId;
      if (input.documentRef) item.documentRef = input.documentRef;
      const note = input.effectiveDate ? `effective ${item.effectiveDate}; re-credentialing due ${item.recredentialingDueDate}` : 'enrollment started';
      return accepted(run, key, 'enrollment_recorded', input.actor, note);
    },
    {
      validator: (input) => {
        const item = find(run, itemKeyFor('enrollment', input.payerId));
        if (!input.effectiveDate && item) throw refuse(CREDENTIAL_REFUSALS.Conflict, `an enrollment with ${input.payerId} is already ${item.effectiveDate ? 'on file' : 'in progress'}`);
        if (input.recredentialingDueDate && !input.effectiveDate) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, 'a re-credentialing due date needs an effective date');
        if (input.recredentialingDueDate && input.effectiveDate && input.recredentialingDueDate <= input.effectiveDate) {
          throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `re-credentialing due date ${input.recredentialingDueDate} is not after the effective date ${input.effectiveDate}`);
        }
      },
    },
  );

  wf.setHandler(
    recordRecredentialingNoticeUpdate,
    async (input) => {
      const item = effectiveEnrollment(run, input.payerId);
      item.notice = { receivedDate: input.receivedDate, respondBy: input.respondBy };
      return accepted(run, item.key, 'recredentialing_notice', input.actor, `received ${input.receivedDate}; respond by ${input.respondBy}`);
    },
    {
      validator: (input) => {
        const item = effectiveEnrollment(run, input.payerId);
        if (item.notice && !item.notice.answeredDate) throw refuse(CREDENTIAL_REFUSALS.Conflict, `a notice from ${input.payerId} received ${item.notice.receivedDate} is still unanswered`);
        if (input.receivedDate > today()) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `received date ${input.receivedDate} is in the future`);
        if (input.respondBy < input.receivedDate) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `respond-by ${input.respondBy} is before the received date ${input.receivedDate}`);
      },
    },
  );

  wf.setHandler(
    answerRecredentialingNoticeUpdate,
    async (input) => {
      const item = effectiveEnrollment(run, input.payerId);
      item.notice = { ...item.notice!, answeredDate: input.answeredDate, documentRef: input.documentRef };
      if (input.recredentialingDueDate) item.recredentialingDueDate = input.recredentialingDueDate;
      return accepted(run, item.key, 'recredentialing_notice_answered', input.actor, `answered ${input.answeredDate} (${input.documentRef})`);
    },
    {
      validator: (input) => {
        const item = effectiveEnrollment(run, input.payerId);
        const notice = item.notice;
        if (!notice || notice.answeredDate) throw refuse(CREDENTIAL_REFUSALS.Conflict, `no open re-credentialing notice from ${input.payerId}`);
        if (input.answeredDate > today()) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `answered date ${input.answeredDate} is in the future`);
        if (input.answeredDate < notice.receivedDate) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `answered date ${input.answeredDate} is before the notice (${notice.receivedDate})`);
        if (input.recredentialingDueDate && item.effectiveDate && input.recredentialingDueDate <= item.effectiveDate) {
          throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `re-credentialing due date ${input.recredentialingDueDate} is not after the effective date`);
        }
      },
    },
  );
}

function renewalTarget(run: CredentialRun, kind: 'license' | 'dea' | 'malpractice', stateCode?: string): CredentialItem {
  if (kind === 'license') {
    const licenses = run.items.filter((i) => i.kind === 'license');
    const match = stateCode ? licenses.find((l) => l.state === stateCode) : licenses.length === 1 ? licenses[0] : undefined;
    if (!match) {
      if (!stateCode && licenses.length > 1) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider holds ${licenses.length} state licenses: name the state`);
      throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${run.state.npi} has no ${stateCode ? `${stateCode} ` : ''}state license on file`);
    }
    return match;
  }
  const item = find(run, kind);
  if (!item) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${run.state.npi} has no ${itemLabel({ kind })} on file`);
  return item;
}

function effectiveEnrollment(run: CredentialRun, payerId: string): CredentialItem {
  const item = find(run, itemKeyFor('enrollment', payerId));
  if (!item || !item.effectiveDate) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${run.state.npi} is not enrolled with ${payerId}`);
  return item;
}
