/**
 * /api/authorizations: POST starts the prior-authorization workflow (`auth:<authId>`, AUTH-1…8);
 * GET answers from the workflow's Query plus the read model (the `authorizations` row the claim
 * scrub reads, events, requests, open work items); actions are Updates (200 with the new state,
 * 409/422 with the reason when refused). A payer's 278 answer arrives at
 * POST /api/authorizations/payer-responses: delivered to its workflow, or parked when no request
 * of ours matches.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { Text, WorkflowDate } from '../../domain/primitives';
import {
  AUTHORIZATION_ACTIONS,
  AuthorizationRequest,
  authorizationStateQuery,
  authorizationWorkflowId,
  type AuthWorkflowInput,
  type AuthWorkflowState,
} from '../../contracts/authorization';
import { TASK_QUEUE } from '../../contracts/claim';
import { PayerId, PracticeId, RcmKind, RcmStatus } from '../../contracts/search-attributes';
import { IsoDate } from '../../domain/claim-document';
import { receivePayerAuthResponse } from '../../ingest/authorization-response';
import { badRequest, conflict, notFound } from '../errors';
import { mapUpdateError, parseActionBody } from './workflow-actions';

const Params = z.object({ authId: Text(64, 1) });
const ActionName = z.enum(Object.keys(AUTHORIZATION_ACTIONS) as [keyof typeof AUTHORIZATION_ACTIONS, ...Array<keyof typeof AUTHORIZATION_ACTIONS>]);

const PayerResponse = z.object({
  requestId: Text(200, 1),
  authId: Text(64, 1).optional(),
  payerId: Text(64, 1),
  decision: z.enum(['approved', 'pended', 'denied']),
  authNumber: Text(50).optional(),
  validFrom: WorkflowDate.optional(),
  validTo: WorkflowDate.optional(),
  visitsAuthorized: z.number().int().min(1).max(1000).optional(),
  denialReason: z.enum(['medical_necessity', 'administrative', 'not_covered', 'frequency']).optional(),
  reason: Text(500).optional(),
  decidedOn: WorkflowDate,
  raw: Text(100_000).default(''),
});

export async function authorizationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/authorizations', { schema: { body: AuthorizationRequest }, config: { access: { level: 'write', phi: 'authorization' } } }, async (request, reply) => {
    const a = request.body;
    const [practice, payer] = await Promise.all([
      app.db('practices').where({ id: a.practiceId }).first('id'),
      app.db('payers').where({ id: a.payerId }).first('id'),
    ]);
    if (!practice) throw badRequest(`unknown practice "${a.practiceId}"`, 'practiceId');
    if (!payer) throw badRequest(`unknown payer "${a.payerId}"`, 'payerId');
    const workflowId = authorizationWorkflowId(a.authId);
    const existing = await app.db('authorizations').where({ auth_id: a.authId }).first('auth_id');
    if (existing) throw conflict(`authorization ${a.authId} already exists`, { authId: a.authId, workflowId });
    const input: AuthWorkflowInput = { request: a, actor: request.user!.name, origin: 'api' };
    try {
      await app.temporal.workflow.start('priorAuthorizationWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Authorization ${a.authId} · ${a.family} · ${a.payerId} · ${a.cpts.join(', ')} · ${a.validFrom}–${a.validTo}`,
        typedSearchAttributes: [
          { key: RcmKind, value: 'authorization' },
          { key: RcmStatus, value: 'draft' },
          { key: PracticeId, value: a.practiceId },
          { key: PayerId, value: a.payerId },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`authorization ${a.authId} already exists`, { authId: a.authId, workflowId });
      throw err;
    }
    return reply
      .status(201)
      .header('Location', `/api/authorizations/${encodeURIComponent(a.authId)}`)
      .send({ authId: a.authId, workflowId, status: 'draft' });
  });

  app.post('/authorizations/payer-responses', { schema: { body: PayerResponse }, config: { access: { level: 'write', handlerChecks: 'the payer\'s answer names its request, whose authorization belongs to a practice', phi: 'authorization' } } }, async (request, reply) => {
    if (!request.access.allPractices) {
      // The answer is delivered to the authorization its request belongs to: that practice must be the caller's.
      const authId = request.body.authId || (await app.db('authorization_requests').where({ request_id: request.body.requestId }).first('auth_id'))?.auth_id;
      const practiceId = authId ? (await app.db('authorizations').where({ auth_id: authId }).first('practice_id'))?.practice_id : undefined;
      if (practiceId) request.access.assertPractice(practiceId, 'write', `authorization ${authId}`);
    }
    const result = await receivePayerAuthResponse(
      { db: app.db, temporal: app.temporal, log: (msg, meta) => request.log.warn(meta, msg) },
      { ...request.body, authId: request.body.authId ?? '' },
    );
    return reply.status(202).send(result);
  });

  app.get('/authorizations/:authId', { schema: { params: Params }, config: { access: { level: 'read', entity: 'authorization', phi: 'authorization' } } }, async (request) => {
    const { authId } = request.params;
    let live: AuthWorkflowState | undefined;
    try {
      live = await app.temporal.workflow.getHandle(authorizationWorkflowId(authId)).query(authorizationStateQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const row = await app.db('authorizations').where({ auth_id: authId }).first();
    if (!live && !row) throw notFound(`authorization ${authId}`);
    const [events, requests, workItems] = await Promise.all([
      app.db('authorization_events').where({ auth_id: authId }).orderBy('id').select('on_date', 'actor', 'from_status', 'to_status', 'detail'),
      app.db('authorization_requests').where({ auth_id: authId }).orderBy('id').select('request_id', 'kind', 'sent_on', 'decision'),
      app.db('work_items').where({ entity_type: 'authorization', entity_id: authId, status: 'open' }).orderBy('due_date').select('id', 'kind', 'rule_id', 'title', 'due_date', 'assignee'),
    ]);
    return {
      authId,
      workflowId: authorizationWorkflowId(authId),
      status: live?.status ?? row?.status,
      family: live?.family ?? row?.family,
      payerId: live?.payerId ?? row?.payer_id,
      practiceId: live?.practiceId ?? row?.practice_id,
      authNumber: live?.authNumber ?? row?.auth_number ?? undefined,
      cpts: live?.cpts ?? row?.cpts,
      region: live?.region ?? row?.region,
      approach: live?.approach ?? row?.approach ?? undefined,
      levels: live?.levels ?? row?.levels,
      laterality: live?.laterality ?? row?.laterality,
      validFrom: live?.validFrom ?? row?.valid_from ?? undefined,
      validTo: live?.validTo ?? row?.valid_to ?? undefined,
      visitsAuthorized: live?.visitsAuthorized ?? row?.visits_authorized ?? undefined,
      visitsUsed: live?.visitsUsed ?? row?.visits_used,
      missing: live?.missing ?? row?.details?.missing ?? [],
      decision: live?.decision ?? row?.details?.decision,
      peerToPeer: live?.peerToPeer ?? row?.details?.peerToPeer,
      linkedAuthId: live?.linkedAuthId ?? row?.linked_auth_id ?? undefined,
      permanentAuthId: live?.permanentAuthId ?? row?.details?.permanentAuthId,
      renewal: live?.renewal ?? row?.details?.renewal,
      nextDeadline: live?.nextDeadline ?? (row?.next_deadline ? { ruleId: row.next_deadline_rule, at: new Date(row.next_deadline).toISOString() } : undefined),
      waitingFor: live?.waitingFor ?? row?.details?.waitingFor,
      events: events.map((e: Record<string, any>) => ({ on: e.on_date, actor: e.actor, from: e.from_status, to: e.to_status, detail: e.detail })),
      requests: requests.map((q: Record<string, any>) => ({ requestId: q.request_id, kind: q.kind, sentOn: q.sent_on, decision: q.decision })),
      workItems,
    };
  });

  app.post('/authorizations/:authId/actions/:action', { schema: { params: Params.extend({ action: ActionName }) }, config: { access: { level: 'write', entity: 'authorization', phi: 'authorization' } } }, async (request) => {
    const { authId, action } = request.params;
    const spec = AUTHORIZATION_ACTIONS[action];
    const body = parseActionBody(spec.body, request.body, action);
    const exists = Boolean(await app.db('authorizations').where({ auth_id: authId }).first('auth_id'));
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const state = await app.temporal.workflow.getHandle(authorizationWorkflowId(authId)).executeUpdate(spec.update as any, { args: [{ ...body, actor: request.user!.name }] });
      return { authId, action, state };
    } catch (err) {
      throw mapUpdateError(err, `authorization ${authId}`, exists) ?? err;
    }
  });
}
