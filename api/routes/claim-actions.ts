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
import { CLAIM_ACTIONS, rejectWriteOffUpdate, type ClaimWorkflowState } from '../../contracts/claim';
import { ClaimPracticeQuery, claimRefOf, type ClaimRef } from '../claim-ref';
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

/**
 * The approvers' queue (issue 15): a write-off request the workflow accepted becomes a pending row;
 * its approval marks it approved. The workflow stays the authority (it validates both Updates).
 */
async function recordWriteOff(app: FastifyInstance, action: string, ref: ClaimRef, state: ClaimWorkflowState, actor: string, body: { recoveryReview?: string }) {
  const key = { practice_id: ref.practiceId, claim_id: ref.claimId };
  if (action === 'request-write-off' && state.writeOff) {
    const claim = await app.db('claims').where(key).first('practice_id');
    if (!claim) return;
    await app.db.transaction(async (trx) => {
      // A request left pending by a rejection the workflow never heard of is superseded by this one.
      await trx('write_off_requests').where({ ...key, status: 'pending' }).update({ status: 'superseded', decided_at: trx.fn.now() });
      await trx('write_off_requests').insert({
        claim_id: ref.claimId,
        practice_id: claim.practice_id,
        amount_cents: state.writeOff!.amountCents,
        rationale: state.writeOff!.rationale,
        requested_by: state.writeOff!.requestedBy,
      });
    });
  }
  if (action === 'approve-write-off') {
    await app.db('write_off_requests').where({ ...key, status: 'pending' }).update({ status: 'approved', decided_by: actor, decided_at: app.db.fn.now(), decision_note: body.recoveryReview ?? null });
  }
}

export async function claimActionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/claims/:claimId/actions/:action',
    { bodyLimit: 256 * 1024, schema: { params: z.object({ claimId: Text(64, 1), action: ClaimAction }), querystring: ClaimPracticeQuery }, config: { access: { level: 'write', entity: 'claim', phi: 'claim' } } },
    async (request) => {
      const { action } = request.params;
      const ref = claimRefOf(request);
      const { claimId } = ref;
      const parsed = CLAIM_ACTION_BODIES[action].safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new HttpError(400, 'invalid_request', `invalid body for action ${action}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
        });
      }
      const user = request.user!;
      const body = parsed.data as Record<string, unknown>;
      // A corrected claim of a registered patient takes its coverage from master data too.
      if (action === 'correct') {
        const practiceId = (body.claim as ClaimDocument).practiceId;
        if (practiceId !== ref.practiceId) throw new HttpError(422, 'unprocessable', `claim.practiceId ${practiceId} does not match claim ${claimId} of practice ${ref.practiceId}`, { field: 'claim.practiceId' });
        body.claim = (await applyPatientMasterData(app.db, body.claim as ClaimDocument)).claim;
      }
      const args = { ...body, actor: user.name, role: user.role };
      const handle = app.temporal.workflow.getHandle(ref.workflowId);
      if (action === 'approve-write-off') {
        // A request an approver rejected (issue 15) is not approved by someone else afterwards.
        const last = await app.db('write_off_requests').where({ practice_id: ref.practiceId, claim_id: claimId }).orderBy('id', 'desc').first('status', 'decided_by', 'decision_note');
        if (last?.status === 'rejected') throw new HttpError(409, 'refused', `the write-off request was rejected by ${last.decided_by}: ${last.decision_note}; request a new write-off first`);
      }
      try {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const state = (await handle.executeUpdate(CLAIM_ACTIONS[action] as any, { args: [args] })) as ClaimWorkflowState;
        await recordWriteOff(app, action, ref, state, user.name, parsed.data as { recoveryReview?: string });
        return { claimId, practiceId: ref.practiceId, action, state };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          // A finished workflow: the claim exists but is closed.
          const row = await app.db('claims').where({ practice_id: ref.practiceId, claim_id: claimId }).first('status');
          if (row) throw new HttpError(409, 'refused', `claim ${claimId} is ${row.status}: no further actions`);
          throw notFound(`claim ${claimId}`);
        }
        const refusal = updateRefusal(err);
        if (refusal) throw refusal;
        throw err;
      }
    },
  );

  // The approver's screen (issue 15): write-offs of one practice waiting for approval, oldest first.
  app.get(
    '/write-offs',
    {
      schema: { querystring: z.object({ practiceId: Text(64, 1), status: z.enum(['pending', 'approved', 'rejected']).default('pending'), limit: z.coerce.number().int().min(1).max(500).default(200) }) },
      config: { access: { level: 'read', phi: 'claim' } },
    },
    async (request) => {
      const { practiceId, status, limit } = request.query;
      const rows = await app.db('write_off_requests as w')
        .join('claims as c', (j) => j.on('c.practice_id', 'w.practice_id').andOn('c.claim_id', 'w.claim_id'))
        .where({ 'w.practice_id': practiceId, 'w.status': status })
        // A request on a claim closed since (timely filing, another path) waits for nothing.
        .modify((q) => (status === 'pending' ? q.whereNot('c.status', 'closed') : q))
        .orderBy([{ column: 'w.requested_at', order: status === 'pending' ? 'asc' : 'desc' }, { column: 'w.id' }])
        .limit(limit)
        .select('w.*', 'c.payer_id', 'c.service_date', 'c.billed_cents', 'c.status as claim_status');
      return {
        practiceId,
        writeOffs: rows.map((r: Record<string, any>) => ({
          id: Number(r.id),
          claimId: r.claim_id,
          practiceId: r.practice_id,
          payerId: r.payer_id,
          serviceDate: r.service_date,
          claimStatus: r.claim_status,
          billedCents: r.billed_cents,
          amountCents: r.amount_cents,
          rationale: r.rationale,
          requestedBy: r.requested_by,
          requestedAt: new Date(r.requested_at).toISOString(),
          status: r.status,
          decidedBy: r.decided_by ?? undefined,
          decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : undefined,
          decisionNote: r.decision_note ?? undefined,
        })),
      };
    },
  );

  // An approver turns a write-off request down, with the reason: the claim workflow clears the
  // request (rejectWriteOff Update, so a new one may follow), and the queue row records the decision.
  app.post(
    '/claims/:claimId/write-off/reject',
    { schema: { params: z.object({ claimId: Text(64, 1) }), querystring: ClaimPracticeQuery, body: z.object({ reason: Text(2000, 1) }) }, config: { access: { level: 'write', entity: 'claim', phi: 'claim' } } },
    async (request) => {
      const ref = claimRefOf(request);
      const { claimId } = ref;
      const user = request.user!;
      request.access.requireRole(['admin', 'approver'], `a ${user.role} cannot reject a write-off: an approver decides (AR-6)`);
      const reason = request.body.reason.trim();
      if (!reason) throw new HttpError(422, 'unprocessable', 'reason: say why the write-off is rejected', { field: 'reason' });
      const pending = await app.db('write_off_requests').where({ practice_id: ref.practiceId, claim_id: claimId, status: 'pending' }).first();
      if (!pending) {
        if (!(await app.db('claims').where({ practice_id: ref.practiceId, claim_id: claimId }).first('claim_id'))) throw notFound(`claim ${claimId}`);
        throw new HttpError(409, 'refused', `claim ${claimId} has no write-off waiting for approval`);
      }
      if (pending.requested_by === user.name) throw new HttpError(409, 'refused', 'AR-6: the requester does not decide their own write-off');
      // The claim workflow clears the request first (its validator has the last word); then the queue row.
      try {
        await app.temporal.workflow.getHandle(ref.workflowId).executeUpdate(rejectWriteOffUpdate, { args: [{ actor: user.name, role: user.role, reason }] });
      } catch (err) {
        const refusal = updateRefusal(err);
        if (refusal) throw refusal;
        throw err;
      }
      const [row] = await app.db('write_off_requests')
        .where({ id: pending.id, status: 'pending' })
        .update({ status: 'rejected', decided_by: user.name, decided_at: app.db.fn.now(), decision_note: reason })
        .returning('*');
      if (!row) throw new HttpError(409, 'refused', `the write-off of claim ${claimId} was decided by someone else just now`);
      return { claimId, practiceId: ref.practiceId, status: 'rejected', decidedBy: row.decided_by, reason };
    },
  );
}
