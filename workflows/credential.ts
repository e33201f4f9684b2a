/**
 * providerCredentialWorkflow: one per provider (`credential:<npi>`), for the provider's whole tenure
 * (CRED-1…7). It never ends: it waits with one durable timer for the nearest credential milestone
 * (renewal start, escalation, CAQH reminder, lapse, enrollment effective…), acts on it through
 * activities (work items, the `credentials` read model, `credentialChanged` to held claims), and
 * waits again. Staff actions are Updates that change an item and wake the loop (`condition`), so
 * the timer is re-armed without restarting. Continue-as-new carries the state as plain JSON.
 *
 * Deterministic: time is the workflow clock, dates are `YYYY-MM-DD` computed with domain helpers.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  answerRecredentialingNoticeUpdate,
  credentialStateQuery,
  recordCaqhAttestationUpdate,
  recordEnrollmentUpdate,
  recordRecredentialingNoticeUpdate,
  renewCredentialUpdate,
  CREDENTIAL_REFUSALS,
  type CredentialCarriedState,
  type CredentialWorkflowState,
  type ProviderCredentialWorkflowInput,
} from '../contracts/credential';
import { NextDeadline, PracticeId, ProviderNpi, RcmKind, RcmStatus } from '../contracts/search-attributes';
import { DATABASE_ACTIVITY } from '../contracts/activity-policies';
import {
  caqhDueDate,
  credentialStatusOn,
  dueMilestones,
  itemKeyFor,
  itemLabel,
  milestonesFor,
  nextMilestone,
  providerStatus,
  pruneFired,
  recredentialingDueDate,
  resolvePolicy,
  ruleIdFor,
  type CredentialItem,
  type Milestone,
} from '../domain/credentials';

// An outage delays a credential's timeline, never fails it (contracts/activity-policies.ts).
const acts = wf.proxyActivities<ReturnType<typeof createActivities>>(DATABASE_ACTIVITY);

const HISTORY_KEPT = 100;

const WORK_ITEM_KIND: Record<Milestone['action'], string | undefined> = {
  renewal_start: 'credential_renewal',
  escalation: 'credential_escalation',
  reminder: 'credential_reminder',
  lapse: 'credential_lapse',
  effective: undefined,
  enrollment_start: 'credential_enrollment',
  recredentialing_start: 'credential_recredentialing',
  notice: 'credential_recredentialing_notice',
};

const refuse = (type: string, message: string) => wf.ApplicationFailure.nonRetryable(message, type);

/** Items from the provider as added (POST /api/providers). */
function initialItems(input: ProviderCredentialWorkflowInput, today: string, policy: ReturnType<typeof resolvePolicy>): CredentialItem[] {
  const c = input.credentials;
  const items: CredentialItem[] = [];
  for (const l of c.licenses ?? []) {
    items.push({ key: itemKeyFor('license', l.state), kind: 'license', state: l.state, identifier: l.number, issueDate: l.issueDate, expiryDate: l.expiryDate, documentRef: l.documentRef, fired: [] });
  }
  if (c.dea) items.push({ key: 'dea', kind: 'dea', identifier: c.dea.number, issueDate: c.dea.issueDate, expiryDate: c.dea.expiryDate, documentRef: c.dea.documentRef, fired: [] });
  if (c.malpractice) {
    const m = c.malpractice;
    items.push({ key: 'malpractice', kind: 'malpractice', identifier: m.policyNumber, effectiveDate: m.effectiveDate, expiryDate: m.expiryDate, documentRef: m.documentRef, fired: [] });
  }
  if (c.caqh) {
    items.push({ key: 'caqh', kind: 'caqh', identifier: c.caqh.caqhId, lastAttestationDate: c.caqh.lastAttestationDate, expiryDate: caqhDueDate(c.caqh.lastAttestationDate, policy), fired: [] });
  }
  for (const e of c.enrollments ?? []) {
    items.push({
      key: itemKeyFor('enrollment', e.payerId),
      kind: 'enrollment',
      payerId: e.payerId,
      identifier: e.payerProviderId,
      effectiveDate: e.effectiveDate,
      recredentialingDueDate: e.recredentialingDueDate ?? (e.effectiveDate ? recredentialingDueDate(e.effectiveDate, policy) : undefined),
      requestedDate: today,
      firstBillingDate: input.firstBillingDate,
      fired: [],
    });
  }
  return items;
}

export async function providerCredentialWorkflow(input: ProviderCredentialWorkflowInput): Promise<void> {
  const policy = resolvePolicy(input.policy);
  const info = wf.workflowInfo();
  const today = () => new Date().toISOString().slice(0, 10); // workflow clock: deterministic on replay
  const now = () => new Date().toISOString();

  const carried: CredentialCarriedState | undefined = input.carried;
  const state: CredentialWorkflowState = carried?.state ?? {
    npi: input.npi,
    practiceId: input.practiceId,
    name: input.name,
    specialty: input.specialty,
    firstBillingDate: input.firstBillingDate,
    status: 'pending',
    items: [],
    waitingFor: 'recording the provider',
    history: [{ at: now(), event: 'provider_added', actor: input.actor }],
    version: 1,
    continuedAsNew: 0,
  };
  const items: CredentialItem[] = carried
    ? state.items.map(({ label: _l, status: _s, ruleId: _r, ...item }) => item)
    : initialItems(input, today(), policy);
  const written: Record<string, string> = { ...(carried?.written ?? {}) };
  const dirty = new Set<string>(carried?.dirty ?? []);
  let writtenVersion = state.version - 1; // the first pass writes everything
  let lastNextDeadline: string | undefined;

  const log = (event: string, actor: string, itemKey?: string, note?: string) => {
    state.history.push({ at: now(), itemKey, event, actor, note });
    if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
  };
  const refreshView = () => {
    const d = today();
    state.items = items.map((item) => ({ ...item, label: itemLabel(item), status: credentialStatusOn(item, d), ruleId: ruleIdFor(item.kind) }));
    state.status = providerStatus(state.items.map((i) => i.status));
  };
  const find = (key: string) => items.find((i) => i.key === key);

  /** Apply a staff change, wake the loop, and answer once the loop has written it. */
  const accepted = async (itemKey: string, event: string, actor: string | undefined, note?: string): Promise<CredentialWorkflowState> => {
    const item = find(itemKey)!;
    pruneFired(item, policy);
    dirty.add(itemKey);
    log(event, actor ?? 'staff', itemKey, note);
    state.version++;
    const mine = state.version;
    refreshView();
    await wf.condition(() => writtenVersion >= mine);
    return state;
  };

  wf.setHandler(credentialStateQuery, () => state);

  // ---- Staff actions (validators refuse; handlers change one item) --------------------------------

  const renewalTarget = (kind: 'license' | 'dea' | 'malpractice', stateCode?: string): CredentialItem => {
    if (kind === 'license') {
      const licenses = items.filter((i) => i.kind === 'license');
      const match = stateCode ? licenses.find((l) => l.state === stateCode) : licenses.length === 1 ? licenses[0] : undefined;
      if (!match) {
        if (!stateCode && licenses.length > 1) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider holds ${licenses.length} state licenses: name the state`);
        throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${state.npi} has no ${stateCode ? `${stateCode} ` : ''}state license on file`);
      }
      return match;
    }
    const item = find(kind);
    if (!item) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${state.npi} has no ${itemLabel({ kind })} on file`);
    return item;
  };

  wf.setHandler(
    renewCredentialUpdate,
    async (input) => {
      const item = renewalTarget(input.kind, input.state);
      const previous = item.expiryDate;
      item.expiryDate = input.expiryDate;
      item.documentRef = input.documentRef;
      if (input.identifier) item.identifier = input.identifier;
      return accepted(item.key, 'renewed', input.actor, `expiry ${previous} → ${input.expiryDate} (${input.documentRef})`);
    },
    {
      validator: (input) => {
        const item = renewalTarget(input.kind, input.state);
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
      const item = find('caqh')!;
      item.lastAttestationDate = input.attestationDate;
      item.expiryDate = caqhDueDate(input.attestationDate, policy);
      if (input.documentRef) item.documentRef = input.documentRef;
      return accepted('caqh', 'attested', input.actor, `attested ${input.attestationDate}; next due ${item.expiryDate}`);
    },
    {
      validator: (input) => {
        const item = find('caqh');
        if (!item) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${state.npi} has no CAQH profile on file`);
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
      let item = find(key);
      if (!item) {
        item = { key, kind: 'enrollment', payerId: input.payerId, requestedDate: today(), firstBillingDate: state.firstBillingDate, fired: [] };
        items.push(item);
      }
      if (input.effectiveDate) {
        const sameEffective = item.effectiveDate === input.effectiveDate;
        item.effectiveDate = input.effectiveDate;
        item.recredentialingDueDate =
          input.recredentialingDueDate ?? (sameEffective && item.recredentialingDueDate ? item.recredentialingDueDate : recredentialingDueDate(input.effectiveDate, policy));
      }
      if (input.payerProviderId) item.identifier = input.payerProviderId;
      if (input.documentRef) item.documentRef = input.documentRef;
      const note = input.effectiveDate ? `effective ${item.effectiveDate}; re-credentialing due ${item.recredentialingDueDate}` : 'enrollment started';
      return accepted(key, 'enrollment_recorded', input.actor, note);
    },
    {
      validator: (input) => {
        const item = find(itemKeyFor('enrollment', input.payerId));
        if (!input.effectiveDate && item) throw refuse(CREDENTIAL_REFUSALS.Conflict, `an enrollment with ${input.payerId} is already ${item.effectiveDate ? 'on file' : 'in progress'}`);
        if (input.recredentialingDueDate && !input.effectiveDate) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, 'a re-credentialing due date needs an effective date');
        if (input.recredentialingDueDate && input.effectiveDate && input.recredentialingDueDate <= input.effectiveDate) {
          throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `re-credentialing due date ${input.recredentialingDueDate} is not after the effective date ${input.effectiveDate}`);
        }
      },
    },
  );

  const effectiveEnrollment = (payerId: string): CredentialItem => {
    const item = find(itemKeyFor('enrollment', payerId));
    if (!item || !item.effectiveDate) throw refuse(CREDENTIAL_REFUSALS.NotHeld, `provider ${state.npi} is not enrolled with ${payerId}`);
    return item;
  };

  wf.setHandler(
    recordRecredentialingNoticeUpdate,
    async (input) => {
      const item = effectiveEnrollment(input.payerId);
      item.notice = { receivedDate: input.receivedDate, respondBy: input.respondBy };
      return accepted(item.key, 'recredentialing_notice', input.actor, `received ${input.receivedDate}; respond by ${input.respondBy}`);
    },
    {
      validator: (input) => {
        const item = effectiveEnrollment(input.payerId);
        if (item.notice && !item.notice.answeredDate) throw refuse(CREDENTIAL_REFUSALS.Conflict, `a notice from ${input.payerId} received ${item.notice.receivedDate} is still unanswered`);
        if (input.receivedDate > today()) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `received date ${input.receivedDate} is in the future`);
        if (input.respondBy < input.receivedDate) throw refuse(CREDENTIAL_REFUSALS.InvalidDates, `respond-by ${input.respondBy} is before the received date ${input.receivedDate}`);
      },
    },
  );

  wf.setHandler(
    answerRecredentialingNoticeUpdate,
    async (input) => {
      const item = effectiveEnrollment(input.payerId);
      item.notice = { ...item.notice!, answeredDate: input.answeredDate, documentRef: input.documentRef };
      if (input.recredentialingDueDate) item.recredentialingDueDate = input.recredentialingDueDate;
      return accepted(item.key, 'recredentialing_notice_answered', input.actor, `answered ${input.answeredDate} (${input.documentRef})`);
    },
    {
      validator: (input) => {
        const item = effectiveEnrollment(input.payerId);
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

  // ---- Search attributes that never change ------------------------------------------------------
  wf.upsertSearchAttributes([
    { key: RcmKind, value: 'credential' },
    { key: PracticeId, value: state.practiceId },
    { key: ProviderNpi, value: state.npi },
  ]);
  if (!carried) await acts.recordProvider({ npi: state.npi, practiceId: state.practiceId, name: state.name, specialty: state.specialty });

  /** The `credentials` rows the claim path reads. One row per (kind, payer): the first license listed is the primary one. */
  const rowsToWrite = () => {
    const d = today();
    const primaryLicense = items.find((i) => i.kind === 'license');
    return items
      .filter((i) => i.kind !== 'license' || i === primaryLicense)
      .map((i) => ({
        npi: state.npi,
        kind: i.kind,
        payerId: i.payerId ?? '',
        identifier: i.identifier,
        state: i.state,
        status: credentialStatusOn(i, d),
        effectiveDate: i.kind === 'caqh' ? i.lastAttestationDate : (i.effectiveDate ?? i.issueDate),
        expiryDate: i.kind === 'enrollment' ? i.recredentialingDueDate : i.expiryDate,
        documentRef: i.documentRef,
      }))
      .filter((row) => written[`${row.kind}:${row.payerId}`] !== JSON.stringify(row));
  };

  // ---- The loop: act on what is due, write what changed, wait for the nearest deadline -----------
  for (;;) {
    const versionSeen = state.version;
    const d = today();
    const at = now();

    for (const item of items) {
      const { act, skipped } = dueMilestones(item, d, policy);
      for (const m of act) {
        const kind = WORK_ITEM_KIND[m.action];
        if (kind) {
          await acts.openCredentialWorkItem({
            idempotencyKey: `${info.workflowId}:${m.id}`,
            practiceId: state.practiceId,
            npi: state.npi,
            workflowId: info.workflowId,
            kind,
            ruleId: m.ruleId,
            title: m.title,
            dueDate: m.dueDate,
            itemKey: item.key,
            milestoneId: m.id,
            priority: m.priority,
          });
        }
        item.fired.push(m.id);
        log(m.action, 'system', item.key, m.title);
      }
      for (const m of skipped) item.fired.push(m.id);
      if (act.some((m) => m.action === 'effective')) dirty.add(item.key);
    }

    for (const key of [...dirty]) {
      const item = find(key);
      if (item) {
        await acts.closeCredentialWorkItems({
          npi: state.npi,
          itemKey: key,
          keepMilestoneIds: milestonesFor(item, policy).map((m) => m.id),
          reason: `superseded: ${itemLabel(item)} updated`,
          at,
        });
      }
      dirty.delete(key);
    }

    const rows = rowsToWrite();
    if (rows.length) {
      await acts.writeCredentialStatuses({ rows, at });
      for (const row of rows) written[`${row.kind}:${row.payerId}`] = JSON.stringify(row);
      // CRED-7: held claims of this provider re-check their hold against the new statuses.
      const signalled = await acts.signalHeldClaims({ npi: state.npi, at });
      if (signalled.held) log('held_claims_signalled', 'system', undefined, `${signalled.signalled} of ${signalled.held} held claim(s) signalled`);
    }
    refreshView();
    writtenVersion = versionSeen;

    const next = nextMilestone(items, d, policy);
    state.nextDeadline = next
      ? { ruleId: next.ruleId, itemKey: next.itemKey, label: next.title, date: next.date, at: `${next.date}T00:00:00.000Z`, action: next.action }
      : undefined;
    state.waitingFor = next ? `${next.date}: ${next.title}` : 'a staff action (no credential deadline ahead)';
    wf.setCurrentDetails(
      [
        `**Next:** ${state.waitingFor}`,
        '',
        ...state.items.map((i) => `- ${i.ruleId} ${i.label}: ${i.status}${i.expiryDate ? `, ${i.kind === 'caqh' ? 'due' : 'expires'} ${i.expiryDate}` : ''}${i.kind === 'enrollment' && i.effectiveDate ? `, effective ${i.effectiveDate}` : ''}`),
      ].join('\n'),
    );
    const updates: Parameters<typeof wf.upsertSearchAttributes>[0] = [{ key: RcmStatus, value: state.status }];
    if (state.nextDeadline?.at !== lastNextDeadline) {
      updates.push({ key: NextDeadline, value: next ? new Date(`${next.date}T00:00:00.000Z`) : null });
      lastNextDeadline = state.nextDeadline?.at;
    }
    wf.upsertSearchAttributes(updates);

    const historyLength = wf.workflowInfo().historyLength;
    const historyLimitReached = input.maxHistoryEventsBeforeContinueAsNew !== undefined && historyLength >= input.maxHistoryEventsBeforeContinueAsNew;
    if ((wf.workflowInfo().continueAsNewSuggested || historyLimitReached) && state.version === versionSeen) {
      await wf.condition(() => wf.allHandlersFinished() || state.version !== versionSeen);
      if (state.version === versionSeen) {
        state.continuedAsNew++;
        log('continued_as_new', 'system', undefined, `after ${historyLength} history events`);
        const handOver: CredentialCarriedState = { state, written, dirty: [...dirty] };
        await wf.continueAsNew<typeof providerCredentialWorkflow>({ ...input, carried: handOver });
      }
    }

    if (state.version !== versionSeen) continue; // a staff action arrived while we were writing
    if (!next) {
      await wf.condition(() => state.version !== versionSeen);
      continue;
    }
    const ms = Date.parse(`${next.date}T00:00:00.000Z`) - Date.now();
    if (ms > 0) await wf.condition(() => state.version !== versionSeen, ms, { summary: `${next.ruleId} ${next.title}` });
  }
}
