/**
 * A deliberately INCOMPATIBLE `claimWorkflow` for the negative check in
 * workflows/replay.int.test.ts: registered under the same name, it schedules a different first
 * command (a timer, where the real workflow first upserts search attributes and records the
 * charge), exactly the kind of unpatched change that breaks every running claim. Replaying a
 * recorded claim history against it must throw a DeterminismViolationError; if it does not, the
 * replay test cannot catch anything. Never exported from workflows/index.ts.
 */
import { sleep } from '@temporalio/workflow';

export async function claimWorkflow(): Promise<void> {
  await sleep('1 day');
}
