/**
 * bench:claims' yardstick (issue 16): a bare workflow with the clean claim's shape and nothing else:
 * 20 no-op activities and 2 signals (the payer's acknowledgement and remittance, sent by the
 * `send` activity the way the payer simulator answers an 837P). No state, no search attributes.
 * Bench-only: bundled for its own worker on its own task queue, never part of workers/worker.ts.
 */
import * as wf from '@temporalio/workflow';
import type { BareActivities } from './activities';

const act = wf.proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });
export const ackSignal = wf.defineSignal('ack');
export const remitSignal = wf.defineSignal('remit');

export async function bareWorkflow(): Promise<number> {
  let acked = false;
  let remitted = false;
  wf.setHandler(ackSignal, () => void (acked = true));
  wf.setHandler(remitSignal, () => void (remitted = true));
  let done = 0;
  // before the 837P: record, policy, scrub, summaries, status events
  for (let i = 0; i < 6; i++) done += await act.noop(i);
  await act.send(wf.workflowInfo().workflowId); // the 837P: both answers follow
  done += 1;
  for (let i = 0; i < 3; i++) done += await act.noop(i);
  await wf.condition(() => acked);
  for (let i = 0; i < 3; i++) done += await act.noop(i);
  await wf.condition(() => remitted);
  for (let i = 0; i < 7; i++) done += await act.noop(i);
  return done; // 20
}
