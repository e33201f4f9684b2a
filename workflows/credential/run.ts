/**
 * One run of a provider's credential workflow: its state, its credential items, the changes not yet
 * written (the inbox's counters: a staff change is noted, the loop marks what it wrote), and the
 * small helpers the handlers and the loop share.
 */
import * as wf from '@temporalio/workflow';
import type { CredentialWorkflowState } from '../../contracts/credential';
import { credentialStatusOn, itemLabel, providerStatus, pruneFired, ruleIdFor, type CredentialItem, type resolvePolicy } from '../../domain/credentials';
import { note, type Inbox } from '../inbox';

export const HISTORY_KEPT = 100;

export type CredentialRun = {
  state: CredentialWorkflowState;
  items: CredentialItem[];
  policy: ReturnType<typeof resolvePolicy>;
  /** Items changed since they were last written (their superseded work items close). */
  dirty: Set<string>;
  /** Staff changes: `received` is state.version; `applied` the version the loop has written. */
  inbox: Inbox<never>;
};

export const refuse = (type: string, message: string) => wf.ApplicationFailure.nonRetryable(message, type);
export const today = () => new Date().toISOString().slice(0, 10); // workflow clock: deterministic on replay
export const now = () => new Date().toISOString();

export function log(run: CredentialRun, event: string, actor: string, itemKey?: string, noteText?: string) {
  const { state } = run;
  state.history.push({ at: now(), itemKey, event, actor, note: noteText });
  if (state.history.length > HISTORY_KEPT) state.history.splice(0, state.history.length - HISTORY_KEPT);
}

export function refreshView(run: CredentialRun) {
  const d = today();
  run.state.items = run.items.map((item) => ({ ...item, label: itemLabel(item), status: credentialStatusOn(item, d), ruleId: ruleIdFor(item.kind) }));
  run.state.status = providerStatus(run.state.items.map((i) => i.status));
}

export const find = (run: CredentialRun, key: string) => run.items.find((i) => i.key === key);

/** Apply a staff change, wake the loop, and answer once the loop has written it. */
export async function accepted(run: CredentialRun, itemKey: string, event: string, actor: string | undefined, noteText?: string): Promise<CredentialWorkflowState> {
  const item = find(run, itemKey)!;
  pruneFired(item, run.policy);
  run.dirty.add(itemKey);
  log(run, event, actor ?? 'staff', itemKey, noteText);
  run.state.version = note(run.inbox);
  const mine = run.state.version;
  refreshView(run);
  await wf.condition(() => run.inbox.applied >= mine);
  return run.state;
}
