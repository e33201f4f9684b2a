/**
 * claimWorkflow: one per claim (`claim:<claimId>`), from charge entry until every dollar is posted
 * or the claim is closed. Deterministic orchestration only: time from the workflow clock, side
 * effects through activities.
 */
import * as wf from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  claimStateQuery,
  type ClaimStatus,
  type ClaimWorkflowInput,
  type ClaimWorkflowState,
} from '../contracts/claim';
import { CptCodes, PayerId, PracticeId, ProviderNpi, RcmKind, RcmStatus, DollarsAtRisk } from '../contracts/search-attributes';

const db = wf.proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

export async function claimWorkflow(input: ClaimWorkflowInput): Promise<ClaimWorkflowState> {
  const { claim } = input;
  const billedCents = claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
  const state: ClaimWorkflowState = {
    claimId: claim.claimId,
    status: 'charge_entered',
    version: 1,
    waitingFor: 'recording the charge',
    history: [],
  };
  wf.setHandler(claimStateQuery, () => state);

  const transition = async (status: ClaimStatus, actor: string, note?: string) => {
    const from = state.status;
    state.status = status;
    const at = new Date().toISOString(); // workflow clock: deterministic on replay
    state.history.push({ at, status, actor, note });
    wf.upsertSearchAttributes([{ key: RcmStatus, value: status }]);
    await db.recordClaimEvent({
      claimId: claim.claimId,
      idempotencyKey: `${wf.workflowInfo().workflowId}:${state.history.length}:${status}`,
      at,
      actor,
      fromStatus: from,
      toStatus: status,
      note,
    });
  };

  wf.upsertSearchAttributes([
    { key: RcmKind, value: 'claim' },
    { key: RcmStatus, value: state.status },
    { key: PracticeId, value: claim.practiceId },
    { key: PayerId, value: claim.payerId },
    { key: ProviderNpi, value: claim.renderingNpi },
    { key: CptCodes, value: [...new Set(claim.lines.map((l) => l.cpt))] },
    { key: DollarsAtRisk, value: billedCents / 100 },
  ]);

  await db.recordClaim({ claim, enteredAt: input.enteredAt, actor: input.actor, workflowId: wf.workflowInfo().workflowId });
  state.history.push({ at: input.enteredAt, status: 'charge_entered', actor: input.actor });
  state.waitingFor = 'scrub';
  await transition('scrubbed', 'system');
  state.waitingFor = 'closing';
  await wf.condition(() => (state.status as ClaimStatus) === 'closed');
  return state;
}
