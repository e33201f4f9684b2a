/**
 * /api/claims: POST starts the claim workflow, GET answers from the workflow's Query plus the
 * Postgres read model, list reads the read model.
 */
import { unavailableDependency } from '../../lib/unavailable';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { Text } from '../../domain/primitives';
import { ClaimDocumentAtEdge } from '../edge';
import { CLAIM_STATUSES, TASK_QUEUE, claimStateQuery, claimWorkflowId, type ClaimWorkflowInput, type ClaimWorkflowState } from '../../contracts/claim';
import { badRequest, conflict, notFound } from '../errors';
import { CptCodes, PayerId, PracticeId, ProviderNpi, RcmKind, RcmStatus } from '../../contracts/search-attributes';

const ClaimIdParams = z.object({ claimId: Text(64, 1) });

/** A claim document is a few KiB; 256 KiB keeps every accepted one far under Temporal's 2 MB payload limit. */
export const CLAIM_BODY_LIMIT = 256 * 1024;

/** How long GET /api/claims/:id waits for the workflow's live state before answering from the read model. */
const LIVE_QUERY_MS = 2_000;

export async function claimRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/claims', { bodyLimit: CLAIM_BODY_LIMIT, schema: { body: ClaimDocumentAtEdge }, config: { access: { level: 'write', phi: 'claim' } } }, async (request, reply) => {
    const claim = request.body;
    const [practice, payer] = await Promise.all([
      app.db('practices').where({ id: claim.practiceId }).first('id'),
      app.db('payers').where({ id: claim.payerId }).first('id'),
    ]);
    if (!practice) throw badRequest(`unknown practice "${claim.practiceId}"`, 'practiceId');
    if (!payer) throw badRequest(`unknown payer "${claim.payerId}"`, 'payerId');
    const existing = await app.db('claims').where({ claim_id: claim.claimId }).first('claim_id');
    const workflowId = claimWorkflowId(claim.claimId);
    if (existing) throw conflict(`claim ${claim.claimId} already exists`, { claimId: claim.claimId, workflowId });
    const input: ClaimWorkflowInput = { claim, enteredAt: new Date().toISOString(), actor: request.user!.name };
    try {
      await app.temporal.workflow.start('claimWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `Claim ${claim.claimId} · ${claim.payerId} · DOS ${claim.serviceDate} · ${claim.lines.map((l) => l.cpt).join(', ')}`,
        typedSearchAttributes: [
          { key: RcmKind, value: 'claim' },
          { key: RcmStatus, value: 'charge_entered' },
          { key: PracticeId, value: claim.practiceId },
          { key: PayerId, value: claim.payerId },
          { key: ProviderNpi, value: claim.renderingNpi },
          { key: CptCodes, value: [...new Set(claim.lines.map((l) => l.cpt))] },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`claim ${claim.claimId} already exists`, { claimId: claim.claimId, workflowId });
      throw err;
    }
    return reply
      .status(201)
      .header('Location', `/api/claims/${encodeURIComponent(claim.claimId)}`)
      .send({ claimId: claim.claimId, workflowId, status: 'charge_entered' });
  });

  app.get('/claims/:claimId', { schema: { params: ClaimIdParams }, config: { access: { level: 'read', entity: 'claim', phi: 'claim' } } }, async (request) => {
    const { claimId } = request.params;
    const row = await app.db('claims').where({ claim_id: claimId }).first();
    // The read model answers; the workflow's live state (AR touches, timers, what it waits for) is
    // added when it answers within LIVE_QUERY_MS. A closed claim is never queried: its state is
    // final in the read model, and a query would replay its whole history on a worker.
    let live: ClaimWorkflowState | undefined;
    let liveState: 'live' | 'read_model' = 'read_model';
    if (!row || row.status !== 'closed') {
      try {
        const handle = app.temporal.workflow.getHandle(claimWorkflowId(claimId));
        live = await app.temporal.connection.withDeadline(Date.now() + LIVE_QUERY_MS, () => handle.query(claimStateQuery));
        liveState = 'live';
      } catch (err) {
        // The read model is the answer; the live state is a bonus. Whatever kept the workflow from
        // answering (no worker, slow, a query the worker rejected), the claim row still answers.
        if (!row && !(err instanceof WorkflowNotFoundError)) throw err; // nothing to answer from (503 when Temporal is down)
        if (!(err instanceof WorkflowNotFoundError)) {
          request.log.warn({ route: request.routeOptions.url, reason: unavailableDependency(err) ?? (err as Error).name }, 'claim query did not answer: answered from the read model');
        }
      }
    }
    if (!live && !row) throw notFound(`claim ${claimId}`);
    const [events, workItems, submissions, payments, denials, paidLines, lineAdjustments] = row
      ? await Promise.all([
          app.db('claim_events').where({ claim_id: claimId }).orderBy('id').select('at', 'actor', 'from_status', 'to_status', 'detail'),
          app.db('work_items').where({ entity_type: 'claim', entity_id: claimId, status: 'open' }).orderBy('due_date').select('id', 'kind', 'rule_id', 'title', 'due_date', 'dollars_at_risk_cents', 'assignee'),
          app.db('submissions').where({ claim_id: claimId }).orderBy('id').select('id', 'claim_version', 'payer_id', 'coverage_priority', 'frequency_code', 'interchange_control_number', 'gateway', 'status', 'ack_detail', 'submitted_at', 'acknowledged_at'),
          app.db('payments').where({ claim_id: claimId }).orderBy('id').select('id', 'remittance_key', 'coverage_priority', 'claim_status_code', 'charged_cents', 'paid_cents', 'patient_responsibility_cents', 'expected_cents', 'variance_cents', 'findings', 'payment_date', 'posted_at', 'contract_source', 'contract_version'),
          app.db('denials').where({ claim_id: claimId }).orderBy('id').select('carc', 'rarcs', 'category', 'kind', 'denial_date', 'received_at', 'action_due', 'appeal_deadline', 'status'),
          app.db('payment_lines as l').join('payments as p', 'p.id', 'l.payment_id').where('p.claim_id', claimId).groupBy('l.line_number').select('l.line_number', app.db.raw('sum(l.paid_cents)::bigint as paid_cents'), app.db.raw('sum(l.allowed_cents)::bigint as allowed_cents')),
          app.db('adjustments as a').join('payments as p', 'p.id', 'a.payment_id').where('p.claim_id', claimId).orderBy('a.id').select('a.line_number', 'a.group_code', 'a.carc', 'a.amount_cents'),
        ])
      : [[], [], [], [], [], [], []];
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : undefined);
    return {
      claimId,
      workflowId: claimWorkflowId(claimId),
      /** `live`: from the running workflow; `read_model`: from PostgreSQL (closed, or the workflow did not answer in time). */
      liveState,
      status: live?.status ?? row?.status,
      version: live?.version ?? row?.version,
      waitingFor: live?.waitingFor,
      scrub: live?.scrub ?? (row?.scrub_status ? { status: row.scrub_status, findings: row.scrub_findings ?? [] } : undefined),
      nextDeadline: live?.nextDeadline ?? (row?.next_deadline ? { ruleId: row.next_deadline_rule, at: new Date(row.next_deadline).toISOString() } : undefined),
      billedCents: row?.billed_cents,
      chargeLagDays: row?.charge_lag_days ?? undefined,
      claim: row?.document,
      events: events.map((e: { at: Date; actor: string; from_status: string | null; to_status: string; detail: unknown }) => ({
        at: new Date(e.at).toISOString(),
        actor: e.actor,
        from: e.from_status,
        to: e.to_status,
        detail: e.detail,
      })),
      workItems,
      submissions: submissions.map((x: Record<string, any>) => ({
        version: x.claim_version,
        payerId: x.payer_id,
        coverage: x.coverage_priority,
        frequencyCode: x.frequency_code,
        interchangeControlNumber: x.interchange_control_number,
        gateway: x.gateway,
        status: x.status,
        reasons: x.ack_detail?.reasons,
        submittedAt: iso(x.submitted_at),
        acknowledgedAt: iso(x.acknowledged_at),
      })),
      payments: payments.map((p: Record<string, any>) => ({
        remittanceKey: p.remittance_key,
        coverage: p.coverage_priority,
        claimStatusCode: p.claim_status_code,
        chargedCents: p.charged_cents,
        paidCents: p.paid_cents,
        patientResponsibilityCents: p.patient_responsibility_cents,
        expectedCents: p.expected_cents,
        varianceCents: p.variance_cents,
        findings: p.findings,
        paymentDate: p.payment_date,
        postedAt: iso(p.posted_at),
        // *added (issue 13)*: what the expected amount was computed from (the practice's contract version, else the payer default).
        contract: p.contract_source ? { source: p.contract_source, version: p.contract_version ?? null } : null,
      })),
      denials: denials.map((d: Record<string, any>) => ({
        carc: d.carc,
        rarcs: d.rarcs,
        category: d.category,
        kind: d.kind,
        denialDate: d.denial_date,
        receivedAt: iso(d.received_at),
        actionDue: d.action_due ?? undefined,
        appealDeadline: d.appeal_deadline ?? undefined,
        status: d.status,
      })),
      /** *Added (issue 15)*: each line with billed, allowed, paid and its adjustments (CARC), summed over payments. */
      lines: ((row?.document?.lines ?? []) as Array<{ cpt: string; modifiers?: string[]; units: number; chargeCents: number }>).map((l, i) => {
        const paid = paidLines.find((x: Record<string, any>) => x.line_number === i + 1);
        return {
          lineNumber: i + 1,
          cpt: l.cpt,
          modifiers: l.modifiers ?? [],
          units: l.units,
          billedCents: l.chargeCents,
          allowedCents: paid?.allowed_cents ?? undefined,
          paidCents: paid?.paid_cents ?? 0,
          adjustments: lineAdjustments.filter((a: Record<string, any>) => a.line_number === i + 1).map((a: Record<string, any>) => ({ groupCode: a.group_code, carc: a.carc, amountCents: a.amount_cents })),
        };
      }),
      /** *Added (issue 15)*: the claim's workflow in the Temporal Web UI, for operators. */
      temporalUiUrl: `${app.config.temporalUiOrigin}/namespaces/${encodeURIComponent(app.config.temporalNamespace)}/workflows/${encodeURIComponent(claimWorkflowId(claimId))}`,
      arTouches: live?.arTouches,
      timers: live?.timers.filter((t) => t.state === 'pending'),
    };
  });

  const ListQuery = z.object({
    status: z.enum(CLAIM_STATUSES).optional(),
    payerId: Text(64).optional(),
    practiceId: Text(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  });
  app.get('/claims', { schema: { querystring: ListQuery }, config: { access: { level: 'read', list: true, phi: 'claim' } } }, async (request) => {
    const { status, payerId, practiceId, limit, offset } = request.query;
    const q = request.access.scoped(app.db('claims'));
    if (status) q.where({ status });
    if (payerId) q.where({ payer_id: payerId });
    if (practiceId) q.where({ practice_id: practiceId });
    const rows = await q
      .orderBy([{ column: 'dollars_at_risk_cents', order: 'desc' }, { column: 'claim_id' }])
      .limit(limit)
      .offset(offset)
      .select('claim_id', 'practice_id', 'payer_id', 'rendering_npi', 'service_date', 'status', 'version', 'billed_cents', 'dollars_at_risk_cents', 'next_deadline', 'next_deadline_rule');
    return {
      claims: rows.map((r) => ({
        claimId: r.claim_id,
        practiceId: r.practice_id,
        payerId: r.payer_id,
        renderingNpi: r.rendering_npi,
        serviceDate: r.service_date,
        status: r.status,
        version: r.version,
        billedCents: r.billed_cents,
        dollarsAtRiskCents: r.dollars_at_risk_cents,
        nextDeadline: r.next_deadline ? { ruleId: r.next_deadline_rule, at: new Date(r.next_deadline).toISOString() } : undefined,
      })),
      limit,
      offset,
    };
  });
}
