/**
 * One run of a claim: its state object and the small effects every step uses (timeline, status,
 * search attributes, deadlines as durable timers, work items, the read-model summary), and the
 * wait that fires due deadlines and applies the inbox while the claim waits for something.
 */
import * as wf from '@temporalio/workflow';
import type { ClaimStatus, ClaimTimer, ClaimWorkflowInput } from '../../contracts/claim';
import { DenialCategory, DollarsAtRisk, NextDeadline, RcmStatus } from '../../contracts/search-attributes';
import { hasMessages, markApplied, take } from '../inbox';
import { dayBounds } from '../deadlines';
import { db, flushClaimWrites, upsertClaimSearchAttributes, type Activities } from './activities';
import { describeWait, dollarsAtRiskCents, startOf, type ClaimState } from './state';
import { onTimer } from './deadlines';
import { onAck, onWorkItem } from './answers';
import { onRemittance } from './remittance';

export type ClaimRun = {
  input: ClaimWorkflowInput;
  workflowId: string;
  /** The claim's whole state (plain JSON; what continue-as-new carries). */
  c: ClaimState;
  /** The search attributes this run last wrote (not claim state: a new run writes them again). */
  lastSearchAttributes: string;
};

export function log(run: ClaimRun, status: ClaimStatus, actor: string, note?: string) {
  run.c.state.history.push({ at: new Date().toISOString(), status, actor, note });
}

export async function setStatus(run: ClaimRun, status: ClaimStatus, actor = 'system', note?: string) {
  const s = run.c.state;
  const from = s.status;
  s.status = status;
  log(run, status, actor, note);
  refreshSearchAttributes(run);
  await db.recordClaimEvent({
    claimId: s.claimId,
    practiceId: run.c.claim.practiceId,
    idempotencyKey: `${run.workflowId}:${s.history.length}:${status}`,
    at: new Date().toISOString(),
    actor,
    fromStatus: from,
    toStatus: status,
    note,
  });
}

export const nextPendingTimer = (run: ClaimRun): ClaimTimer | undefined =>
  run.c.state.timers.filter((t) => t.state === 'pending').sort((a, b) => a.at.localeCompare(b.at))[0];

export function refreshSearchAttributes(run: ClaimRun) {
  const s = run.c.state;
  const next = nextPendingTimer(run);
  s.nextDeadline = next ? { ruleId: next.ruleId, label: next.label, at: next.at } : undefined;
  const atRisk = dollarsAtRiskCents(run.c);
  const denialCategory = s.status === 'denied' || s.status === 'appealed' ? s.denial?.category : undefined;
  const fingerprint = `${s.status}|${atRisk}|${next?.at ?? ''}|${denialCategory ?? ''}`;
  if (fingerprint !== run.lastSearchAttributes) {
    run.lastSearchAttributes = fingerprint;
    upsertClaimSearchAttributes([
      { key: RcmStatus, value: s.status },
      { key: DollarsAtRisk, value: atRisk / 100 },
      { key: NextDeadline, value: next ? new Date(next.at) : null },
      { key: DenialCategory, value: denialCategory ?? null },
    ]);
  }
  s.waitingFor = describeWait(run.c);
  wf.setCurrentDetails(`**${s.status}** — ${s.waitingFor}${s.nextDeadline ? `\n\nNext deadline: ${s.nextDeadline.label} (${s.nextDeadline.at.slice(0, 10)})` : ''}`);
}

/**
 * A deadline: a date (its instant is the start of that date: in the practice's zone for claims
 * started since 'deadlines-in-practice-zone', placed by `zoneTimers` before it is used; before, 00:00
 * UTC) or an instant in epoch ms.
 */
export function addTimer(run: ClaimRun, id: string, ruleId: string, label: string, at: string | number) {
  const when = typeof at === 'number' ? new Date(at).toISOString() : new Date(startOf(at)).toISOString();
  const zone = typeof at === 'string' && run.c.zoneDeadlines ? { date: at, zoned: false } : {};
  const existing = run.c.state.timers.find((t) => t.id === id);
  if (existing) {
    existing.at = when;
    existing.state = 'pending';
    existing.label = label;
    if (zone.date) Object.assign(existing, zone);
  } else {
    run.c.state.timers.push({ id, ruleId, label, at: when, state: 'pending', ...zone });
  }
}

/** Issue 13: place the dates of new deadlines in the practice's zone, all at once (one recorded local activity). */
export async function zoneTimers(run: ClaimRun) {
  if (!run.c.zoneDeadlines) return;
  const unplaced = run.c.state.timers.filter((t) => t.state === 'pending' && t.zoned === false && t.date);
  if (!unplaced.length) return;
  const bounds = await dayBounds(run.c.claim.practiceId, unplaced.map((t) => t.date!));
  for (const t of unplaced) {
    t.at = bounds.get(t.date!)!.start;
    t.zoned = true;
  }
}

/** Place new deadlines with day bounds already recorded (since 'claim-steps-merged'); a date not among them is left to `zoneTimers`. */
export function placeTimers(run: ClaimRun, days: Array<{ date: string; start: string }>) {
  if (!run.c.zoneDeadlines) return;
  const starts = new Map(days.map((d) => [d.date, d.start]));
  for (const t of run.c.state.timers) {
    const start = t.state === 'pending' && t.zoned === false && t.date ? starts.get(t.date) : undefined;
    if (start === undefined) continue;
    t.at = start;
    t.zoned = true;
  }
}

export function cancelTimers(run: ClaimRun, pred: (t: ClaimTimer) => boolean) {
  for (const t of run.c.state.timers) if (t.state === 'pending' && pred(t)) t.state = 'cancelled';
}

export async function workItem(run: ClaimRun, key: string, kind: string, ruleId: string, title: string, dueDate: string | undefined, detail: Record<string, unknown> = {}) {
  const { c, workflowId } = run;
  return db.openWorkItem({
    idempotencyKey: `${workflowId}:${key}`,
    practiceId: c.claim.practiceId,
    kind,
    ruleId,
    entityType: 'claim',
    entityId: c.state.claimId,
    workflowId,
    title,
    detail: { claimId: c.state.claimId, payerId: c.claim.payerId, ...detail },
    dueDate,
    dollarsAtRiskCents: dollarsAtRiskCents(c),
  });
}

export async function summary(run: ClaimRun, extra: Omit<Parameters<Activities['updateClaimSummary']>[0], 'practiceId'> = { claimId: run.c.state.claimId }) {
  await zoneTimers(run);
  refreshSearchAttributes(run);
  const s = run.c.state;
  await db.updateClaimSummary({
    ...extra,
    claimId: s.claimId,
    practiceId: run.c.claim.practiceId,
    nextDeadline: s.nextDeadline ? { at: s.nextDeadline.at, ruleId: s.nextDeadline.ruleId } : null,
    dollarsAtRiskCents: dollarsAtRiskCents(run.c),
  });
}

/** Wait until `ready()` holds, firing due deadlines and applying received messages meanwhile. */
export async function waitUntil(run: ClaimRun, ready: () => boolean): Promise<void> {
  for (;;) {
    await fireDueTimers(run);
    await applyInbox(run);
    if (ready()) return;
    const next = nextPendingTimer(run);
    const wake = () => hasMessages(run.c.inbox) || ready();
    await flushClaimWrites(); // since 'claim-db-local': the step's writes and search attributes, before the claim sleeps
    if (next === undefined) await wf.condition(wake);
    // The durable timer carries the rule in its summary, so the Web UI shows what the claim waits for.
    else await wf.condition(wake, Math.max(1, Date.parse(next.at) - Date.now()), { summary: next.label });
  }
}

export async function fireDueTimers(run: ClaimRun) {
  await zoneTimers(run);
  for (;;) {
    const due = run.c.state.timers.filter((t) => t.state === 'pending' && Date.parse(t.at) <= Date.now()).sort((a, b) => a.at.localeCompare(b.at))[0];
    if (!due) return;
    due.state = 'fired';
    await onTimer(run, due);
    await summary(run);
  }
}

/** Apply every received signal, in arrival order. */
export async function applyInbox(run: ClaimRun) {
  const c = run.c;
  for (let m = take(c.inbox); m; m = take(c.inbox)) {
    if (m.type === 'ack') await onAck(run, m.ack);
    else if (m.type === 'remittance') await onRemittance(run, m.delivery);
    else if (m.type === 'workItem') await onWorkItem(run, m.completion);
    else if (m.type === 'credential' && c.state.status === 'held') c.needsResubmission = true;
    markApplied(c.inbox, m.seq);
  }
  await summary(run);
}
