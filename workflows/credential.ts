/**
 * providerCredentialWorkflow: one per provider (`credential:<npi>`), for the provider's whole tenure
 * (CRED-1…7). It never ends: it waits with one durable timer for the nearest credential milestone
 * (renewal start, escalation, CAQH reminder, lapse, enrollment effective…), acts on it through
 * activities (work items, the `credentials` read model, `credentialChanged` to held claims), and
 * waits again. Staff actions are Updates (credential/handlers.ts) that change an item and note the
 * change in the shared inbox's counters (workflows/inbox.ts), which wakes the loop, so the timer is
 * re-armed without restarting; each Update answers once the loop has written its change.
 * Continue-as-new carries the state as plain JSON.
 *
 * Deterministic: time is the workflow clock, dates are `YYYY-MM-DD` computed with domain helpers.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
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
  recredentialingDueDate,
  resolvePolicy,
  type CredentialItem,
  type Milestone,
} from '../domain/credentials';
import { markApplied } from './inbox';
import { instantOf } from './deadlines';
import { registerCredentialHandlers } from './credential/handlers';
import { find, log, now, refreshView, today, type CredentialRun } from './credential/run';

// An outage delays a credential's timeline, never fails it (contracts/activity-policies.ts).
const acts = wf.proxyActivities<
  Pick<ReturnType<typeof createActivities>, 'recordProvider' | 'openCredentialWorkItem' | 'closeCredentialWorkItems' | 'writeCredentialStatuses' | 'signalHeldClaims'>
>(DATABASE_ACTIVITY);

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
  let lastNextDeadline: string | undefined;

  // Staff changes are noted in the inbox; the first pass writes everything.
  const run: CredentialRun = { state, items, policy, dirty, inbox: { received: state.version, applied: state.version - 1, messages: [] } };
  registerCredentialHandlers(run);

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
    const versionSeen = run.inbox.received;
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
        log(run, m.action, 'system', item.key, m.title);
      }
      for (const m of skipped) item.fired.push(m.id);
      if (act.some((m) => m.action === 'effective')) dirty.add(item.key);
    }

    for (const key of [...dirty]) {
      const item = find(run, key);
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
      if (signalled.held) log(run, 'held_claims_signalled', 'system', undefined, `${signalled.signalled} of ${signalled.held} held claim(s) signalled`);
    }
    refreshView(run);

    const next = nextMilestone(items, d, policy);
    // The milestone's date begins where the practice is (recorded; before the patch 00:00 UTC).
    const nextAt = next ? await instantOf(state.practiceId, next.date, 'start') : undefined;
    state.nextDeadline = next
      ? { ruleId: next.ruleId, itemKey: next.itemKey, label: next.title, date: next.date, at: nextAt!, action: next.action }
      : undefined;
    state.waitingFor = next ? `${next.date}: ${next.title}` : 'a staff action (no credential deadline ahead)';
    // Written, next deadline planned: the staff actions seen so far answer now.
    markApplied(run.inbox, versionSeen);
    wf.setCurrentDetails(
      [
        `**Next:** ${state.waitingFor}`,
        '',
        ...state.items.map((i) => `- ${i.ruleId} ${i.label}: ${i.status}${i.expiryDate ? `, ${i.kind === 'caqh' ? 'due' : 'expires'} ${i.expiryDate}` : ''}${i.kind === 'enrollment' && i.effectiveDate ? `, effective ${i.effectiveDate}` : ''}`),
      ].join('\n'),
    );
    const updates: Parameters<typeof wf.upsertSearchAttributes>[0] = [{ key: RcmStatus, value: state.status }];
    if (state.nextDeadline?.at !== lastNextDeadline) {
      updates.push({ key: NextDeadline, value: nextAt ? new Date(nextAt) : null });
      lastNextDeadline = state.nextDeadline?.at;
    }
    wf.upsertSearchAttributes(updates);

    const historyLength = wf.workflowInfo().historyLength;
    const historyLimitReached = input.maxHistoryEventsBeforeContinueAsNew !== undefined && historyLength >= input.maxHistoryEventsBeforeContinueAsNew;
    if ((wf.workflowInfo().continueAsNewSuggested || historyLimitReached) && run.inbox.received === versionSeen) {
      await wf.condition(() => wf.allHandlersFinished() || run.inbox.received !== versionSeen);
      if (run.inbox.received === versionSeen) {
        state.continuedAsNew++;
        log(run, 'continued_as_new', 'system', undefined, `after ${historyLength} history events`);
        const handOver: CredentialCarriedState = { state, written, dirty: [...dirty] };
        await wf.continueAsNew<typeof providerCredentialWorkflow>({ ...input, carried: handOver });
      }
    }

    if (run.inbox.received !== versionSeen) continue; // a staff action arrived while we were writing
    if (!next) {
      await wf.condition(() => run.inbox.received !== versionSeen);
      continue;
    }
    const ms = Date.parse(nextAt!) - Date.now();
    if (ms > 0) await wf.condition(() => run.inbox.received !== versionSeen, ms, { summary: `${next.ruleId} ${next.title}` });
  }
}
