/**
 * A workflow's inbox as it sits in the workflow's state (plain JSON): messages received and not yet
 * applied, with sequence numbers. The functions that use it are in workflows/inbox.ts.
 */
export type Inbox<M> = { received: number; applied: number; messages: Array<M & { seq: number }> };
