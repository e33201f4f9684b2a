/**
 * /api/work-items: every human task in the product, highest dollars at risk then nearest due
 * date first. Completing one checks the outcome fields its kind needs (422 naming the field),
 * refuses a second completion (409), and resumes the workflow waiting on it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { validateTouchOutcome, type TouchKind } from '../../domain/ar';
import { workItemCompletedSignal } from '../../contracts/claim';
import { HttpError, notFound } from '../errors';
import { StorableRecord, Text } from '../../domain/primitives';

const TOUCH_KINDS = new Set(['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path']);
/** Outcome fields other kinds need before they count as done. */
const REQUIRED: Record<string, string[]> = {
  underpayment_dispute: ['disputeReference'],
  peer_to_peer: ['result'],
  appeal: ['appealReference'],
  write_off_review: ['rationale'],
  denial_root_cause: ['rootCause'],
  reconciliation: ['explanation'],
};

const view = (r: Record<string, any>) => ({
  id: r.id,
  practiceId: r.practice_id,
  kind: r.kind,
  ruleId: r.rule_id,
  entityType: r.entity_type,
  entityId: r.entity_id,
  workflowId: r.workflow_id,
  title: r.title,
  detail: r.detail,
  assignee: r.assignee,
  dueDate: r.due_date,
  dollarsAtRiskCents: r.dollars_at_risk_cents,
  status: r.status,
  outcome: r.outcome ?? undefined,
  completedBy: r.completed_by ?? undefined,
  completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : undefined,
  closedReason: r.closed_reason ?? undefined,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function workItemRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/work-items',
    {
      schema: {
        querystring: z.object({
          practiceId: Text(64).optional(),
          kind: Text(64).optional(),
          assignee: Text(200).optional(),
          entityId: Text(200).optional(),
          status: z.enum(['open', 'completed', 'closed']).default('open'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      config: { access: { level: 'read', list: true } },
    },
    async (request) => {
      const { practiceId, kind, assignee, entityId, status, limit } = request.query;
      const q = request.access.scoped(app.db('work_items')).where({ status });
      if (practiceId) q.where({ practice_id: practiceId });
      if (kind) q.where({ kind });
      if (assignee) q.where({ assignee });
      if (entityId) q.where({ entity_id: entityId });
      const rows = await q
        .orderBy([{ column: 'dollars_at_risk_cents', order: 'desc' }, { column: 'due_date', order: 'asc', nulls: 'last' }, { column: 'id' }])
        .limit(limit);
      return { workItems: rows.map(view) };
    },
  );

  app.post(
    '/work-items/:id/complete',
    { schema: { params: z.object({ id: z.coerce.number().int().positive() }), body: z.object({ outcome: StorableRecord.default({}) }) }, config: { access: { level: 'write', entity: 'workItem' } } },
    async (request) => {
      const { id } = request.params;
      const outcome = request.body.outcome;
      const item = await app.db('work_items').where({ id }).first();
      if (!item) throw notFound(`work item ${id}`);
      if (item.status !== 'open') {
        throw new HttpError(409, 'conflict', `work item ${id} is already ${item.status}${item.closed_reason ? ` (${item.closed_reason})` : ''}`);
      }
      if (TOUCH_KINDS.has(item.kind)) {
        const check = validateTouchOutcome(item.kind as TouchKind, outcome);
        if (!check.ok) {
          const field = check.missing[0] ?? check.invalid[0]?.field;
          const message = check.missing.length ? `missing ${check.missing.join(', ')}` : check.invalid.map((i) => `${i.field}: ${i.message}`).join('; ');
          throw new HttpError(422, 'unprocessable', `${item.kind}: ${message}`, { field: `outcome.${field}`, missing: check.missing, invalid: check.invalid });
        }
      }
      for (const field of REQUIRED[item.kind] ?? []) {
        const v = outcome[field];
        if (typeof v !== 'string' || !v.trim()) throw new HttpError(422, 'unprocessable', `${item.kind}: missing ${field}`, { field: `outcome.${field}` });
      }
      const completedAt = new Date().toISOString();
      // Tell the waiting workflow first: if Temporal is unreachable the item stays open and the
      // same request can be repeated (workflows ignore a completion they already applied).
      if (item.workflow_id) {
        try {
          await app.temporal.workflow.getHandle(item.workflow_id).signal(workItemCompletedSignal, { workItemId: id, kind: item.kind, outcome, completedBy: request.user!.name, completedAt });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) {
            request.log.error({ workItemId: id, err: (err as Error).message }, 'could not signal the waiting workflow');
            throw new HttpError(503, 'unavailable', `work item ${id} is not completed: the workflow engine did not answer; try again`);
          }
        }
      }
      const updated = await app.db('work_items')
        .where({ id, status: 'open' })
        .update({ status: 'completed', outcome: JSON.stringify(outcome), completed_by: request.user!.name, completed_at: completedAt })
        .returning('*');
      if (!updated.length) throw new HttpError(409, 'conflict', `work item ${id} was completed by someone else just now`);
      return view(updated[0]);
    },
  );
}
