/**
 * Scrub and submission activities. The scrub runs here (not in workflow code) so its result is
 * recorded in history: a rule change never alters a running claim's replay. Submission allocates
 * a never-repeating interchange control number, builds and validates the 837P, records the
 * submission, then hands it to the payer gateway; a retry finds the recorded submission and does
 * not send twice.
 */
import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/activity';
import type { ClaimDocument } from '../domain/claim-document';
import { claimKey } from './claim-key';
import { scrubClaim, type ScrubContext, type ScrubResult } from '../domain/scrub';
import { generate837P, isX12Error, type OtherPayer837P } from '../x12';
import { assertX222A1 } from '../x12/x222a1';
import { filingIndicator } from '../x12/values';
import { otherSubscriberFor837P, outboundPayerId, partiesFor837P } from './claim-parties';
import { addCalendarDays } from '../domain/business-days';
import type { PayerGateway, StatusInquiryRequest, StatusInquiryResult } from './gateway/types';
import { loadPayerPolicy } from '../db/payers';
import { loadEffectiveContract } from '../db/contracts';

export async function loadScrubContext(db: Knex, claim: ClaimDocument, asOf: string): Promise<ScrubContext> {
  const payer = await db('payers').where({ id: claim.payerId }).first('policy');
  const context: ScrubContext = { asOf };
  if (payer?.policy && Object.keys(payer.policy).length) context.payerPolicy = payer.policy;
  // The practice's contract: CHG-5 checks charges against the current year's fee schedule (the
  // contract's, else the payer's); SUB-3/SUB-4 read the service year's prior-auth families and
  // timely-filing window where the contract sets them.
  const [current, ofService] = await Promise.all([
    loadEffectiveContract(db, claim.practiceId, claim.payerId, Number(asOf.slice(0, 4))),
    loadEffectiveContract(db, claim.practiceId, claim.payerId, Number(claim.serviceDate.slice(0, 4))),
  ]);
  if (current.source === 'contract' || Object.keys(current.feeSchedule.allowableCents).length) context.feeSchedule = current.feeSchedule;
  const contracted = Object.fromEntries(
    (['timelyFilingDays', 'priorAuthFamilies', 'multipleProcedureReductionPercent', 'bilateralPaymentPercent', 'appealWindowDays'] as const)
      .filter((f) => ofService.sources[f] === 'contract')
      .map((f) => [f, ofService[f]]),
  );
  if (Object.keys(contracted).length) context.payerPolicy = { ...(context.payerPolicy ?? {}), ...contracted };

  // CHG-3 / CRED-7: enrollment with this payer and license status on the DOS. A provider with no
  // tracked credentials at all is taken as enrolled (CONTRACTS.md scrub default).
  const creds = await db('credentials').where({ npi: claim.renderingNpi });
  if (creds.length) {
    const dos = claim.serviceDate;
    const activeOn = (c: { status: string; effective_date: string | null; expiry_date: string | null }) =>
      c.status === 'active' && (!c.effective_date || c.effective_date <= dos) && (!c.expiry_date || c.expiry_date >= dos);
    const enrollment = creds.find((c) => c.kind === 'enrollment' && c.payer_id === claim.payerId);
    const license = creds.find((c) => c.kind === 'license');
    const active = Boolean(enrollment && activeOn(enrollment)) && (!license || activeOn(license));
    context.providerEnrollment = {
      active,
      effectiveDate: enrollment?.effective_date ?? undefined,
      endDate: enrollment?.expiry_date ?? undefined,
    };
  }

  if (claim.priorAuthNumber) {
    const auth = await db('authorizations').where({ auth_number: claim.priorAuthNumber, payer_id: claim.payerId }).orderBy('updated_at', 'desc').first();
    if (auth && auth.valid_from && auth.valid_to) {
      context.authorization = {
        number: auth.auth_number,
        cpts: auth.cpts,
        region: auth.region,
        approach: auth.approach ?? undefined,
        levels: auth.levels,
        laterality: auth.laterality,
        validFrom: auth.valid_from,
        validTo: auth.valid_to,
      };
    }
  }

  // AUTH-2 / ELIG-4: this patient's procedures in the 12 months before the DOS, from our own claims.
  const since = addCalendarDays(claim.serviceDate, -365);
  const prior = await db('claims')
    .where({ practice_id: claim.practiceId })
    .whereNot({ claim_id: claim.claimId })
    .whereRaw(`document->'patient'->>'id' = ?`, [claim.patient.id])
    .where('service_date', '>=', since)
    .where('service_date', '<', claim.serviceDate)
    .whereNotIn('status', ['closed_void'])
    .select('document', 'service_date');
  context.priorProcedures = prior.flatMap((row: { document: ClaimDocument; service_date: string }) =>
    (row.document.documentation?.procedures ?? []).map((p) => ({ family: p.family, region: p.region, serviceDate: row.service_date })),
  );
  return context;
}

/**
 * The prior payer of a secondary claim as the 837P names it: its name, its clearinghouse id in
 * 2330B NM109 and every 2430 SVD01 (as 2010BB), its filing indicator from its type.
 */
async function otherPayerFor837P(db: Knex, claim: ClaimDocument, other: OtherPayer837P, gaps: string[]): Promise<OtherPayer837P> {
  const payer = await db('payers').where({ id: other.payerId }).first('name', 'type');
  const id = await outboundPayerId(db, claim.practiceId, other.payerId);
  if (!id) gaps.push(`2330B NM109: no clearinghouse payer id mapped for payer ${other.payerId} (payer_identifiers outbound): the payer key was sent`);
  // 2330A / 2320 SBR02: the prior payer's own subscriber from master data (a spouse's plan, ...).
  const subscriber = other.subscriber ? {} : await otherSubscriberFor837P(db, claim, other, gaps);
  return {
    ...other,
    ...subscriber,
    payerId: id ?? other.payerId,
    name: payer?.name ?? other.name,
    claimFilingIndicator: other.claimFilingIndicator ?? filingIndicator(payer?.type ?? other.payerId),
  };
}

export function submissionActivities(db: Knex, gateway: PayerGateway) {
  return {
    /** The payer numbers the claim workflow's deadlines are computed from, recorded in history. */
    async claimPolicy(input: { payerId: string }): Promise<{
      type: string;
      timelyFilingDays: number;
      timelyFilingWarningDays: number;
      appealWindowDays: number;
    }> {
      const p = await loadPayerPolicy(db, input.payerId);
      return { type: p.type, timelyFilingDays: p.timelyFilingDays, timelyFilingWarningDays: p.timelyFilingWarningDays, appealWindowDays: p.appealWindowDays };
    },

    async scrubForSubmission(input: { claim: ClaimDocument; asOf: string }): Promise<ScrubResult> {
      const context = await loadScrubContext(db, input.claim, input.asOf);
      return scrubClaim(input.claim, context);
    },

    async submitClaim(input: {
      workflowId: string;
      step: string;
      claim: ClaimDocument;
      version: number;
      payerId: string;
      coveragePriority: 'primary' | 'secondary' | 'tertiary';
      frequencyCode: '1' | '7' | '8';
      originalPayerClaimControlNumber?: string;
      /** Workflow time of the submission (ISO): AR touches and timely filing count from it. */
      at?: string;
      /** Secondary claims: the primary payer's adjudication for the COB loops (2320/2330/2430). */
      otherPayer?: OtherPayer837P;
    }): Promise<{ submissionId: number; interchangeControlNumber: number; submittedAt: string; resent: boolean }> {
      const key = `${input.workflowId}:${input.step}`;
      let row = await db('submissions').where({ idempotency_key: key }).first();
      if (row && row.status !== 'sending') {
        return { submissionId: row.id, interchangeControlNumber: row.interchange_control_number, submittedAt: new Date(row.submitted_at).toISOString(), resent: false };
      }
      const practice = await db('practices').where({ id: input.claim.practiceId }).first();
      const payer = await db('payers').where({ id: input.payerId }).first();
      if (!row) {
        const { rows } = await db.raw(`select nextval('x12_interchange_control_seq')::bigint as n`);
        const icn = Number(rows[0].n);
        [row] = await db('submissions')
          .insert({
            practice_id: input.claim.practiceId,
            claim_id: input.claim.claimId,
            claim_version: input.version,
            payer_id: input.payerId,
            coverage_priority: input.coveragePriority,
            frequency_code: input.frequencyCode,
            interchange_control_number: icn,
            gateway: gateway.name,
            status: 'sending',
            submitted_at: input.at ?? new Date().toISOString(),
            idempotency_key: key,
          })
          .onConflict('idempotency_key')
          .merge(['idempotency_key'])
          .returning('*');
      }
      const icn = Number(row.interchange_control_number);
      // Subscriber, patient, providers, payer id and interchange ids from master data; what is
      // missing is a recorded gap, never made up (activities/claim-parties.ts).
      const { parties, gaps } = await partiesFor837P(db, practice, input.claim, {
        payerId: input.payerId,
        memberId: input.claim.coverage.memberId,
        priority: input.coveragePriority,
        payerName: payer?.name ?? input.payerId,
      });
      let x12: string;
      try {
        x12 = generate837P(input.claim, {
          ...parties,
          // SBR09 from the payer's type (a payer added through the API has its own key).
          payer: { ...parties.payer, claimFilingIndicator: filingIndicator(payer?.type ?? input.payerId) },
          controlNumbers: { isa: icn, gs: icn, st: 1 },
          claimTraceNumber: String(icn),
          frequencyCode: input.frequencyCode,
          originalPayerClaimControlNumber: input.originalPayerClaimControlNumber,
          createdAt: new Date().toISOString(),
          otherPayer: input.otherPayer ? await otherPayerFor837P(db, input.claim, input.otherPayer, gaps) : undefined,
        });
        // X222A1 pass before anything leaves: a finding names segment, loop and element (no value).
        assertX222A1(x12);
      } catch (err) {
        // A claim the 837P builder cannot express is not going to fix itself on retry.
        if (isX12Error(err)) throw ApplicationFailure.nonRetryable(`837P generation failed: ${(err as Error).message}`, 'X12GenerationError');
        throw err;
      }
      await gateway.submitClaim({
        submissionId: row.id,
        claim: input.claim,
        coveragePriority: input.coveragePriority,
        payerId: input.payerId,
        frequencyCode: input.frequencyCode,
        interchangeControlNumber: icn,
        x12,
      });
      // The 837P as sent, for the claim page (PHI roles, access-logged), and what master data it lacked.
      await db('submissions').where({ id: row.id }).update({ status: 'sent', x12, x12_gaps: JSON.stringify(gaps) });
      return { submissionId: row.id, interchangeControlNumber: icn, submittedAt: new Date(row.submitted_at).toISOString(), resent: row.status === 'sending' };
    },

    async recordAcknowledgement(input: { claimId: string; practiceId: string; interchangeControlNumber?: number; accepted: boolean; reasons: string[]; at: string }): Promise<void> {
      const q = db('submissions').where(await claimKey(db, input));
      if (input.interchangeControlNumber) q.where({ interchange_control_number: input.interchangeControlNumber });
      const latest = await q.orderBy('id', 'desc').first('id');
      if (!latest) return;
      await db('submissions')
        .where({ id: latest.id })
        .update({ status: input.accepted ? 'accepted' : 'rejected', ack_detail: { reasons: input.reasons }, acknowledged_at: input.at });
    },

    /**
     * AR-3: the 276 needs more than the workflow passes (claimId, payerId, submittedAt): member id,
     * birth date, NPI, charge and dates come from the stored claim document, so the gateway can
     * write a 276 the payer can match (005010X212). Fields the caller passed win.
     */
    async statusInquiry(input: StatusInquiryRequest): Promise<StatusInquiryResult> {
      const row = await db('claims').where(await claimKey(db, input)).first('document');
      const doc = row?.document as ClaimDocument | undefined;
      if (!doc) return gateway.statusInquiry(input);
      const secondary = doc.secondaryCoverage && doc.secondaryCoverage.payerId === input.payerId && doc.payerId !== input.payerId;
      const dates = doc.lines.map((l) => l.serviceDate ?? doc.serviceDate).sort();
      return gateway.statusInquiry({
        memberId: secondary ? doc.secondaryCoverage!.memberId : doc.coverage.memberId,
        subscriber: { birthDate: doc.patient.birthDate, sex: doc.patient.sex },
        practiceId: doc.practiceId,
        providerNpi: doc.renderingNpi,
        chargeCents: doc.lines.reduce((s, l) => s + l.chargeCents, 0),
        serviceDate: dates[0],
        serviceDateEnd: dates[dates.length - 1],
        lines: doc.lines.map((l) => ({ cpt: l.cpt, modifiers: l.modifiers, chargeCents: l.chargeCents, units: l.units, serviceDate: l.serviceDate ?? doc.serviceDate })),
        ...input,
      });
    },

    /** CHG-1 charge lag, timely-filing deadline and what is at risk, on the claim row. */
    async updateClaimSummary(input: {
      claimId: string;
      practiceId: string;
      chargeLagDays?: number;
      scrub?: ScrubResult;
      nextDeadline?: { at: string; ruleId: string } | null;
      dollarsAtRiskCents?: number;
      version?: number;
      document?: ClaimDocument;
    }): Promise<void> {
      const patch: Record<string, unknown> = { updated_at: db.fn.now() };
      if (input.chargeLagDays !== undefined) patch.charge_lag_days = input.chargeLagDays;
      if (input.scrub) {
        patch.scrub_status = input.scrub.status;
        patch.scrub_findings = JSON.stringify(input.scrub.findings);
      }
      if (input.nextDeadline !== undefined) {
        patch.next_deadline = input.nextDeadline?.at ?? null;
        patch.next_deadline_rule = input.nextDeadline?.ruleId ?? null;
      }
      if (input.dollarsAtRiskCents !== undefined) patch.dollars_at_risk_cents = input.dollarsAtRiskCents;
      if (input.version !== undefined) patch.version = input.version;
      if (input.document) {
        patch.document = input.document;
        patch.billed_cents = input.document.lines.reduce((sum, l) => sum + l.chargeCents, 0);
        patch.cpt_codes = [...new Set(input.document.lines.map((l) => l.cpt))];
        patch.rendering_npi = input.document.renderingNpi;
        patch.place_of_service = input.document.placeOfService;
      }
      await db('claims').where(await claimKey(db, input)).update(patch);
    },

    async recordClaimVersion(input: { claimId: string; practiceId: string; version: number; document: ClaimDocument; reason: string; actor: string }): Promise<void> {
      const key = await claimKey(db, input);
      await db('claim_versions')
        .insert({ ...key, version: input.version, document: input.document, reason: input.reason, actor: input.actor })
        .onConflict(['practice_id', 'claim_id', 'version'])
        .ignore();
      await db('claim_lines').where(key).delete();
      await db('claim_lines').insert(
        input.document.lines.map((l, i) => ({ ...key, line_number: i + 1, cpt: l.cpt, modifiers: l.modifiers ?? [], units: l.units, charge_cents: l.chargeCents })),
      );
    },
  };
}
