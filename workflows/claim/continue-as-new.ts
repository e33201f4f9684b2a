/**
 * Bounded history: at the top of the claim's loop (nothing half done), once the run's history is
 * long (a claim held and re-checked daily for months, many corrections), the claim continues as
 * new carrying its one state object. Updates wait for the new run (the server routes them there).
 */
import * as wf from '@temporalio/workflow';
import { CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS } from '../../contracts/claim';
import type { claimWorkflow } from '../claim';
import { hasMessages } from '../inbox';
import { flushClaimWrites } from './activities';
import { log, type ClaimRun } from './run';
import { handOver } from './state';
import { patched } from './patches';

export async function continueAsNewIfLong(run: ClaimRun): Promise<void> {
  const { c, input } = run;
  const info = wf.workflowInfo();
  const limit = input.continueAsNewAfterEvents ?? CLAIM_CONTINUE_AS_NEW_AFTER_EVENTS;
  if (!info.continueAsNewSuggested && info.historyLength < limit) return;
  if (!patched('claim-continue-as-new')) return;
  await flushClaimWrites();
  await wf.condition(wf.allHandlersFinished);
  if (hasMessages(c.inbox) || c.correction || c.appeal || c.closeRequest) return; // a message arrived: handle it first, hand over later
  log(run, c.state.status, 'system', `continued as new after ${info.historyLength} history events (run ${c.runs + 1})`);
  await flushClaimWrites();
  await wf.continueAsNew<typeof claimWorkflow>({ ...input, claim: input.claim, carried: handOver(c) });
}
