/**
 * Which claim `/api/claims/:claimId[?practiceId=]` names (issue 13: claim ids are unique per
 * practice). Resolved within the caller's practices, before the route runs (api/access.ts):
 *
 *  - `?practiceId=` selects the practice explicitly;
 *  - without it, the id held by exactly one of the caller's practices is that one; held by several
 *    → 409 naming them and asking for `practiceId`;
 *  - practices the caller cannot see count as not existing (never named in a 409); when only such
 *    practices hold the id: 404 on a read, 403 naming the practice on a write (as for any object of
 *    another practice).
 *
 * The claim's workflow id comes from the read model (claims.workflow_id: `claim:<claimId>` for
 * claims started before, `claim:<practiceId>:<claimId>` since). A claim just started has no row
 * yet: its workflow is looked up by id in each candidate practice (and under the old id).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Text } from '../domain/primitives';
import { WorkflowNotFoundError } from '@temporalio/client';
import { claimWorkflowId, legacyClaimWorkflowId } from '../contracts/claim';
import { PracticeId } from '../contracts/search-attributes';
import type { Access } from './access';
import { conflict, notFound } from './errors';

/** `?practiceId=`: which practice's claim, when the caller sees several holding the id (documented in the OpenAPI document). */
export const ClaimPracticeQuery = z.object({ practiceId: Text(64, 1).optional() });

export type ClaimRef = { practiceId: string; claimId: string; workflowId: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** The claim the URL names, resolved by authorizeRoute (routes with `entity: 'claim'`). */
    claimRef?: ClaimRef;
  }
}

/** The resolved claim of a route declared with `entity: 'claim'`. */
export function claimRefOf(request: FastifyRequest): ClaimRef {
  if (!request.claimRef) throw new Error(`route ${request.routeOptions.url} has no resolved claim (declare access.entity 'claim')`);
  return request.claimRef;
}

async function practiceOfWorkflow(app: FastifyInstance, workflowId: string): Promise<string | undefined> {
  try {
    const described = await app.temporal.workflow.getHandle(workflowId).describe();
    return described.typedSearchAttributes.get(PracticeId) ?? undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export async function resolveClaimRef(app: FastifyInstance, access: Access, claimId: string, practiceId: string | undefined, mode: 'read' | 'write'): Promise<ClaimRef> {
  const what = `claim ${claimId}`;
  const q = app.db('claims').where({ claim_id: claimId });
  if (practiceId) q.where({ practice_id: practiceId });
  const rows: Array<{ practice_id: string; workflow_id: string }> = await q.orderBy('practice_id').select('practice_id', 'workflow_id');
  let found = rows.filter((r) => access.canSee(r.practice_id)).map((r) => ({ practiceId: r.practice_id, claimId, workflowId: r.workflow_id }));
  if (!found.length && rows.length) {
    access.assertPractice(rows[0].practice_id, mode, what); // throws: another practice's claim
  }
  if (!found.length) {
    // Just started: the workflow exists, its read-model row not yet.
    const candidates = practiceId ? [practiceId] : access.allPractices ? ((await app.db('practices').orderBy('id').pluck('id')) as string[]) : (access.user.practiceIds as string[]);
    const [legacyPractice, ...current] = await Promise.all([
      practiceOfWorkflow(app, legacyClaimWorkflowId(claimId)),
      ...candidates.map((p) => practiceOfWorkflow(app, claimWorkflowId(p, claimId))),
    ]);
    found = candidates.filter((_, i) => current[i]).map((p) => ({ practiceId: p, claimId, workflowId: claimWorkflowId(p, claimId) }));
    if (legacyPractice && (!practiceId || legacyPractice === practiceId)) {
      if (access.canSee(legacyPractice)) found.push({ practiceId: legacyPractice, claimId, workflowId: legacyClaimWorkflowId(claimId) });
      else if (!found.length) access.assertPractice(legacyPractice, mode, what);
    }
  }
  if (!found.length) throw notFound(what);
  if (found.length > 1) {
    const practiceIds = found.map((f) => f.practiceId);
    throw conflict(`claim id ${claimId} exists in practices ${practiceIds.join(', ')}: add ?practiceId= to say which`, { claimId, practiceIds });
  }
  return found[0];
}
