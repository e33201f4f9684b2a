/**
 * Eligibility and prior-authorization activities: every side effect of the eligibility and
 * authorization workflows (payer gateway, Postgres read model, work items). Writes are idempotent
 * (keyed on the workflow id + step), so a retried activity never writes or sends twice. Rule
 * evaluation happens here, from pure domain functions, so its result is recorded in workflow
 * history and a later rule change never alters a running workflow's replay.
 */
import type { Knex } from 'knex';
import { Context, log } from '@temporalio/activity';
import { evaluateEligibility, type EligibilityCheckKind, type KnownAuthorization } from '../domain/eligibility';
import { esiSessionFindings, frequencyFinding, packageFindings, policyFamilyOf, sessionsInRolling12Months, type AuthFamily, type Finding, type PriorProcedure } from '../domain/authorization';
import { addCalendarDays } from '../domain/business-days';
import type { ClaimDocument } from '../domain/claim-document';
import type { Appointment, AppointmentStatus } from '../contracts/eligibility';
import type { AuthWorkflowState } from '../contracts/authorization';
import { loadPayerPolicy } from '../db/payers';
import { openWorkItem } from './work-items';
import { isX12Error } from '../x12';
import { EligibilityAuthSimulator, type AuthorizationRequest278, type AuthorizationResponse278, type EligibilityAuthGateway } from './gateway/eligibility-auth';

export type EligibilityCheckOutcome = {
  result: 'verified' | 'flagged';
  findings: Finding[];
  coverageStatus: string;
  authNeeded?: { family: AuthFamily; cpts: string[] };
  coveringAuthId?: string;
  workItemIds: number[];
};

/** This patient's procedures in the 12 months before `serviceDate`, from our own claims (ELIG-4, AUTH-2). */
export async function loadProcedureHistory(db: Knex, input: { practiceId: string; patientId: string; serviceDate: string }): Promise<PriorProcedure[]> {
  const since = addCalendarDays(input.serviceDate, -365);
  const rows = await db('claims')
    .where({ practice_id: input.practiceId })
    .whereRaw(`document->'patient'->>'id' = ?`, [input.patientId])
    .where('service_date', '>', since)
    .where('service_date', '<', input.serviceDate)
    .whereNotIn('status', ['closed_void'])
    .select('document', 'service_date');
  return rows.flatMap((row: { document: ClaimDocument; service_date: string }) =>
    (row.document.documentation?.procedures ?? []).map((p) => ({ family: p.family === 'facet_mbb' ? 'facet' : p.family, region: p.region, serviceDate: row.service_date })),
  );
}

function toKnownAuthorization(r: Record<string, any>): KnownAuthorization {
  return {
    authId: r.auth_id,
    status: r.status,
    family: r.family,
    cpts: r.cpts,
    region: r.region,
    approach: r.approach ?? undefined,
    levels: r.levels ?? [],
    laterality: r.laterality,
    validFrom: r.valid_from ?? undefined,
    validTo: r.valid_to ?? undefined,
    visitsAuthorized: r.visits_authorized,
    visitsUsed: r.visits_used,
  };
}

/**
 * Close the authorization's work items whose condition no longer holds, from the state the
 * workflow publishes (so it holds on every path, whatever step changed the state):
 * - AUTH-1/2/4/6 `auth_package_incomplete`: every item of an earlier package version (superseded),
 *   and the current one once the package is complete (nothing missing, or the request has gone on);
 * - `auth_denied` and `peer_to_peer` once the authorization is approved.
 * Idempotent: only open items are touched.
 */
export async function closeSettledAuthorizationItems(db: Knex, s: Pick<AuthWorkflowState, 'authId' | 'status' | 'missing' | 'packageVersion'>, workflowId: string): Promise<number> {
  const open = () => db('work_items').where({ entity_type: 'authorization', entity_id: s.authId, status: 'open' });
  const current = `${workflowId}:package:${s.packageVersion}`;
  const packageComplete = !s.missing?.length || !['draft', 'incomplete'].includes(s.status);
  let closed = await open()
    .where({ kind: 'auth_package_incomplete' })
    .modify((q) => {
      if (!packageComplete) q.whereNot({ idempotency_key: current });
    })
    .update({ status: 'closed', closed_reason: packageComplete ? `package complete (authorization ${s.status})` : 'superseded by a newer package', completed_at: db.fn.now() });
  if (s.status === 'approved') {
    closed += await open().whereIn('kind', ['auth_denied', 'peer_to_peer']).update({ status: 'closed', closed_reason: 'authorization approved', completed_at: db.fn.now() });
  }
  return closed;
}

export function eligibilityAuthActivities(db: Knex, gateway: EligibilityAuthGateway = new EligibilityAuthSimulator()) {
  return {
    /** The appointment row (read model); a replay or retry finds it and does nothing. */
    async recordAppointment(input: { appointment: Appointment; workflowId: string }): Promise<{ created: boolean }> {
      const a = input.appointment;
      const inserted = await db('appointments')
        .insert({
          appointment_id: a.appointmentId,
          practice_id: a.practiceId,
          patient_id: a.patientId,
          payer_id: a.payerId,
          provider_npi: a.providerNpi,
          service_date: a.serviceDate,
          cpts: a.cpts,
          place_of_service: a.placeOfService,
          status: 'scheduled',
          details: { region: a.region, approach: a.approach, levels: a.levels, laterality: a.laterality, conservativeCareWeeks: a.conservativeCareWeeks, axialPainMonths: a.axialPainMonths },
          auth_id: a.authId ?? null,
          workflow_id: input.workflowId,
        })
        .onConflict('appointment_id')
        .ignore()
        .returning('appointment_id');
      return { created: inserted.length > 0 };
    },

    async updateAppointment(input: {
      appointmentId: string;
      status?: AppointmentStatus;
      serviceDate?: string;
      cpts?: string[];
      flags?: Finding[];
      nextCheckOn?: string | null;
      nextCheckRule?: string | null;
      authId?: string;
    }): Promise<void> {
      const patch: Record<string, unknown> = { updated_at: db.fn.now() };
      if (input.status) patch.status = input.status;
      if (input.serviceDate) patch.service_date = input.serviceDate;
      if (input.cpts) patch.cpts = input.cpts;
      if (input.flags) patch.flags = JSON.stringify(input.flags);
      if (input.nextCheckOn !== undefined) patch.next_check_on = input.nextCheckOn;
      if (input.nextCheckRule !== undefined) patch.next_check_rule = input.nextCheckRule;
      if (input.authId) patch.auth_id = input.authId;
      await db('appointments').where({ appointment_id: input.appointmentId }).update(patch);
    },

    /**
     * ELIG-1…7: one 270/271 inquiry and the rules over its answer, stored with the raw response;
     * the appointment is flagged and a work item opened per failed rule, due on the check day
     * (before the date of service). Idempotent on (workflow, check seq).
     */
    async runEligibilityCheck(input: { workflowId: string; seq: number; kind: EligibilityCheckKind; checkedOn: string; appointment: Appointment }): Promise<EligibilityCheckOutcome> {
      const a = input.appointment;
      const key = `${input.workflowId}:check:${input.seq}`;
      const done = await db('eligibility_checks').where({ idempotency_key: key }).first();
      if (done) {
        return { result: done.result, findings: done.findings, coverageStatus: done.coverage_status, ...(done.response.evaluation ?? {}), workItemIds: done.response.workItemIds ?? [] };
      }
      const request = { requestId: key, payerId: a.payerId, practiceId: a.practiceId, providerNpi: a.providerNpi, patientId: a.patientId, memberId: a.memberId, serviceDate: a.serviceDate, inquiryDate: input.checkedOn, cpts: a.cpts };
      let answer: Awaited<ReturnType<EligibilityAuthGateway['checkEligibility']>>;
      try {
        answer = await gateway.checkEligibility(request);
      } catch (err) {
        if (!isX12Error(err)) throw err;
        // The 270 cannot carry this appointment's ids (a character X12 reserves, or outside its
        // character set): retrying never helps. A person verifies coverage another way (ELIG-1)
        // and corrects the ids; the check counts as flagged. The message names the element, never its value.
        const finding: Finding = { ruleId: 'ELIG-1', field: 'memberId', message: `the eligibility inquiry (270) could not be built: ${err.message}; verify coverage by phone or portal and correct the patient's ids` };
        const dueDate = input.checkedOn < a.serviceDate ? input.checkedOn : addCalendarDays(a.serviceDate, -1);
        const wi = await openWorkItem(db, {
          idempotencyKey: `${input.workflowId}:${a.serviceDate}:ELIG-1:270`,
          practiceId: a.practiceId,
          kind: 'eligibility_issue',
          ruleId: 'ELIG-1',
          entityType: 'appointment',
          entityId: a.appointmentId,
          workflowId: input.workflowId,
          title: `ELIG-1: eligibility could not be checked electronically (appointment ${a.appointmentId}, DOS ${a.serviceDate})`,
          detail: { checkKind: input.kind, checkedOn: input.checkedOn, serviceDate: a.serviceDate, segment: err.segmentId, position: err.segmentPosition },
          dueDate,
        });
        await db('appointments').where({ appointment_id: a.appointmentId }).update({ status: 'flagged', flags: JSON.stringify([finding]), updated_at: db.fn.now() });
        return { result: 'flagged', findings: [finding], coverageStatus: 'unknown', workItemIds: [wi.id] };
      }
      const [policy, prior, authRows] = await Promise.all([
        loadPayerPolicy(db, a.payerId),
        loadProcedureHistory(db, { practiceId: a.practiceId, patientId: a.patientId, serviceDate: a.serviceDate }),
        db('authorizations').where({ practice_id: a.practiceId, patient_id: a.patientId, payer_id: a.payerId }).orderBy('created_at'),
      ]);
      const evaluation = evaluateEligibility({
        scheduled: { serviceDate: a.serviceDate, cpts: a.cpts, region: a.region, approach: a.approach, levels: a.levels, laterality: a.laterality, conservativeCareWeeks: a.conservativeCareWeeks, axialPainMonths: a.axialPainMonths },
        answer,
        policy,
        prior,
        authorizations: authRows.map(toKnownAuthorization),
      });
      const workItemIds: number[] = [];
      for (const f of evaluation.findings) {
        // ELIG-7: due before the date of service — the check day (never later than the day before).
        const dueDate = input.checkedOn < a.serviceDate ? input.checkedOn : addCalendarDays(a.serviceDate, -1);
        const wi = await openWorkItem(db, {
          idempotencyKey: `${input.workflowId}:${a.serviceDate}:${f.ruleId}:${f.field ?? ''}`,
          practiceId: a.practiceId,
          kind: f.ruleId === 'ELIG-7' ? 'coverage_inactive' : f.ruleId.startsWith('AUTH') || f.ruleId === 'ELIG-5' ? 'authorization_needed' : 'eligibility_issue',
          ruleId: f.ruleId,
          entityType: 'appointment',
          entityId: a.appointmentId,
          workflowId: input.workflowId,
          title: `${f.ruleId}: ${f.message} (appointment ${a.appointmentId}, DOS ${a.serviceDate})`,
          detail: { checkKind: input.kind, checkedOn: input.checkedOn, serviceDate: a.serviceDate },
          dueDate,
        });
        workItemIds.push(wi.id);
      }
      if (evaluation.result === 'verified') {
        await db('work_items')
          .where({ entity_type: 'appointment', entity_id: a.appointmentId, status: 'open' })
          .whereIn('kind', ['coverage_inactive', 'eligibility_issue', 'authorization_needed'])
          .update({ status: 'closed', closed_reason: `re-verified on ${input.checkedOn}`, completed_at: db.fn.now() });
      }
      await db('eligibility_checks')
        .insert({
          appointment_id: a.appointmentId,
          check_kind: input.kind,
          checked_on: input.checkedOn,
          service_date: a.serviceDate,
          payer_id: a.payerId,
          result: evaluation.result,
          coverage_status: answer.coverage.status,
          findings: JSON.stringify(evaluation.findings),
          request: { ...request, memberId: undefined },
          response: { ...answer, evaluation: { authNeeded: evaluation.authNeeded, coveringAuthId: evaluation.coveringAuthId }, workItemIds },
          raw_response: answer.raw,
          gateway: gateway.name,
          idempotency_key: key,
        })
        .onConflict('idempotency_key')
        .ignore();
      await db('appointments')
        .where({ appointment_id: a.appointmentId })
        .update({ status: evaluation.result, flags: JSON.stringify(evaluation.findings), updated_at: db.fn.now(), ...(evaluation.coveringAuthId ? { auth_id: evaluation.coveringAuthId } : {}) });
      return { result: evaluation.result, findings: evaluation.findings, coverageStatus: answer.coverage.status, authNeeded: evaluation.authNeeded, coveringAuthId: evaluation.coveringAuthId, workItemIds };
    },

    /**
     * AUTH-1 / AUTH-2 / AUTH-4 / AUTH-6: what blocks submitting this authorization — the package
     * per family against the payer's policy, the ESI session shape, and the ESI frequency in the
     * rolling 12 months (our claims) against the payer limit.
     */
    async checkAuthorizationPackage(input: { state: AuthWorkflowState; patientId: string }): Promise<{ findings: Finding[]; renewalLeadDays: number }> {
      const s = input.state;
      const policy = await loadPayerPolicy(db, s.payerId);
      const findings = packageFindings(s.family, s.package, policy);
      if (s.family === 'esi') {
        findings.push(...esiSessionFindings({ approach: s.approach, levels: s.levels, laterality: s.laterality }));
        const prior = await loadProcedureHistory(db, { practiceId: s.practiceId, patientId: input.patientId, serviceDate: s.requestedFrom });
        const f = frequencyFinding({ ruleId: 'AUTH-2', familyLabel: 'epidural steroid injection', region: s.region, ownCount: sessionsInRolling12Months(prior, 'esi', s.region, s.requestedFrom), limit: policy.esiSessionsPerRegionPer12Months });
        if (f) findings.push(f);
      }
      return { findings, renewalLeadDays: policy.authRenewalLeadDays };
    },

    /** Does this payer need prior authorization for the family at all (ELIG-5)? */
    async payerRequiresAuthorization(input: { payerId: string; family: AuthFamily; cpts: string[] }): Promise<boolean> {
      const policy = await loadPayerPolicy(db, input.payerId);
      return (policy.priorAuthFamilies as string[]).includes(policyFamilyOf(input.family)) || input.cpts.some((c) => policy.priorAuthCpts.includes(c));
    },

    /** The authorizations row the claim scrub reads (AUTH-3, AUTH-8, SUB-3); the workflow's state is the source. */
    async upsertAuthorization(input: { state: AuthWorkflowState; patientId: string; workflowId: string; onDate: string }): Promise<void> {
      const s = input.state;
      const row = {
        auth_id: s.authId,
        practice_id: s.practiceId,
        payer_id: s.payerId,
        patient_id: input.patientId,
        auth_number: s.authNumber ?? null,
        status: s.status === 'approved' && s.renewal ? 'approved' : s.status,
        family: s.family,
        cpts: s.cpts,
        region: s.region,
        approach: s.approach ?? null,
        levels: s.levels,
        laterality: s.laterality,
        valid_from: s.validFrom ?? null,
        valid_to: s.validTo ?? null,
        visits_authorized: s.visitsAuthorized ?? null,
        visits_used: s.visitsUsed,
        workflow_id: input.workflowId,
        linked_auth_id: s.linkedAuthId ?? s.permanentAuthId ?? null,
        details: {
          requestedFrom: s.requestedFrom,
          requestedTo: s.requestedTo,
          visitsRequested: s.visitsRequested,
          missing: s.missing,
          decision: s.decision,
          peerToPeer: s.peerToPeer,
          renewal: s.renewal,
          permanentAuthId: s.permanentAuthId,
          trialResults: s.trialResults,
          // DEN-6: an RFA denial's appeal package is assembled from these two diagnostic MBB notes.
          mbbNotes: s.package?.mbbNotes,
          visits: s.visits,
          waitingFor: s.waitingFor,
          updatedOn: input.onDate,
        },
        next_deadline: s.nextDeadline?.at ?? null,
        next_deadline_rule: s.nextDeadline?.ruleId ?? null,
        updated_at: db.fn.now(),
      };
      await db('authorizations').insert(row).onConflict('auth_id').merge();
      await closeSettledAuthorizationItems(db, s, input.workflowId);
    },

    async recordAuthorizationEvent(input: { authId: string; idempotencyKey: string; onDate: string; actor: string; fromStatus?: string; toStatus: string; detail?: Record<string, unknown> }): Promise<void> {
      await db('authorization_events')
        .insert({ auth_id: input.authId, on_date: input.onDate, actor: input.actor, from_status: input.fromStatus ?? null, to_status: input.toStatus, detail: input.detail ?? {}, idempotency_key: input.idempotencyKey })
        .onConflict('idempotency_key')
        .ignore();
    },

    /** 278 request; a retry finds the recorded answer and does not send twice. */
    async submitAuthorizationRequest(input: { request: AuthorizationRequest278 }): Promise<AuthorizationResponse278> {
      const key = `${input.request.requestId}:submit`;
      const existing = await db('authorization_requests').where({ idempotency_key: key }).first();
      if (existing?.response) return existing.response;
      if (!existing) {
        await db('authorization_requests')
          .insert({ auth_id: input.request.authId, request_id: input.request.requestId, kind: 'submit', sent_on: input.request.submittedOn, request: input.request, idempotency_key: key })
          .onConflict('idempotency_key')
          .ignore();
      }
      const response = await gateway.submitAuthorization(input.request);
      await db('authorization_requests').where({ idempotency_key: key }).update({ decision: response.decision, response, raw_response: response.raw });
      return response;
    },

    /** Follow-up on a pended request (278 inquiry), recorded with its answer. */
    async authorizationStatusInquiry(input: { authId: string; requestId: string; payerId: string; inquiryDate: string }): Promise<AuthorizationResponse278> {
      const key = `${input.requestId}:status:${input.inquiryDate}`;
      const existing = await db('authorization_requests').where({ idempotency_key: key }).first();
      if (existing?.response) return existing.response;
      // An X12 inquiry repeats the request as it was sent.
      const sent = await db('authorization_requests').where({ request_id: input.requestId, kind: 'submit' }).first('request');
      const response = await gateway.authorizationStatus({ ...input, ...(sent?.request ? { original: sent.request as AuthorizationRequest278 } : {}) });
      await db('authorization_requests')
        .insert({ auth_id: input.authId, request_id: input.requestId, kind: 'status', sent_on: input.inquiryDate, request: input, decision: response.decision, response, raw_response: response.raw, idempotency_key: key })
        .onConflict('idempotency_key')
        .merge(['decision', 'response', 'raw_response']);
      return response;
    },

    /** A payer answer the workflow could not match: logged (no PHI) and parked for a person. */
    async parkPayerResponse(input: { kind: '278' | '271'; payerId?: string; requestId?: string; reason: string; body: unknown }): Promise<void> {
      log.warn('payer answer parked', { kind: input.kind, payerId: input.payerId, requestId: input.requestId, reason: input.reason });
      // Keyed on the workflow and this activity: a retry after a lost response parks nothing twice.
      const info = Context.current().info;
      await db('parked_payer_responses')
        .insert({
          kind: input.kind,
          payer_id: input.payerId ?? null,
          request_id: input.requestId ?? null,
          reason: input.reason,
          body: JSON.stringify(input.body ?? null),
          idempotency_key: `${info.workflowExecution?.workflowId}:${info.workflowExecution?.runId}:${info.activityId}`,
        })
        .onConflict('idempotency_key')
        .ignore();
    },
  };
}
