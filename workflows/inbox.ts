/**
 * The one way a workflow receives messages (claim, authorization, eligibility, credential).
 *
 * Signal and Update handlers only deliver: they put the message in the workflow's inbox, which is
 * plain JSON inside the workflow's state, with a sequence number. The workflow's single loop takes
 * messages in arrival order, applies them, and marks each applied. An Update that must answer after
 * its message took effect waits for `applied >= seq` (`deliverAndWait`). Nothing is applied inside a
 * handler, so two messages that land in the same workflow task are applied one after the other by
 * the same code, in the order they arrived, never interleaved with a step of the loop.
 *
 * A workflow whose handlers change its state directly (credentials) uses the counters alone: a
 * change is `note`d (received + 1) and the loop marks what it has written with `markApplied`.
 */
import * as wf from '@temporalio/workflow';
import type { Inbox } from '../contracts/inbox';

export type { Inbox };

export const emptyInbox = <M>(): Inbox<M> => ({ received: 0, applied: 0, messages: [] });

/** Put a message in the inbox; its sequence number. */
export function deliver<M extends object>(inbox: Inbox<M>, message: M): number {
  const seq = ++inbox.received;
  inbox.messages.push({ ...message, seq });
  return seq;
}

/** Put a message in the inbox and wait until the loop has applied it. */
export async function deliverAndWait<M extends object>(inbox: Inbox<M>, message: M): Promise<void> {
  const seq = deliver(inbox, message);
  await wf.condition(() => inbox.applied >= seq);
}

/** A change made directly to the state (no message body): its sequence number. */
export function note(inbox: Inbox<never>): number {
  return ++inbox.received;
}

/** The oldest message not yet taken, or undefined. */
export function take<M>(inbox: Inbox<M>): (M & { seq: number }) | undefined {
  return inbox.messages.shift();
}

/** Everything up to `seq` has taken effect: Updates waiting for it answer. */
export function markApplied(inbox: Inbox<unknown>, seq: number): void {
  if (seq > inbox.applied) inbox.applied = seq;
}

export const hasMessages = (inbox: Inbox<unknown>): boolean => inbox.messages.length > 0;

/** Something arrived that the loop has not taken into account yet. */
export const hasUnapplied = (inbox: Inbox<unknown>): boolean => inbox.received > inbox.applied;
