/**
 * POST /api/claims/:claimId/actions/:action — staff actions are Temporal Updates with validators:
 * 200 with the new state when accepted; 409 (state conflict) or 422 (bad input) with the reason
 * when the workflow refuses.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { NonNegativeCents, Text } from '../../domain/primitives';
import { ClaimDocumentAtEdge } from '../edge';
import { applyPatientMasterData } from '../claim-intake';
import type { ClaimDocument } from '../../domain/claim-document';
import { CLAIM_ACTIONS, claimWorkflowId } from '../../contracts/claim';
import { HttpError, notFound } from '../errors';

export const CLAIM_ACTION_BODIES = {
  correct: z.object({ claim: ClaimDocumentAtEdge, reason: Text(2000, 1) }),
  'request-write-off': z.object({ amountCents: NonNegativeCents.min(1), rationale: Text(2000, 1) }),
  'approve-write-off': z.object({ recoveryReview: Text(2000, 1) }),
  'submit-appeal': z.object({ appealReference: Text(200, 1), note: Text(2000).optional() }),
  close: z.object({ reason: Text(2000, 1) }),
} satisfies Record<keyof typeof CLAIM_ACTIONS, z.ZodType>;

export const ClaimAction = z.enum(Object.keys(CLAIM_ACTIONS) as [keyof typeof CLAIM_ACTIONS, ...Array<keyof typeof CLAIM_ACTIONS>]);

/** Map a refused Update to 409/422 with the workflow's reason. */
export function updateRefusal(err: unknown): HttpError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const field = (cause.details?.[0] as { field?: string } | undefined)?.field;
    if (cause.type === 'Invalid') return new HttpError(422, 'refused', cause.message, field ? { field } : undefined);
    return new HttpError(409, 'refused', cause.message);
  }
  return new HttpError(409, 'refused', cause?.message ?? err.message);
}

export async function claimActionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/claims/:claimId/actions/:action',
    { bodyLimit: 256 * 1024, schema: { params: z.object({ claimId: Text(64, 1), action: ClaimAction }) }, config: { access: { level: 'write', entity: 'claim', phi: 'claim' } } },
    async (request) => {
      const { claimId, action } = request.params;
      const parsed = CLAIM_ACTION_BODIES[action].safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new HttpError(400, 'invalid_request', `invalid body for action ${action}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
        });
      }
      const user = request.user!;
      const body = parsed.data as Record<string, unknown>;
      // A corrected claim of a registered patient takes its coverage from master data too.
      if (action === 'correct') body.claim = (await applyPatientMasterData(app.db, body.claim as ClaimDocument)).claim;
      const args = { ...body, actor: user.name, role: user.role };
      const handle = app.temporal.workflow.getHandle(claimWorkflowId(claimId));
      try {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const state = await handle.executeUpdate(CLAIM_ACTIONS[action] as any, { args: [args] });
        return { claimId, action, state };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // A finished workflow: the claim exists but is closed.
          const row = await app.db('claims').where({ claim_id: claimId }).first('status');
          if (row) throw new HttpError(409, 'refused', `claim ${claimId} is ${row.status}: no further actions`);
          throw notFound(`claim ${claimId}`);
        }
        const refusal = updateRefusal(err);
        if (refusal) throw refusal;
        throw err;
      }
    },
  );
}
