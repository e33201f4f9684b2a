/**
 * /api/work-items: every human task in the product, highest dollars at risk then nearest due
 * date first. Completing one checks the outcome fields its kind needs (422 naming the field),
 * refuses a second completion (409), and resumes the workflow waiting on it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { CONTACT_CHANNELS, FOLLOW_UP_STATUSES, RESOLUTION_PATHS, validateTouchOutcome, type TouchKind } from '../../domain/ar';
import { workItemCompletedSignal } from '../../contracts/claim';
import { HttpError, notFound } from '../errors';
import { IsoDate, StorableRecord, Text } from '../../domain/primitives';
import { practiceToday } from '../../db/kpis';
import { dollars, sendCsv } from '../csv';

/** "Today" for a snoozed item: the date in its practice's time zone (a snooze ends when the practice's day begins). */
const SNOOZE_TODAY = `(now() at time zone coalesce((select p.time_zone from practices p where p.id = work_items.practice_id), 'America/New_York'))::date`;

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

/** A field of the form that completes a work item (the web app renders it; the server still checks it). */
export type CompletionField = { name: string; label: string; type: 'text' | 'select' | 'date'; options?: readonly string[]; required: boolean; when?: string };
const f = (name: string, label: string, extra: Partial<CompletionField> = {}): CompletionField => ({ name, label, type: 'text', required: true, ...extra });
/** What completing each kind asks for: the fields `validateTouchOutcome` (AR-2…AR-5) and REQUIRED check. */
export function completionFields(kind: string): CompletionField[] {
  const status = f('claimStatus', 'Claim status', { type: 'select', options: FOLLOW_UP_STATUSES });
  const phoneOnly = { required: false, when: 'required when the channel is phone' };
  switch (kind) {
    case 'active_payer_contact':
    case 'status_inquiry':
      return [
        f('channel', 'Channel', { type: 'select', options: kind === 'status_inquiry' ? ['portal', 'edi_276'] : CONTACT_CHANNELS }),
        status,
        f('note', 'Note'),
        ...(kind === 'active_payer_contact' ? [f('representativeName', 'Representative name', phoneOnly), f('referenceNumber', 'Reference number', phoneOnly)] : []),
      ];
    case 'payer_call':
      return [status, f('representativeName', 'Representative name'), f('referenceNumber', 'Reference number')];
    case 'resolution_path':
      return [
        f('resolution', 'Resolution', { type: 'select', options: RESOLUTION_PATHS }),
        f('expectedPaymentDate', 'Expected payment date', { type: 'date', required: false, when: 'required for payment_expected' }),
        f('appealReference', 'Appeal reference', { required: false, when: 'required for appeal_in_process' }),
        f('rationale', 'Rationale', { required: false, when: 'required for write_off_analysis' }),
      ];
  }
  const labels: Record<string, string> = { disputeReference: 'Dispute reference', result: 'Result', appealReference: 'Appeal reference', rationale: 'Rationale', rootCause: 'Root cause', explanation: 'Explanation' };
  const required = (REQUIRED[kind] ?? []).map((name) => f(name, labels[name] ?? name));
  return [...required, ...(required.some((x) => x.name === 'note') ? [] : [f('note', 'Note', { required: false })])];
}


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
  /** *Added (issue 15)*: hidden from the worklist until this date (the practice's "today" reaches it). */
  snoozedUntil: r.snoozed_until ?? undefined,
  /** *Added (issue 15)*: the outcome fields completing this item asks for. */
  fields: r.status === 'open' ? completionFields(r.kind) : undefined,
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
          /** *Added (issue 15)*: `mine` (assigned to the caller), `unassigned`, `snoozed` (only the snoozed); every view but `snoozed` hides items snoozed past today. */
          view: z.enum(['all', 'mine', 'unassigned', 'snoozed']).default('all'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      config: { access: { level: 'read', list: true } },
    },
    async (request) => {
      const { practiceId, kind, assignee, entityId, status, view: which, limit } = request.query;
      const q = request.access.scoped(app.db('work_items')).where({ status });
      if (practiceId) q.where({ practice_id: practiceId });
      if (kind) q.where({ kind });
      if (assignee) q.where({ assignee });
      if (entityId) q.where({ entity_id: entityId });
      if (which === 'mine') q.where({ assignee: request.user!.name });
      if (which === 'unassigned') q.whereNull('assignee');
      if (which === 'snoozed') q.where('snoozed_until', '>', app.db.raw(SNOOZE_TODAY));
      else q.where((w) => w.whereNull('snoozed_until').orWhere('snoozed_until', '<=', app.db.raw(SNOOZE_TODAY)));
      const rows = await q
        .orderBy([{ column: 'dollars_at_risk_cents', order: 'desc' }, { column: 'due_date', order: 'asc', nulls: 'last' }, { column: 'id' }])
        .limit(limit);
      return { workItems: rows.map(view) };
    },
  );

  // CSV of the open worklist (same order and scope as the list), for spreadsheets.
  app.get(
    '/work-items/export.csv',
    { schema: { querystring: z.object({ practiceId: z.string().optional(), kind: z.string().optional() }) }, config: { access: { level: 'read', list: true } } },
    async (request, reply) => {
      const { practiceId, kind } = request.query;
      const q = request.access.scoped(app.db('work_items')).where({ status: 'open' });
      if (practiceId) q.where({ practice_id: practiceId });
      if (kind) q.where({ kind });
      q.where((w) => w.whereNull('snoozed_until').orWhere('snoozed_until', '<=', app.db.raw(SNOOZE_TODAY)));
      const rows = await q.orderBy([{ column: 'due_date', order: 'asc', nulls: 'last' }, { column: 'dollars_at_risk_cents', order: 'desc' }, { column: 'id' }]).limit(10_000);
      const header = ['id', 'practice_id', 'kind', 'rule_id', 'entity_type', 'entity_id', 'title', 'due_date', 'dollars_at_risk', 'assignee'];
      const rowsOut = rows.map((r: Record<string, any>) => [r.id, r.practice_id, r.kind, r.rule_id, r.entity_type, r.entity_id, r.title, r.due_date ?? '', dollars(r.dollars_at_risk_cents), r.assignee]);
      return sendCsv(reply, `worklist${practiceId ? `-${practiceId}` : ''}`, header, rowsOut);
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

  // ------------------------------------------------------------------ the billers' workspace (issue 15)
  const IdParams = z.object({ id: z.coerce.number().int().positive() });
  /** The open item, or 404 / 409 naming why it cannot change. */
  const openItem = async (id: number) => {
    const item = await app.db('work_items').where({ id }).first();
    if (!item) throw notFound(`work item ${id}`);
    if (item.status !== 'open') throw new HttpError(409, 'conflict', `work item ${id} is already ${item.status}`);
    return item;
  };
  /** Users who may work a practice's items: write roles with the practice (or every practice), not revoked. */
  const assigneesOf = (practiceId: string) =>
    app.db('users as u')
      .whereIn('u.role', ['admin', 'biller', 'approver'])
      .whereNull('u.revoked_at')
      .where((w) => w.where('u.all_practices', true).orWhere('u.role', 'admin').orWhereExists((e) => e.select(app.db.raw('1')).from('user_practices as up').whereRaw('up.user_name = u.name').andWhere('up.practice_id', practiceId)))
      .orderBy('u.name')
      .select('u.name', 'u.role');

  app.get(
    '/work-items/assignees',
    { schema: { querystring: z.object({ practiceId: Text(64, 1) }) }, config: { access: { level: 'read' } } },
    async (request) => ({ practiceId: request.query.practiceId, assignees: await assigneesOf(request.query.practiceId) }),
  );

  app.post(
    '/work-items/:id/assign',
    { schema: { params: IdParams, body: z.object({ assignee: Text(200, 1).nullable() }) }, config: { access: { level: 'write', entity: 'workItem' } } },
    async (request) => {
      const item = await openItem(request.params.id);
      const { assignee } = request.body;
      if (assignee !== null && !(await assigneesOf(item.practice_id).where('u.name', assignee).first())) {
        throw new HttpError(422, 'unprocessable', `assignee: "${assignee}" is not a biller, approver or admin of practice ${item.practice_id}`, { field: 'assignee' });
      }
      const [row] = await app.db('work_items').where({ id: item.id, status: 'open' }).update({ assignee }).returning('*');
      if (!row) throw new HttpError(409, 'conflict', `work item ${item.id} was completed or closed just now`);
      await app.db('work_item_notes').insert({ work_item_id: item.id, author: request.user!.name, body: assignee ? `assigned to ${assignee}` : 'unassigned' });
      return view(row);
    },
  );

  app.post(
    '/work-items/:id/snooze',
    { schema: { params: IdParams, body: z.object({ until: IsoDate.nullable() }) }, config: { access: { level: 'write', entity: 'workItem' } } },
    async (request) => {
      const item = await openItem(request.params.id);
      const { until } = request.body;
      const practice = await app.db('practices').where({ id: item.practice_id }).first('time_zone');
      const today = practiceToday(practice?.time_zone ?? 'America/New_York');
      if (until !== null && until <= today) throw new HttpError(422, 'unprocessable', `until: a snooze ends after today (${today}), not on ${until}`, { field: 'until' });
      const [row] = await app.db('work_items').where({ id: item.id, status: 'open' }).update({ snoozed_until: until }).returning('*');
      if (!row) throw new HttpError(409, 'conflict', `work item ${item.id} was completed or closed just now`);
      await app.db('work_item_notes').insert({ work_item_id: item.id, author: request.user!.name, body: until ? `snoozed until ${until}` : 'snooze ended' });
      return view(row);
    },
  );

  app.get(
    '/work-items/:id/notes',
    { schema: { params: IdParams }, config: { access: { level: 'read', entity: 'workItem' } } },
    async (request) => {
      const item = await app.db('work_items').where({ id: request.params.id }).first('id');
      if (!item) throw notFound(`work item ${request.params.id}`);
      const notes = await app.db('work_item_notes').where({ work_item_id: item.id }).orderBy('id').select('id', 'author', 'body', 'created_at');
      return { workItemId: Number(item.id), notes: notes.map((n: Record<string, any>) => ({ id: Number(n.id), author: n.author, body: n.body, at: new Date(n.created_at).toISOString() })) };
    },
  );

  app.post(
    '/work-items/:id/notes',
    { schema: { params: IdParams, body: z.object({ body: Text(4000, 1) }) }, config: { access: { level: 'write', entity: 'workItem' } } },
    async (request, reply) => {
      const item = await app.db('work_items').where({ id: request.params.id }).first('id');
      if (!item) throw notFound(`work item ${request.params.id}`);
      const body = request.body.body.trim();
      if (!body) throw new HttpError(422, 'unprocessable', 'body: a note needs some text', { field: 'body' });
      const [n] = await app.db('work_item_notes').insert({ work_item_id: item.id, author: request.user!.name, body }).returning('*');
      return reply.status(201).send({ id: Number(n.id), author: n.author, body: n.body, at: new Date(n.created_at).toISOString() });
    },
  );
}
