/**
 * Payment posting (POST-1…POST-5) and denial logging (DEN-1). One claim payment of one remittance
 * posts exactly once: the payments row is unique on (claim, remittance, CLP02), and a retry or a
 * duplicate delivery returns what was posted the first time.
 */
import { claimKey } from './claim-key';
import type { Knex } from 'knex';
import type { ClaimDocument } from '../domain/claim-document';
import type { RemittanceDelivery } from '../contracts/claim';
import { compareRemittanceToContract, type ContractFinding } from '../domain/contract';
import { contractTermsFor } from '../domain/posting';
import { businessDaysBetween } from '../domain/business-days';
import { loadPayerPolicy } from '../db/payers';
import { loadEffectiveContract } from '../db/contracts';
import { contractUsed, policyWithContract, type ContractField, type TermSource } from '../domain/practice-contract';
import { classifyDenial, denialDeadlines, denialPatterns, appealPackageRequirements, type DenialClassification } from '../domain/denials';
import { addCalendarDays } from '../domain/business-days';
import { openWorkItem } from './work-items';
import { observePostingLag } from './metrics';
import { atomically } from '../db/knex';

export type PostingResult = {
  paymentId: number;
  alreadyPosted: boolean;
  claimStatusCode: string;
  paidCents: number;
  patientResponsibilityCents: number;
  expectedCents: number;
  underpaidCents: number;
  disputeRequired: boolean;
  findings: Array<Pick<ContractFinding, 'rule' | 'kind' | 'severity' | 'cpt' | 'message' | 'varianceCents'> & { line?: number }>;
  postingLagBusinessDays: number;
  /**
   * The terms the payment was checked against: the practice's contract version for the payer and
   * the service year, or the payer's defaults (DOMAIN.md §4) — per field in `sources`. Recorded
   * on the payment: a later contract version never changes what was posted.
   */
  contract?: { source: TermSource; contractId: number | null; version: number | null; year: number; sources?: Record<ContractField, TermSource> };
};

type MbbNoteView = { date: string; reliefPercent: number; reliefHours?: number; levels?: string[] };

/** How far back a diagnostic block counts for an RFA (DEN-6 lookup by date). */
const MBB_LOOKBACK_DAYS = 365;

/**
 * DEN-6: the two diagnostic medial branch block notes behind an RFA claim, latest two on or before
 * its date of service:
 * 1. the authorization the claim names (priorAuthNumber) — the package the payer approved;
 * 2. else an authorization of the same patient and region carrying MBB notes;
 * 3. else the patient's own diagnostic MBB claims in that region (family facet_mbb with the relief
 *    documented) in the year before the date of service.
 */
export async function diagnosticMbbNotes(db: Knex, claim: ClaimDocument): Promise<MbbNoteView[]> {
  const latestTwo = (notes: MbbNoteView[]) => notes.filter((n) => n.date <= claim.serviceDate).sort((a, b) => a.date.localeCompare(b.date)).slice(-2);
  if (claim.priorAuthNumber) {
    const auth = await db('authorizations').where({ auth_number: claim.priorAuthNumber }).orderBy('updated_at', 'desc').first('details');
    const notes = latestTwo(auth?.details?.mbbNotes ?? []);
    if (notes.length) return notes;
  }
  const regions = [...new Set((claim.documentation?.procedures ?? []).filter((p) => p.family === 'rfa').map((p) => p.region))];
  const since = addCalendarDays(claim.serviceDate, -MBB_LOOKBACK_DAYS);
  const authQuery = db('authorizations').where({ practice_id: claim.practiceId, patient_id: claim.patient.id }).whereRaw(`jsonb_array_length(coalesce(details->'mbbNotes', '[]'::jsonb)) > 0`);
  if (regions.length) authQuery.whereIn('region', regions);
  const auths = await authQuery.orderBy('updated_at', 'desc').select('details');
  for (const a of auths) {
    const notes = latestTwo((a.details.mbbNotes as MbbNoteView[]).filter((n) => n.date >= since));
    if (notes.length) return notes;
  }
  const prior = await db('claims')
    .where({ practice_id: claim.practiceId })
    .whereNot({ claim_id: claim.claimId })
    .whereRaw(`document->'patient'->>'id' = ?`, [claim.patient.id])
    .where('service_date', '>=', since)
    .where('service_date', '<=', claim.serviceDate)
    .orderBy('service_date')
    .select('service_date', 'document');
  const notes: MbbNoteView[] = [];
  for (const row of prior) {
    const doc = row.document as ClaimDocument;
    for (const p of doc.documentation?.procedures ?? []) {
      if (p.family !== 'facet_mbb' || p.reliefPercent === undefined || (regions.length && !regions.includes(p.region))) continue;
      notes.push({ date: String(row.service_date).slice(0, 10), reliefPercent: p.reliefPercent, ...(p.reliefHours !== undefined ? { reliefHours: p.reliefHours } : {}), levels: p.levels });
    }
  }
  return latestTwo(notes);
}

export function postingActivities(db: Knex) {
  return {
    async postClaimPayment(input: { claim: ClaimDocument; delivery: RemittanceDelivery; coveragePriority: string; postedAt: string }): Promise<PostingResult> {
      const { claim, delivery } = input;
      const cp = delivery.claimPayment;
      const existing = await db('payments').where({ remittance_key: delivery.remittanceKey, remittance_seq: delivery.seq }).first();
      if (existing) {
        return {
          paymentId: existing.id,
          alreadyPosted: true,
          claimStatusCode: existing.claim_status_code,
          paidCents: existing.paid_cents,
          patientResponsibilityCents: existing.patient_responsibility_cents,
          expectedCents: existing.expected_cents ?? 0,
          underpaidCents: Math.max(0, existing.variance_cents ?? 0),
          disputeRequired: (existing.findings as PostingResult['findings']).some((f) => f.kind === 'underpaid'),
          findings: existing.findings,
          postingLagBusinessDays: existing.posting_lag_business_days ?? 0,
          ...(existing.contract_source
            ? { contract: { source: existing.contract_source, contractId: existing.contract_id ?? null, version: existing.contract_version ?? null, year: Number(claim.serviceDate.slice(0, 4)) } }
            : {}),
        };
      }
      // The contract is the claim's payer's (the secondary's for a secondary payment), whatever id
      // the 835 carries for the payer.
      const contractPayer = input.coveragePriority === 'secondary' && claim.secondaryCoverage ? claim.secondaryCoverage.payerId : claim.payerId;
      // The practice's contract with that payer for the service year; absent fields: payer defaults.
      const policy = await loadPayerPolicy(db, contractPayer);
      const contract = await loadEffectiveContract(db, claim.practiceId, contractPayer, Number(claim.serviceDate.slice(0, 4)));
      const used = contractUsed(contract);
      const comparison = compareRemittanceToContract(claim.lines, cp, contractTermsFor(policyWithContract(policy, contract), contract.feeSchedule, contract.imagingGuidanceCodes));
      const findings: PostingResult['findings'] = comparison.findings.map((f) => ({
        rule: f.rule,
        kind: f.kind,
        severity: f.severity,
        cpt: f.cpt,
        message: f.message,
        varianceCents: f.varianceCents,
        line: f.claimLineIndex !== undefined ? f.claimLineIndex + 1 : undefined,
      }));
      const lag = businessDaysBetween(delivery.receivedAt.slice(0, 10), input.postedAt.slice(0, 10));
      const paymentId = await atomically(db, async (trx) => {
        const [row] = await trx('payments')
          .insert({
            practice_id: claim.practiceId,
            claim_id: claim.claimId,
            remittance_key: delivery.remittanceKey,
            remittance_seq: delivery.seq,
            coverage_priority: input.coveragePriority,
            claim_status_code: cp.statusCode,
            charged_cents: cp.chargedCents,
            paid_cents: cp.paidCents,
            patient_responsibility_cents: cp.patientResponsibilityCents,
            expected_cents: comparison.totalExpectedCents,
            variance_cents: comparison.underpaidCents - comparison.overpaidCents,
            findings: JSON.stringify(findings),
            payment_date: delivery.paymentDate,
            posted_at: input.postedAt,
            posting_lag_business_days: lag,
            contract_id: used.contractId,
            contract_version: used.version,
            contract_source: used.source,
          })
          .returning('id');
        const lineRows = cp.lines.map((l, i) => {
          const cmp = comparison.lines.find((c) => c.cpt === l.cpt && (l.lineNumber ? c.claimLineIndex === l.lineNumber - 1 : true));
          return {
            payment_id: row.id,
            line_number: l.lineNumber ?? i + 1,
            cpt: l.cpt,
            charged_cents: l.chargedCents,
            paid_cents: l.paidCents,
            allowed_cents: l.allowedCents ?? null,
            expected_cents: cmp?.expected.expectedCents ?? null,
          };
        });
        if (lineRows.length) await trx('payment_lines').insert(lineRows).onConflict(['payment_id', 'line_number']).ignore();
        const adjustments = [
          ...cp.adjustments.map((a) => ({ payment_id: row.id, line_number: null, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, remarks: cp.remarks })),
          ...cp.lines.flatMap((l, i) =>
            l.adjustments.map((a) => ({ payment_id: row.id, line_number: l.lineNumber ?? i + 1, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, remarks: l.remarks })),
          ),
        ];
        if (adjustments.length) await trx('adjustments').insert(adjustments);
        await trx('remittance_claims').where({ remittance_key: delivery.remittanceKey, seq: delivery.seq }).update({ delivered_at: input.postedAt });
        return row.id as number;
      });
      observePostingLag(delivery.receivedAt, input.postedAt);
      return {
        paymentId,
        alreadyPosted: false,
        claimStatusCode: cp.statusCode,
        paidCents: cp.paidCents,
        patientResponsibilityCents: cp.patientResponsibilityCents,
        expectedCents: comparison.totalExpectedCents,
        underpaidCents: comparison.underpaidCents,
        disputeRequired: comparison.disputeRequired,
        findings,
        postingLagBusinessDays: lag,
        contract: used,
      };
    },

    /**
     * DEN-1 + DEN-2 + DEN-4: classify a denial (hard/soft, kind, appealable) from its CARCs with the
     * payer's policy, compute its deadlines from the payer's denial date, and log it the day it is
     * received. Runs as an activity so the classification is recorded in history.
     */
    async classifyAndLogDenial(input: {
      claim: ClaimDocument;
      delivery: RemittanceDelivery;
    }): Promise<{
      classification: Pick<DenialClassification, 'category' | 'kind' | 'primaryCarc' | 'appealable' | 'action' | 'denialCarcs'>;
      rarcs: string[];
      denialDate: string;
      correctionDue?: string;
      internalAppealDue?: string;
      payerAppealDeadline?: string;
      peerToPeerDue?: string;
      appealPackage: string[];
      mbbNotes: Array<{ date: string; reliefPercent: number; reliefHours?: number; levels?: string[] }>;
    }> {
      const { claim, delivery } = input;
      const cp = delivery.claimPayment;
      // DEN-4: the appeal window of the practice's contract for the service year, else the payer's default.
      const policy = policyWithContract(
        await loadPayerPolicy(db, claim.payerId),
        await loadEffectiveContract(db, claim.practiceId, claim.payerId, Number(claim.serviceDate.slice(0, 4))),
      );
      const adjustments = [...cp.adjustments, ...cp.lines.flatMap((l) => l.adjustments)];
      const rarcs = [...new Set([...cp.remarks, ...cp.lines.flatMap((l) => l.remarks)])];
      const cpts = claim.lines.map((l) => l.cpt);
      const classification = classifyDenial(adjustments, { payerType: policy.type, remarks: rarcs, cpts });
      const denialDate = delivery.adjudicationDate; // DEN-4: the payer's date, never our receipt date
      const deadlines = denialDeadlines(denialDate, { classification, payerType: policy.type, appealWindowDays: policy.appealWindowDays, cpts });
      await db('denials')
        .insert({
          claim_id: claim.claimId,
          practice_id: claim.practiceId,
          payer_id: delivery.payerId,
          remittance_key: delivery.remittanceKey,
          // The lines this denial is about: a line-level denial (DEN-1 inside a paid claim) names only its denied lines.
          cpt_codes: [...new Set(cp.lines.length ? cp.lines.map((l) => l.cpt) : cpts)],
          carc: classification.primaryCarc ?? 'unknown',
          rarcs,
          category: classification.category,
          kind: classification.kind,
          denial_date: denialDate,
          received_at: delivery.receivedAt,
          action_due: deadlines.correctionDue ?? deadlines.internalAppealDue ?? null,
          appeal_deadline: deadlines.payerAppealDeadline ?? null,
        })
        .onConflict(['practice_id', 'claim_id', 'remittance_key'])
        .ignore();
      // DEN-6: for an RFA denial, the two diagnostic MBB notes: from the authorization record when
      // the claim has one, else (a payer such as Medicare needed no prior authorization) looked up
      // by patient, region and date.
      let mbbNotes: MbbNoteView[] = [];
      const appealPackage = appealPackageRequirements(cpts, classification.kind);
      if (appealPackage.includes('diagnostic_mbb_note_1')) mbbNotes = await diagnosticMbbNotes(db, claim);
      return {
        mbbNotes,
        classification: {
          category: classification.category,
          kind: classification.kind,
          primaryCarc: classification.primaryCarc,
          appealable: classification.appealable,
          action: classification.action,
          denialCarcs: classification.denialCarcs,
        },
        rarcs,
        denialDate,
        correctionDue: deadlines.correctionDue,
        internalAppealDue: deadlines.internalAppealDue,
        payerAppealDeadline: deadlines.payerAppealDeadline,
        peerToPeerDue: deadlines.peerToPeerDue,
        appealPackage,
      };
    },

    /**
     * DEN-7: count denials by CPT × payer × CARC over the rolling window; at the threshold raise one
     * root-cause work item per pattern and month (idempotent key), not one per claim.
     */
    async checkDenialPattern(input: { practiceId: string; payerId: string; asOf: string; threshold?: number; windowDays?: number }): Promise<Array<{ cpt: string; carc: string; count: number; workItemId: number }>> {
      const windowDays = input.windowDays ?? 30;
      const events = await db('denials')
        .where({ payer_id: input.payerId, practice_id: input.practiceId })
        .where('denial_date', '>', addCalendarDays(input.asOf, -windowDays))
        .select('cpt_codes', 'carc', 'denial_date');
      const flat = events.flatMap((r) => (r.cpt_codes as string[]).map((cpt) => ({ cpt, payerId: input.payerId, carc: r.carc, denialDate: r.denial_date })));
      const patterns = denialPatterns(flat, input.asOf, { threshold: input.threshold ?? 3, windowDays });
      const raised: Array<{ cpt: string; carc: string; count: number; workItemId: number }> = [];
      for (const p of patterns) {
        const { id } = await openWorkItem(db, {
          idempotencyKey: `den7:${input.practiceId}:${p.payerId}:${p.cpt}:${p.carc}:${input.asOf.slice(0, 7)}`,
          practiceId: input.practiceId,
          kind: 'denial_root_cause',
          ruleId: 'DEN-7',
          entityType: 'practice',
          entityId: `${p.payerId}:${p.cpt}:${p.carc}`,
          title: `${p.count} denials CARC ${p.carc} on ${p.cpt} from ${p.payerId} in ${windowDays} days: find the root cause`,
          detail: { payerId: p.payerId, cpt: p.cpt, carc: p.carc, count: p.count, firstDenialDate: p.firstDenialDate, lastDenialDate: p.lastDenialDate },
          dueDate: addCalendarDays(input.asOf, 7),
        });
        raised.push({ cpt: p.cpt, carc: p.carc, count: p.count, workItemId: id });
      }
      return raised;
    },

    /** DEN-1: the denial, logged the day it is received with CARC, RARC, category and the payer's denial date. */
    async recordDenial(input: {
      claimId: string;
      practiceId: string;
      payerId: string;
      remittanceKey: string;
      cpts: string[];
      carc: string;
      rarcs: string[];
      category: 'hard' | 'soft';
      kind: string;
      denialDate: string;
      receivedAt: string;
      actionDue?: string;
      appealDeadline?: string;
    }): Promise<{ denialId: number }> {
      const [row] = await db('denials')
        .insert({
          claim_id: input.claimId,
          practice_id: input.practiceId,
          payer_id: input.payerId,
          remittance_key: input.remittanceKey,
          cpt_codes: input.cpts,
          carc: input.carc,
          rarcs: input.rarcs,
          category: input.category,
          kind: input.kind,
          denial_date: input.denialDate,
          received_at: input.receivedAt,
          action_due: input.actionDue ?? null,
          appeal_deadline: input.appealDeadline ?? null,
        })
        .onConflict(['practice_id', 'claim_id', 'remittance_key'])
        .merge(['carc'])
        .returning('id');
      return { denialId: row.id };
    },

    /** DEN-7 input: denials of this payer in the rolling window, for pattern detection. */
    async recentDenials(input: { payerId: string; since: string }): Promise<Array<{ cpt: string; payerId: string; carc: string; denialDate: string; claimId: string }>> {
      const rows = await db('denials').where({ payer_id: input.payerId }).where('denial_date', '>=', input.since).select('cpt_codes', 'carc', 'denial_date', 'claim_id');
      return rows.flatMap((r) => (r.cpt_codes as string[]).map((cpt) => ({ cpt, payerId: input.payerId, carc: r.carc, denialDate: r.denial_date, claimId: r.claim_id })));
    },

    /** A payment delivered to a claim that was closing: parked with a work item for manual posting. */
    async parkClosedClaimPayment(input: { claimId: string; practiceId: string; delivery: RemittanceDelivery }): Promise<void> {
      const { delivery } = input;
      await db('remittance_claims').where({ remittance_key: delivery.remittanceKey, seq: delivery.seq }).update({ match_status: 'claim_closed' });
      await openWorkItem(db, {
        idempotencyKey: `remittance:${delivery.remittanceKey}:${delivery.seq}:closed-claim`,
        practiceId: input.practiceId,
        kind: 'remittance_for_closed_claim',
        ruleId: 'POST-1',
        entityType: 'remittance',
        entityId: delivery.remittanceKey,
        title: `Payment for closed claim ${input.claimId} (${(delivery.claimPayment.paidCents / 100).toFixed(2)}) needs manual posting`,
        detail: { claimId: input.claimId, seq: delivery.seq, statusCode: delivery.claimPayment.statusCode },
        dueDate: delivery.receivedAt.slice(0, 10),
        dollarsAtRiskCents: Math.abs(delivery.claimPayment.paidCents),
      });
    },

    async markDenialStatus(input: { claimId: string; practiceId: string; status: string }): Promise<void> {
      await db('denials').where(await claimKey(db, input)).whereNot({ status: 'closed' }).update({ status: input.status });
    },
  };
}
