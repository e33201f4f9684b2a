/**
 * /api/appointments: scheduling starts the eligibility workflow (`eligibility:<appointmentId>`,
 * ELIG-1…7); GET answers from the workflow's Query plus the read model (checks with their results,
 * flags, open work items); actions (reschedule, cancel, reverify) are Updates.
 */
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import {
  APPOINTMENT_ACTIONS,
  Appointment,
  eligibilityStateQuery,
  eligibilityWorkflowId,
  type EligibilityWorkflowInput,
  type EligibilityWorkflowState,
} from '../../contracts/eligibility';
import { TASK_QUEUE } from '../../contracts/claim';
import { PayerId, PracticeId, RcmKind, RcmStatus } from '../../contracts/search-attributes';
import { badRequest, conflict, notFound } from '../errors';
import { practiceToday } from '../../db/kpis';
import { DEFAULT_TIME_ZONE, knownTimeZone } from '../../lib/time-zone';
import { Text } from '../../domain/primitives';
import { checkServiceDateAhead } from '../edge';
import { mapUpdateError, parseActionBody } from './workflow-actions';

const Params = z.object({ appointmentId: Text(64, 1) });
const ActionName = z.enum(Object.keys(APPOINTMENT_ACTIONS) as [keyof typeof APPOINTMENT_ACTIONS, ...Array<keyof typeof APPOINTMENT_ACTIONS>]);

/** Today where the appointment's practice is: from 00:00 UTC to local midnight the UTC date is already tomorrow in the Americas. */
async function todayAt(db: Knex, practiceId: string | undefined): Promise<string> {
  const row = practiceId ? await db('practices').where({ id: practiceId }).first('time_zone') : undefined;
  return practiceToday(knownTimeZone(row?.time_zone) ?? DEFAULT_TIME_ZONE);
}

export async function appointmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/appointments', { schema: { body: Appointment }, config: { access: { level: 'write', phi: 'appointment' } } }, async (request, reply) => {
    const a = request.body;
    const [practice, payer] = await Promise.all([
      app.db('practices').where({ id: a.practiceId }).first('id', 'time_zone'),
      app.db('payers').where({ id: a.payerId }).first('id'),
    ]);
    const today = practiceToday(knownTimeZone(practice?.time_zone) ?? DEFAULT_TIME_ZONE);
    if (a.serviceDate < today) throw badRequest(`the date of service ${a.serviceDate} is in the past (today is ${today} where the practice is)`, 'serviceDate');
    checkServiceDateAhead(a.serviceDate);
    if (!practice) throw badRequest(`unknown practice "${a.practiceId}"`, 'practiceId');
    if (!payer) throw badRequest(`unknown payer "${a.payerId}"`, 'payerId');
    const workflowId = eligibilityWorkflowId(a.appointmentId);
    const existing = await app.db('appointments').where({ appointment_id: a.appointmentId }).first('appointment_id');
    if (existing) throw conflict(`appointment ${a.appointmentId} already exists`, { appointmentId: a.appointmentId, workflowId });
    const input: EligibilityWorkflowInput = { appointment: a, actor: request.user!.name };
    try {
      await app.temporal.workflow.start('eligibilityWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Eligibility · appointment ${a.appointmentId} · ${a.payerId} · DOS ${a.serviceDate} · ${a.cpts.join(', ')}`,
        typedSearchAttributes: [
          { key: RcmKind, value: 'eligibility' },
          { key: RcmStatus, value: 'scheduled' },
          { key: PracticeId, value: a.practiceId },
          { key: PayerId, value: a.payerId },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`appointment ${a.appointmentId} already exists`, { appointmentId: a.appointmentId, workflowId });
      throw err;
    }
    return reply
      .status(201)
      .header('Location', `/api/appointments/${encodeURIComponent(a.appointmentId)}`)
      .send({ appointmentId: a.appointmentId, workflowId, status: 'scheduled' });
  });

  app.get('/appointments/:appointmentId', { schema: { params: Params }, config: { access: { level: 'read', entity: 'appointment', phi: 'appointment' } } }, async (request) => {
    const { appointmentId } = request.params;
    let live: EligibilityWorkflowState | undefined;
    try {
      live = await app.temporal.workflow.getHandle(eligibilityWorkflowId(appointmentId)).query(eligibilityStateQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const row = await app.db('appointments').where({ appointment_id: appointmentId }).first();
    if (!live && !row) throw notFound(`appointment ${appointmentId}`);
    const [checks, workItems] = await Promise.all([
      app.db('eligibility_checks').where({ appointment_id: appointmentId }).orderBy('id').select('check_kind', 'checked_on', 'service_date', 'result', 'coverage_status', 'findings', 'raw_response'),
      app.db('work_items').where({ entity_type: 'appointment', entity_id: appointmentId, status: 'open' }).orderBy('due_date').select('id', 'kind', 'rule_id', 'title', 'due_date', 'assignee'),
    ]);
    return {
      appointmentId,
      workflowId: eligibilityWorkflowId(appointmentId),
      status: live?.status ?? row?.status,
      serviceDate: live?.serviceDate ?? row?.service_date,
      cpts: live?.cpts ?? row?.cpts,
      payerId: row?.payer_id,
      practiceId: row?.practice_id,
      flags: live?.flags ?? row?.flags ?? [],
      nextCheck: live?.nextCheck ?? (row?.next_check_on ? { ruleId: row.next_check_rule, on: row.next_check_on } : undefined),
      waitingFor: live?.waitingFor,
      authorization: live?.authorization ?? (row?.auth_id ? { authId: row.auth_id } : undefined),
      checks: checks.map((c: Record<string, any>) => ({
        kind: c.check_kind,
        checkedOn: c.checked_on,
        serviceDate: c.service_date,
        result: c.result,
        coverageStatus: c.coverage_status,
        findings: c.findings,
        rawResponse: c.raw_response,
      })),
      workItems,
    };
  });

  app.post('/appointments/:appointmentId/actions/:action', { schema: { params: Params.extend({ action: ActionName }) }, config: { access: { level: 'write', entity: 'appointment', phi: 'appointment' } } }, async (request) => {
    const { appointmentId, action } = request.params;
    const spec = APPOINTMENT_ACTIONS[action];
    const body = parseActionBody(spec.body, request.body, action);
    if ('serviceDate' in body && typeof body.serviceDate === 'string') {
      const row = await app.db('appointments').where({ appointment_id: appointmentId }).first('practice_id');
      const today = await todayAt(app.db, row?.practice_id);
      if (body.serviceDate < today) throw badRequest(`the new date of service ${body.serviceDate} is in the past (today is ${today} where the practice is)`, 'serviceDate');
    }
    if ('serviceDate' in body && typeof body.serviceDate === 'string') checkServiceDateAhead(body.serviceDate);
    const exists = Boolean(await app.db('appointments').where({ appointment_id: appointmentId }).first('appointment_id'));
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const state = await app.temporal.workflow.getHandle(eligibilityWorkflowId(appointmentId)).executeUpdate(spec.update as any, { args: [{ ...body, actor: request.user!.name }] });
      return { appointmentId, action, state };
    } catch (err) {
      throw mapUpdateError(err, `appointment ${appointmentId}`, exists) ?? err;
    }
  });
}
