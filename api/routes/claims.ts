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
import { applyPatientMasterData } from '../claim-intake';
import { ClaimPracticeQuery, claimRefOf } from '../claim-ref';
import { CLAIM_STATUSES, claimStateQuery, claimWorkflowId, claimWorkflowStartOptions, type ClaimWorkflowInput, type ClaimWorkflowState } from '../../contracts/claim';
import { badRequest, conflict, notFound } from '../errors';
import { dollars, sendCsv } from '../csv';
import { CODEC_ROLES } from './codec';
import { generate835 } from '../../x12';
import type { ClaimPayment } from '../../domain/remittance';

const ClaimIdParams = z.object({ claimId: Text(64, 1) });

/** A claim document is a few KiB; 256 KiB keeps every accepted one far under Temporal's 2 MB payload limit. */
export const CLAIM_BODY_LIMIT = 256 * 1024;

/** How long GET /api/claims/:id waits for the workflow's live state before answering from the read model. */
const LIVE_QUERY_MS = 2_000;

export async function claimRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/claims', { bodyLimit: CLAIM_BODY_LIMIT, schema: { body: ClaimDocumentAtEdge }, config: { access: { level: 'write', phi: 'claim' } } }, async (request, reply) => {
    const practice = await app.db('practices').where({ id: request.body.practiceId }).first('id');
    if (!practice) throw badRequest(`unknown practice "${request.body.practiceId}"`, 'practiceId');
    // A registered patient's coverage in force on the DOS decides payer and member id (api/claim-intake.ts).
    const { claim, masterData } = await applyPatientMasterData(app.db, request.body);
    const payer = await app.db('payers').where({ id: claim.payerId }).first('id');
    if (!payer) throw badRequest(`unknown payer "${claim.payerId}"`, 'payerId');
    // Claim ids are unique per practice (issue 13): another practice may have the same id.
    const existing = await app.db('claims').where({ practice_id: claim.practiceId, claim_id: claim.claimId }).first('workflow_id');
    const workflowId = existing?.workflow_id ?? claimWorkflowId(claim.practiceId, claim.claimId);
    if (existing) throw conflict(`claim ${claim.claimId} already exists in practice ${claim.practiceId}`, { claimId: claim.claimId, practiceId: claim.practiceId, workflowId });
    const input: ClaimWorkflowInput = { claim, enteredAt: new Date().toISOString(), actor: request.user!.name };
    try {
      await app.temporal.workflow.start('claimWorkflow', claimWorkflowStartOptions(input));
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`claim ${claim.claimId} already exists in practice ${claim.practiceId}`, { claimId: claim.claimId, practiceId: claim.practiceId, workflowId });
      throw err;
    }
    return reply
      .status(201)
      .header('Location', `/api/claims/${encodeURIComponent(claim.claimId)}?practiceId=${encodeURIComponent(claim.practiceId)}`)
      .send({ claimId: claim.claimId, practiceId: claim.practiceId, workflowId, status: 'charge_entered', payerId: claim.payerId, masterData });
  });

  app.get('/claims/:claimId', { schema: { params: ClaimIdParams, querystring: ClaimPracticeQuery }, config: { access: { level: 'read', entity: 'claim', phi: 'claim' } } }, async (request) => {
    const ref = claimRefOf(request);
    const { claimId, practiceId } = ref;
    const key = { practice_id: practiceId, claim_id: claimId };
    const row = await app.db('claims').where(key).first();
    // The read model answers; the workflow's live state (AR touches, timers, what it waits for) is
    // added when it answers within LIVE_QUERY_MS. A closed claim is never queried: its state is
    // final in the read model, and a query would replay its whole history on a worker.
    let live: ClaimWorkflowState | undefined;
    let liveState: 'live' | 'read_model' = 'read_model';
    if (!row || row.status !== 'closed') {
      try {
        const handle = app.temporal.workflow.getHandle(ref.workflowId);
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
          app.db('claim_events').where(key).orderBy('id').select('at', 'actor', 'from_status', 'to_status', 'detail'),
          app.db('work_items').where({ entity_type: 'claim', entity_id: claimId, practice_id: practiceId, status: 'open' }).orderBy('due_date').select('id', 'kind', 'rule_id', 'title', 'due_date', 'dollars_at_risk_cents', 'assignee'),
          app.db('submissions').where(key).orderBy('id').select('id', 'claim_version', 'payer_id', 'coverage_priority', 'frequency_code', 'interchange_control_number', 'gateway', 'status', 'ack_detail', 'submitted_at', 'acknowledged_at', 'x12_gaps'),
          app.db('payments').where(key).orderBy('id').select('id', 'remittance_key', 'coverage_priority', 'claim_status_code', 'charged_cents', 'paid_cents', 'patient_responsibility_cents', 'expected_cents', 'variance_cents', 'findings', 'payment_date', 'posted_at', 'contract_source', 'contract_version'),
          app.db('denials').where(key).orderBy('id').select('carc', 'rarcs', 'category', 'kind', 'denial_date', 'received_at', 'action_due', 'appeal_deadline', 'status'),
          app.db('payment_lines as l').join('payments as p', 'p.id', 'l.payment_id').where({ 'p.practice_id': practiceId, 'p.claim_id': claimId }).groupBy('l.line_number').select('l.line_number', app.db.raw('sum(l.paid_cents)::bigint as paid_cents'), app.db.raw('sum(l.allowed_cents)::bigint as allowed_cents')),
          app.db('adjustments as a').join('payments as p', 'p.id', 'a.payment_id').where({ 'p.practice_id': practiceId, 'p.claim_id': claimId }).orderBy('a.id').select('a.line_number', 'a.group_code', 'a.carc', 'a.amount_cents'),
        ])
      : [[], [], [], [], [], [], []];
    const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : undefined);
    const writeOffRow = row ? await app.db('write_off_requests').where(key).orderBy('id', 'desc').first() : undefined;
    return {
      claimId,
      /** *Added (issue 13)*: claim ids are unique per practice. */
      practiceId,
      workflowId: ref.workflowId,
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
        /** *Added (issue 14)*: what master data lacked when the 837P was built (field names, no values). */
        x12Gaps: x.x12_gaps ?? undefined,
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
      temporalUiUrl: `${app.config.temporalUiOrigin}/namespaces/${encodeURIComponent(app.config.temporalNamespace)}/workflows/${encodeURIComponent(ref.workflowId)}`,
      arTouches: live?.arTouches,
      /** *Added (issue 15)*: the latest write-off request (AR-6) and its decision. */
      writeOff: writeOffRow
        ? { amountCents: writeOffRow.amount_cents, rationale: writeOffRow.rationale, requestedBy: writeOffRow.requested_by, requestedAt: iso(writeOffRow.requested_at), status: writeOffRow.status, decidedBy: writeOffRow.decided_by ?? undefined, decisionNote: writeOffRow.decision_note ?? undefined }
        : undefined,
      writtenOffCents: live?.writtenOffCents,
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
      .orderBy([{ column: 'dollars_at_risk_cents', order: 'desc' }, { column: 'claim_id' }, { column: 'practice_id' }])
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

  // *Added (issue 15)*: the claim list as CSV (same filters and scope as GET /claims, up to 50,000 rows).
  app.get(
    '/claims/export.csv',
    { schema: { querystring: ListQuery.omit({ limit: true, offset: true }) }, config: { access: { level: 'read', list: true, phi: 'claim' } } },
    async (request, reply) => {
      const { status, payerId, practiceId } = request.query;
      const q = request.access.scoped(app.db('claims'));
      if (status) q.where({ status });
      if (payerId) q.where({ payer_id: payerId });
      if (practiceId) q.where({ practice_id: practiceId });
      const rows = await q
        .orderBy([{ column: 'service_date', order: 'desc' }, { column: 'claim_id' }])
        .limit(50_000)
        .select('claim_id', 'practice_id', 'payer_id', 'rendering_npi', app.db.raw('service_date::text as service_date'), 'status', 'version', 'cpt_codes', 'billed_cents', 'dollars_at_risk_cents', 'next_deadline', 'next_deadline_rule');
      return sendCsv(
        reply,
        `claims${practiceId ? `-${practiceId}` : ''}`,
        ['claim_id', 'practice_id', 'payer_id', 'rendering_npi', 'service_date', 'status', 'version', 'cpt_codes', 'billed', 'dollars_at_risk', 'next_deadline', 'next_deadline_rule'],
        rows.map((r: Record<string, any>) => [r.claim_id, r.practice_id, r.payer_id, r.rendering_npi, r.service_date, r.status, r.version, r.cpt_codes, dollars(r.billed_cents), dollars(r.dollars_at_risk_cents), r.next_deadline ? new Date(r.next_deadline).toISOString() : '', r.next_deadline_rule]),
      );
    },
  );

  // *Added (issue 15)*: the claim's X12 documents for the claim page — each 837P as sent (stored
  // since migration 016) and each ERA claim payment as an 835 regenerated from what was stored
  // when it was received. PHI (member ids, birth dates): not for a provider token, access-logged.
  app.get(
    '/claims/:claimId/x12',
    { schema: { params: ClaimIdParams, querystring: ClaimPracticeQuery }, config: { access: { level: 'read', entity: 'claim', phi: 'claim', roles: { allowed: CODEC_ROLES, why: 'raw X12 documents carry PHI (member ids, birth dates); admin, biller, approver or viewer' } } } },
    async (request) => {
      const ref = claimRefOf(request);
      const { claimId } = ref;
      const key = { practice_id: ref.practiceId, claim_id: claimId };
      const claim = await app.db('claims').where(key).first('claim_id', 'practice_id', 'rendering_npi');
      if (!claim) throw notFound(`claim ${claimId}`);
      const [submissions, payments, practice] = await Promise.all([
        app.db('submissions').where(key).orderBy('id').select('id', 'claim_version', 'payer_id', 'coverage_priority', 'interchange_control_number', 'status', 'submitted_at', 'x12'),
        app.db('remittance_claims as rc').join('remittances as r', 'r.remittance_key', 'rc.remittance_key').where({ 'rc.practice_id': ref.practiceId, 'rc.claim_id': claimId }).orderBy('rc.id')
          .select('rc.id', 'rc.remittance_key', 'rc.claim_payment', 'r.payer_id', 'r.trace_number', app.db.raw('r.payment_date::text as payment_date'), app.db.raw('r.adjudication_date::text as adjudication_date'), 'r.received_at'),
        app.db('practices').where({ id: claim.practice_id }).first('name', 'billing_npi', 'tax_id'),
      ]);
      const envelope = (v: string) => v.replace(/[^A-Za-z0-9 .-]/g, '').slice(0, 15) || 'UNKNOWN';
      const era = (p: Record<string, any>) => {
        const claimPayment = p.claim_payment as ClaimPayment;
        try {
          return generate835(
            { payerId: p.payer_id, traceNumber: p.trace_number, totalPaidCents: claimPayment.paidCents, paymentDate: p.payment_date, adjudicationDate: p.adjudication_date, claims: [claimPayment], providerAdjustments: [] },
            {
              sender: { id: envelope(p.payer_id), name: p.payer_id },
              receiver: { id: envelope(practice?.tax_id ?? claim.practice_id), name: practice?.name ?? claim.practice_id },
              payer: { name: p.payer_id, companyId: '1000000000', id: p.payer_id },
              payee: { name: practice?.name ?? claim.practice_id, npi: practice?.billing_npi ?? claim.rendering_npi, taxId: practice?.tax_id ?? undefined },
              controlNumbers: { isa: Number(p.id) % 1_000_000_000, gs: Number(p.id) % 1_000_000_000, st: 1 },
              createdAt: new Date(p.received_at).toISOString(),
            },
          );
        } catch (err) {
          request.log.warn({ claimPaymentRow: p.id, err: (err as Error).name }, '835 could not be regenerated');
          return null;
        }
      };
      return {
        claimId,
        practiceId: ref.practiceId,
        documents: [
          ...submissions.map((x: Record<string, any>) => ({
            kind: '837P' as const,
            title: `837P version ${x.claim_version} to ${x.payer_id} (${x.coverage_priority}), ISA13 ${x.interchange_control_number}`,
            at: new Date(x.submitted_at).toISOString(),
            status: x.status,
            text: x.x12 ?? null,
            note: x.x12 ? 'as sent' : 'not stored (sent before the 837P text was kept, migration 016)',
          })),
          ...payments.map((p: Record<string, any>) => {
            const text = era(p);
            return {
              kind: '835' as const,
              title: `835 from ${p.payer_id}, trace ${p.trace_number}, paid ${p.payment_date}`,
              at: new Date(p.received_at).toISOString(),
              status: (p.claim_payment as ClaimPayment).statusCode ?? '',
              text,
              note: text ? "this claim's payment, regenerated from the ERA data stored when it was received (envelope ids and control numbers are not the payer's)" : 'could not be regenerated',
            };
          }),
        ],
      };
    },
  );
}
