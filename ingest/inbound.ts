/**
 * Inbound payer messages (acknowledgements, remittances) from any source — the API, the `rcm era`
 * command, the payer simulator, the file-drop clearinghouse inbox — go through here to the claim
 * workflows. A remittance is stored first (idempotent per claim payment: payer as the file names it, TRN, CLP01, CLP07, occurrence), its claim payments
 * are matched to claims or parked as unmatched with a work item, then each matched payment is
 * signalled to its claim workflow. Delivery is recorded per claim payment, so a repeated file
 * (or a crash between storing and signalling) re-delivers only what was not delivered.
 */
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Remittance, claimPaymentKeys, remittanceKey } from '../domain/remittance';
import { acknowledgementSignal, claimWorkflowId, legacyClaimWorkflowId, remittanceSignal, type RemittanceDelivery } from '../contracts/claim';
import { openWorkItem } from '../db/work-items';
import { loadPayerResolver } from '../db/payer-identifiers';
import type { Acknowledgement, InboundSink } from '../activities/gateway/types';

export class RemittanceRejected extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RemittanceRejected';
  }
}

export type IngestReport = {
  remittanceKey: string;
  /** True when every claim payment of it was already stored (nothing new posted). */
  duplicate: boolean;
  /** Claim payments already stored by an earlier file (same payer in the file, TRN, CLP01, CLP07, occurrence): not posted again. */
  duplicatePayments: number;
  claims: number;
  matched: string[];
  unmatched: string[];
  /** Claim payments whose payer is not the claim's payer: parked with a work item, not posted. */
  payerMismatch: string[];
  /** Claim payments for claims of another practice than the payee the ERA names (N1*PE): parked with a work item, not posted. */
  payeeMismatch: string[];
  /** The practice the ERA's payee (N1*PE NPI or tax id) identifies, when it identifies one. */
  payeePracticeId: string | null;
  delivered: number;
  totals: { paidCents: number; providerAdjustmentCents: number; bprTotalCents: number; reconciles: boolean };
};

/**
 * The practice an ERA pays, from its payee (N1*PE): the one practice whose billing NPI it is (XX),
 * else the one practice with that tax id (FI). Undefined when the payee is absent or identifies none
 * (or several) of our practices: the claims' own practices are then trusted (a rendering NPI, as the
 * payer simulator sends, identifies no practice).
 */
export async function payeePracticeOf(db: Knex, r: Pick<Remittance, 'payeeNpi' | 'payeeTaxId'>): Promise<string | undefined> {
  if (r.payeeNpi) {
    const byBilling: string[] = await db('practices').where({ billing_npi: r.payeeNpi }).orderBy('id').limit(2).pluck('id');
    if (byBilling.length === 1) return byBilling[0];
  }
  if (r.payeeTaxId) {
    const byTaxId: string[] = await db('practices').where({ tax_id: r.payeeTaxId }).orderBy('id').limit(2).pluck('id');
    if (byTaxId.length === 1) return byTaxId[0];
  }
  return undefined;
}

/** BPR02 must equal Σ CLP04 − Σ PLB: a file that does not balance is rejected whole. */
export function remittanceTotals(r: Remittance) {
  const paidCents = r.claims.reduce((s, c) => s + c.paidCents, 0);
  const providerAdjustmentCents = r.providerAdjustments.reduce((s, p) => s + p.amountCents, 0);
  return { paidCents, providerAdjustmentCents, bprTotalCents: r.totalPaidCents, reconciles: paidCents - providerAdjustmentCents === r.totalPaidCents };
}

/** Schema and balance check of a remittance; throws RemittanceRejected naming the field. Stores nothing. */
export function validateRemittance(input: unknown): Remittance {
  const parsed = Remittance.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RemittanceRejected(`${issue.path.join('.') || '(root)'}: ${issue.message}`, issue.path.join('.'));
  }
  const r = parsed.data;
  const totals = remittanceTotals(r);
  if (!totals.reconciles) {
    throw new RemittanceRejected(
      `totalPaidCents ${r.totalPaidCents} does not equal the claim payments ${totals.paidCents} less provider adjustments ${totals.providerAdjustmentCents}`,
      'totalPaidCents',
    );
  }
  return r;
}

export function createInbound(deps: { db: Knex; temporal: Client; now?: () => Date }): Required<InboundSink> & {
  ingestRemittance(input: unknown, source: string): Promise<IngestReport>;
  validateRemittance(input: unknown): Remittance;
  redeliverPending(): Promise<number>;
} {
  const { db, temporal } = deps;
  const now = () => (deps.now?.() ?? new Date()).toISOString();

  /** Signals in flight at once while delivering one remittance (measured: one at a time made 98% of a 10,000-claim ERA). */
  const DELIVERY_CONCURRENCY = 16;
  const DELIVERY_PAGE = 500;

  async function deliverOne(
    key: string,
    received: { payer_id: string; payment_date: string; adjudication_date: string; received_at: Date | string },
    rc: { id: number; seq: number; claim_id: string; practice_id: string; workflow_id: string | null; paid_cents: number; claim_payment: RemittanceDelivery['claimPayment'] },
  ): Promise<boolean> {
    const delivery: RemittanceDelivery = {
      remittanceKey: key,
      payerId: received.payer_id,
      paymentDate: received.payment_date,
      adjudicationDate: received.adjudication_date,
      receivedAt: new Date(received.received_at).toISOString(),
      seq: rc.seq,
      claimPayment: rc.claim_payment,
    };
    try {
      // The claim's workflow as the read model records it (claims started before issue 13 keep `claim:<claimId>`).
      await temporal.workflow.getHandle(rc.workflow_id ?? claimWorkflowId(rc.practice_id, rc.claim_id)).signal(remittanceSignal, delivery);
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The claim's workflow has ended (closed claim): park for a person, never drop.
      await db('remittance_claims').where({ id: rc.id }).update({ match_status: 'claim_closed' });
      await openWorkItem(db, {
        idempotencyKey: `remittance:${key}:${rc.seq}:closed-claim`,
        practiceId: rc.practice_id ?? 'unknown',
        kind: 'remittance_for_closed_claim',
        ruleId: 'POST-1',
        entityType: 'remittance',
        entityId: key,
        title: `Payment for closed claim ${rc.claim_id} (${(rc.paid_cents / 100).toFixed(2)}) needs manual posting`,
        detail: { claimId: rc.claim_id, seq: rc.seq },
        dueDate: now().slice(0, 10),
        dollarsAtRiskCents: Math.abs(rc.paid_cents),
      });
      return false;
    }
  }

  /**
   * Signal every matched, undelivered claim payment of a remittance to its claim workflow: a page
   * of rows at a time, a bounded number of signals in flight, delivery recorded per page. The
   * workflow de-duplicates by (remittance, seq), so a payment signalled twice after a crash posts once.
   */
  async function deliver(key: string, received: { payer_id: string; payment_date: string; adjudication_date: string; received_at: Date | string }): Promise<number> {
    let delivered = 0;
    let afterSeq = -1;
    for (;;) {
      const page = await db('remittance_claims as rc')
        .leftJoin('claims as c', (j) => j.on('c.practice_id', 'rc.practice_id').andOn('c.claim_id', 'rc.claim_id'))
        .where({ 'rc.remittance_key': key, 'rc.match_status': 'matched' })
        .whereNull('rc.delivered_at')
        .where('rc.seq', '>', afterSeq)
        .orderBy('rc.seq')
        .limit(DELIVERY_PAGE)
        .select('rc.id', 'rc.seq', 'rc.claim_id', 'rc.practice_id', 'rc.paid_cents', 'rc.claim_payment', 'c.workflow_id');
      if (page.length === 0) return delivered;
      afterSeq = page[page.length - 1].seq;
      const done: number[] = [];
      // One claim's payments (a reversal and its correction, primary and secondary) go in file
      // order, one after another; different claims go in parallel.
      const byClaim = new Map<string, typeof page>();
      for (const rc of page) byClaim.set(`${rc.practice_id}\u0000${rc.claim_id}`, [...(byClaim.get(`${rc.practice_id}\u0000${rc.claim_id}`) ?? []), rc]);
      const groups = [...byClaim.values()];
      let next = 0;
      const lane = async () => {
        while (next < groups.length) {
          for (const rc of groups[next++]) if (await deliverOne(key, received, rc)) done.push(rc.id);
        }
      };
      await Promise.all(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, groups.length) }, lane));
      if (done.length) await db('remittance_claims').whereIn('id', done).whereNull('delivered_at').update({ delivered_at: now() });
      delivered += done.length;
    }
  }

  /**
   * The claim a 999/277CA answers, within the submitting practice (issue 13: claim ids are unique
   * per practice): the submission with that interchange control number (ISA13 is unique per
   * installation) names the practice; without one, the one practice holding the claim id.
   */
  async function acknowledgedClaimWorkflow(ack: Acknowledgement): Promise<string | undefined> {
    let practiceId = ack.practiceId;
    if (!practiceId && ack.interchangeControlNumber) {
      practiceId = (await db('submissions').where({ claim_id: ack.claimId, interchange_control_number: ack.interchangeControlNumber }).first('practice_id'))?.practice_id;
    }
    const q = db('claims').where({ claim_id: ack.claimId });
    if (practiceId) q.where({ practice_id: practiceId });
    const rows: Array<{ practice_id: string; workflow_id: string }> = await q.limit(2).select('practice_id', 'workflow_id');
    if (rows.length === 1) return rows[0].workflow_id;
    if (rows.length > 1) return undefined;
    // A claim whose read-model row is not written yet: its workflow id by the practice, else the old form.
    return practiceId ? claimWorkflowId(practiceId, ack.claimId) : legacyClaimWorkflowId(ack.claimId);
  }

  return {
    validateRemittance,

    async ingestRemittance(input: unknown, source: string): Promise<IngestReport> {
      const r = validateRemittance(input);
      const totals = remittanceTotals(r);
      const baseKey = remittanceKey(r);
      const paymentKeys = claimPaymentKeys(r);
      const payerInFile = r.payerInFile || r.payerId;
      const receivedAt = now();
      const outcome = await db.transaction(async (trx) => {
        // One ingestion at a time per (payer as the file says, TRN): the check for already stored
        // claim payments and the inserts below cannot interleave with a concurrent copy of the file.
        await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [JSON.stringify([payerInFile, r.traceNumber])]);
        const stored = new Map<string, string>();
        for (let i = 0; i < paymentKeys.length; i += 1000) {
          const rows = await trx('remittance_claims').whereIn('payment_key', paymentKeys.slice(i, i + 1000)).select('payment_key', 'remittance_key');
          for (const row of rows) stored.set(row.payment_key, row.remittance_key);
        }
        const fresh = r.claims.map((c, seq) => ({ c, seq, paymentKey: paymentKeys[seq] })).filter((x) => !stored.has(x.paymentKey));
        const duplicateOf = [...new Set(stored.values())];
        if (fresh.length === 0 && r.claims.length > 0) {
          return { key: duplicateOf[0] ?? baseKey, duplicate: true, duplicatePayments: r.claims.length, matched: [] as string[], unmatched: [] as string[], payerMismatch: [] as string[], payeeMismatch: [] as string[], payeePracticeId: null as string | null, duplicateOf };
        }
        if (r.claims.length === 0 && (await trx('remittances').where({ remittance_key: baseKey }).first('remittance_key'))) {
          // A remittance with no claim payments (PLB only) is identified by payer + TRN alone.
          return { key: baseKey, duplicate: true, duplicatePayments: 0, matched: [] as string[], unmatched: [] as string[], payerMismatch: [] as string[], payeeMismatch: [] as string[], payeePracticeId: null as string | null, duplicateOf: [baseKey] };
        }
        // A second transaction set reusing a TRN (new claim payments) is stored under payer:TRN#n.
        const taken = await trx('remittances').where('remittance_key', baseKey).orWhere('remittance_key', 'like', `${baseKey.replace(/[\\%_]/g, (m) => `\\${m}`)}#%`).count<{ n: string }[]>('* as n');
        const n = Number(taken[0].n);
        const key = n === 0 ? baseKey : `${baseKey}#${n + 1}`;
        await trx('remittances').insert({
          remittance_key: key,
          payer_id: r.payerId,
          payer_in_file: payerInFile,
          trace_number: r.traceNumber,
          payment_date: r.paymentDate,
          adjudication_date: r.adjudicationDate,
          total_paid_cents: r.totalPaidCents,
          claim_count: r.claims.length,
          source,
          provider_adjustments: JSON.stringify(r.providerAdjustments),
          received_at: receivedAt,
        });
        const ids = [...new Set(fresh.map((x) => x.c.claimId))];
        // Claim ids are unique per practice (issue 13): every practice holding each id.
        const known = new Map<string, Array<{ practiceId: string; payers: string[] }>>();
        for (let i = 0; i < ids.length; i += 1000) {
          const rows = await trx('claims')
            .whereIn('claim_id', ids.slice(i, i + 1000))
            .select('claim_id', 'practice_id', 'payer_id', trx.raw(`document->'secondaryCoverage'->>'payerId' as secondary_payer_id`));
          for (const row of rows) known.set(row.claim_id, [...(known.get(row.claim_id) ?? []), { practiceId: row.practice_id, payers: [row.payer_id, row.secondary_payer_id].filter(Boolean) }]);
        }
        // The practice the ERA pays (N1*PE): only its claims are posted from this file.
        const payeePractice = await payeePracticeOf(trx, r);
        // CLP01 names a claim within the payee's practice; without an identified payee, the one
        // practice holding the id (several: ambiguous, parked as unmatched).
        const claimOf = (claimId: string) => {
          const held = known.get(claimId) ?? [];
          return payeePractice ? held.find((h) => h.practiceId === payeePractice) : held.length === 1 ? held[0] : undefined;
        };
        // POST-1: a claim payment is posted only to a claim of the payer that pays it; a payment
        // from another payer (an unknown REF*2U, a wrong ?payerId=) is parked with a work item, and
        // so is one for a claim of another practice than the payee.
        const statusOf = (claimId: string) => {
          const claim = claimOf(claimId);
          if (!claim) return payeePractice && known.has(claimId) ? 'payee_mismatch' : 'unmatched';
          return claim.payers.includes(r.payerId) ? 'matched' : 'payer_mismatch';
        };
        const rows = fresh.map(({ c, seq, paymentKey }) => ({
          remittance_key: key,
          seq,
          claim_id: c.claimId,
          practice_id: claimOf(c.claimId)?.practiceId ?? null,
          claim_status_code: c.statusCode,
          paid_cents: c.paidCents,
          claim_payment: JSON.stringify(c),
          match_status: statusOf(c.claimId),
          payment_key: paymentKey,
        }));
        for (let i = 0; i < rows.length; i += 1000) await trx('remittance_claims').insert(rows.slice(i, i + 1000));
        const unmatchedClaims = fresh.filter((x) => statusOf(x.c.claimId) === 'unmatched').map((x) => x.c);
        // An unknown claim's payment goes to the worklist of the practice the ERA pays (N1*PE).
        for (const c of unmatchedClaims) {
          await openWorkItem(trx, {
            idempotencyKey: `remittance:${key}:unmatched:${c.claimId}:${c.statusCode}`,
            practiceId: payeePractice ?? 'unassigned',
            kind: 'unmatched_remittance',
            ruleId: 'POST-1',
            entityType: 'remittance',
            entityId: key,
            title: `ERA ${r.traceNumber}: payment for unknown claim ${c.claimId} (${(c.paidCents / 100).toFixed(2)}) parked`,
            detail: { claimId: c.claimId, statusCode: c.statusCode, paidCents: c.paidCents },
            dueDate: receivedAt.slice(0, 10),
            dollarsAtRiskCents: Math.abs(c.paidCents),
          });
        }
        const mismatched = fresh.filter((x) => statusOf(x.c.claimId) === 'payer_mismatch');
        for (const { c, seq } of mismatched) {
          const claim = claimOf(c.claimId)!;
          await openWorkItem(trx, {
            idempotencyKey: `remittance:${key}:${seq}:payer-mismatch`,
            practiceId: claim.practiceId,
            kind: 'remittance_payer_mismatch',
            ruleId: 'POST-1',
            entityType: 'remittance',
            entityId: key,
            title: `ERA ${r.traceNumber} from payer ${r.payerId}: payment for claim ${c.claimId} (${(c.paidCents / 100).toFixed(2)}) whose payer is ${claim.payers.join('/')} parked`,
            detail: { claimId: c.claimId, seq, statusCode: c.statusCode, paidCents: c.paidCents, remittancePayerId: r.payerId, payerInFile, claimPayers: claim.payers },
            dueDate: receivedAt.slice(0, 10),
            dollarsAtRiskCents: Math.abs(c.paidCents),
          });
        }
        const payeeMismatched = fresh.filter((x) => statusOf(x.c.claimId) === 'payee_mismatch');
        for (const { c, seq } of payeeMismatched) {
          // The money reached the payee practice's account: its worklist returns or re-routes it.
          await openWorkItem(trx, {
            idempotencyKey: `remittance:${key}:${seq}:payee-mismatch`,
            practiceId: payeePractice!,
            kind: 'remittance_payee_mismatch',
            ruleId: 'POST-1',
            entityType: 'remittance',
            entityId: key,
            title: `ERA ${r.traceNumber} pays practice ${payeePractice} for claim ${c.claimId} (${(c.paidCents / 100).toFixed(2)}) of another practice: parked, not posted`,
            detail: { claimId: c.claimId, seq, statusCode: c.statusCode, paidCents: c.paidCents, payeePracticeId: payeePractice, payeeNpi: r.payeeNpi, payeeTaxId: r.payeeTaxId },
            dueDate: receivedAt.slice(0, 10),
            dollarsAtRiskCents: Math.abs(c.paidCents),
          });
        }
        return {
          key,
          duplicate: false,
          duplicatePayments: r.claims.length - fresh.length,
          matched: fresh.filter((x) => statusOf(x.c.claimId) === 'matched').map((x) => x.c.claimId),
          unmatched: unmatchedClaims.map((c) => c.claimId),
          payerMismatch: mismatched.map((x) => x.c.claimId),
          payeeMismatch: payeeMismatched.map((x) => x.c.claimId),
          payeePracticeId: payeePractice ?? null,
          duplicateOf,
        };
      });
      // Deliver what this ingestion stored; for a repeated file, re-deliver what the first copy
      // stored but never signalled (a crash between storing and signalling).
      let delivered = 0;
      for (const key of outcome.duplicate ? outcome.duplicateOf : [outcome.key]) {
        const stored = await db('remittances').where({ remittance_key: key }).first();
        if (stored) delivered += await deliver(key, stored);
      }
      return {
        remittanceKey: outcome.key,
        duplicate: outcome.duplicate,
        duplicatePayments: outcome.duplicatePayments,
        claims: r.claims.length,
        matched: outcome.matched,
        unmatched: outcome.unmatched,
        payerMismatch: outcome.payerMismatch,
        payeeMismatch: outcome.payeeMismatch,
        payeePracticeId: outcome.payeePracticeId,
        delivered,
        totals,
      };
    },

    async remittance(remittance: Remittance, source: string) {
      return this.ingestRemittance(remittance, source);
    },

    /** 835 payer identification: payer_identifiers (per practice, then installation) and our payer keys. */
    payerResolver() {
      return loadPayerResolver(db);
    },

    async acknowledgement(ack: Acknowledgement): Promise<void> {
      const workflowId = await acknowledgedClaimWorkflow(ack);
      if (!workflowId) return; // no claim of ours (or ambiguous without the interchange): nothing to tell
      try {
        await temporal.workflow.getHandle(workflowId).signal(acknowledgementSignal, {
          accepted: ack.accepted,
          reasons: ack.reasons,
          interchangeControlNumber: ack.interchangeControlNumber,
          payerClaimControlNumber: ack.payerClaimControlNumber,
          at: ack.at,
          source: ack.source,
        });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },

    /** Deliver claim payments stored but not yet signalled (after a crash). */
    async redeliverPending(): Promise<number> {
      const keys = await db('remittance_claims').where({ match_status: 'matched' }).whereNull('delivered_at').distinct('remittance_key');
      let n = 0;
      for (const { remittance_key } of keys) {
        const stored = await db('remittances').where({ remittance_key }).first();
        n += await deliver(remittance_key, stored);
      }
      return n;
    },
  };
}
