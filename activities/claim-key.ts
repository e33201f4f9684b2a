/**
 * A claim's key in the read model: (practice_id, claim_id) — claim ids are unique per practice
 * (issue 13). Workflows pass `practiceId` with the claim id; an activity task scheduled before that
 * (a workflow that was mid-step during the upgrade) has only the claim id: its claim is then the one
 * whose workflow runs the activity (claims.workflow_id), else the one claim with that id.
 */
import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';

export type ClaimKey = { practice_id: string; claim_id: string };

export async function claimKey(db: Knex, input: { claimId: string; practiceId?: string }): Promise<ClaimKey> {
  if (input.practiceId) return { practice_id: input.practiceId, claim_id: input.claimId };
  let workflowId: string | undefined;
  try {
    workflowId = Context.current().info.workflowExecution?.workflowId;
  } catch {
    workflowId = undefined; // called outside an activity
  }
  const q = db('claims').where({ claim_id: input.claimId });
  const byWorkflow = workflowId ? await q.clone().where({ workflow_id: workflowId }).first('practice_id') : undefined;
  const row = byWorkflow ?? (await q.orderBy('created_at').first('practice_id'));
  // No row: an id no claim has; the practice matches nothing either.
  return { practice_id: (row?.practice_id as string | undefined) ?? '', claim_id: input.claimId };
}
