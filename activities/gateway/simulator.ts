/**
 * Payer simulator behind the PayerGateway interface. It reads the 837P it is sent (so the X12
 * path is exercised), and answers asynchronously through the InboundSink like a real
 * clearinghouse: an acknowledgement after `ackDelayMs`, then a remittance after `remitDelayMs`.
 * Behaviour per payer (and per claim, for tests): clean payment at contract, underpayment,
 * multiple-procedure reduction applied wrongly, denial with a CARC, front-end rejection, silence.
 * Deterministic when seeded: a 'mixed' payer picks a behaviour from a hash of (seed, claimId).
 */
import { parse837P } from '../../x12';
import type { ClaimDocument } from '../../domain/claim-document';
import type { Adjustment, ClaimPayment, LinePayment, Remittance } from '../../domain/remittance';
import { expectedPayment } from '../../domain/contract';
import { builtInFeeSchedule, resolvePayerPolicy, isKnownPayer, defaultPolicyForType } from '../../domain/payer-policy';
import { contractTermsFor } from '../../domain/posting';
import type { ClaimSubmission, InboundSink, PayerGateway, StatusInquiryResult } from './types';

export type PayerBehaviour =
  | { kind: 'pay' }
  | { kind: 'underpay'; percentOfExpected: number }
  | { kind: 'mpr_wrong' }
  | { kind: 'deny'; carc: string; rarc?: string }
  | { kind: 'reject'; reason: string }
  | { kind: 'silence' };

export type SimulatorConfig = {
  seed?: number;
  ackDelayMs?: number;
  remitDelayMs?: number;
  /** Per payer id; default { kind: 'pay' }. 'mixed' draws from a weighted list per claim. */
  payers?: Record<string, PayerBehaviour | 'mixed'>;
  /** Coinsurance the patient owes as PR-2, percent of the allowed amount (Medicare 20). */
  coinsurancePercent?: Record<string, number>;
  /** Clock for dates on acks and remittances (tests pass a fixed one). */
  now?: () => Date;
};

const MIXED: Array<[PayerBehaviour, number]> = [
  [{ kind: 'pay' }, 60],
  [{ kind: 'underpay', percentOfExpected: 90 }, 10],
  [{ kind: 'mpr_wrong' }, 10],
  [{ kind: 'deny', carc: '50', rarc: 'N115' }, 8],
  [{ kind: 'deny', carc: '16', rarc: 'M51' }, 5],
  [{ kind: 'reject', reason: 'A7:562 entity identifier invalid' }, 2],
  [{ kind: 'silence' }, 5],
];

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class PayerSimulator implements PayerGateway {
  readonly name = 'simulator';
  private readonly perClaim = new Map<string, PayerBehaviour>();
  private readonly submitted = new Map<string, { submission: ClaimSubmission; at: string }>();
  private traceSeq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  sink?: InboundSink;

  constructor(private readonly config: SimulatorConfig = {}) {}

  /** Tests: force a behaviour for one claim id. */
  behaveFor(claimId: string, behaviour: PayerBehaviour): void {
    this.perClaim.set(claimId, behaviour);
  }

  behaviourOf(claimId: string, payerId: string): PayerBehaviour {
    const forced = this.perClaim.get(claimId);
    if (forced) return forced;
    const configured = this.config.payers?.[payerId] ?? { kind: 'pay' };
    if (configured !== 'mixed') return configured;
    const total = MIXED.reduce((s, [, w]) => s + w, 0);
    let pick = hash32(`${this.config.seed ?? 1}:${claimId}`) % total;
    for (const [behaviour, weight] of MIXED) {
      if (pick < weight) return behaviour;
      pick -= weight;
    }
    return { kind: 'pay' };
  }

  private now(): Date {
    return this.config.now?.() ?? new Date();
  }

  private later(ms: number, fn: () => Promise<unknown>) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn().catch((err) => process.stderr.write(`payer simulator: delivery failed: ${(err as Error).message}\n`));
    }, ms);
    this.timers.add(timer);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async submitClaim(submission: ClaimSubmission): Promise<{ trackingId: string }> {
    // Read what a payer would read: the 837P, not our JSON.
    const [parsed] = parse837P(submission.x12, { practiceId: submission.claim.practiceId, payerId: submission.payerId });
    const claim: ClaimDocument = { ...submission.claim, ...parsed.claim, documentation: submission.claim.documentation };
    const at = this.now().toISOString();
    this.submitted.set(claim.claimId, { submission, at });
    const behaviour = this.behaviourOf(claim.claimId, submission.payerId);
    const sink = this.sink;
    if (sink && behaviour.kind !== 'silence') {
      const accepted = behaviour.kind !== 'reject';
      this.later(this.config.ackDelayMs ?? 50, () =>
        sink.acknowledgement({
          claimId: claim.claimId,
          interchangeControlNumber: submission.interchangeControlNumber,
          accepted,
          reasons: behaviour.kind === 'reject' ? [behaviour.reason] : [],
          payerClaimControlNumber: accepted ? `SIM${submission.interchangeControlNumber}` : undefined,
          at: this.now().toISOString(),
          source: 'simulator',
        }),
      );
      if (accepted) {
        this.later((this.config.ackDelayMs ?? 50) + (this.config.remitDelayMs ?? 100), () =>
          sink.remittance(this.remittanceFor(claim, submission, behaviour), 'simulator'),
        );
      }
    }
    return { trackingId: `SIM-${submission.interchangeControlNumber}` };
  }

  async statusInquiry(q: { claimId: string; payerId: string }): Promise<StatusInquiryResult> {
    const known = this.submitted.get(q.claimId);
    const checkedAt = this.now().toISOString();
    if (!known) return { category: 'not_found', detail: 'payer has no record of this claim', checkedAt };
    return { category: 'pending', detail: 'claim received, in process (277 P1:20)', checkedAt };
  }

  /** The 835 claim payment a payer with this behaviour would send. */
  remittanceFor(claim: ClaimDocument, submission: ClaimSubmission, behaviour: PayerBehaviour): Remittance {
    const payerId = submission.payerId;
    const date = this.now().toISOString().slice(0, 10);
    const payment = this.claimPayment(claim, payerId, behaviour, submission.coveragePriority);
    return {
      payerId,
      traceNumber: `SIMTRN${String(++this.traceSeq).padStart(6, '0')}${hash32(claim.claimId + submission.submissionId) % 100000}`,
      totalPaidCents: payment.paidCents,
      paymentDate: date,
      adjudicationDate: date,
      claims: [payment],
      providerAdjustments: [],
    };
  }

  claimPayment(claim: ClaimDocument, payerId: string, behaviour: PayerBehaviour, priority: ClaimSubmission['coveragePriority'] = 'primary'): ClaimPayment {
    const policy = isKnownPayer(payerId) ? resolvePayerPolicy(payerId) : defaultPolicyForType('commercial');
    const fees = builtInFeeSchedule(isKnownPayer(payerId) ? payerId : 'COMMERCIAL', Number(claim.serviceDate.slice(0, 4)));
    const expected = expectedPayment(claim.lines, contractTermsFor(policy, fees));
    const coinsurance = this.config.coinsurancePercent?.[payerId] ?? (policy.type === 'commercial' ? 10 : 20);
    const statusCode = priority === 'secondary' ? '2' : priority === 'tertiary' ? '3' : '1';
    if (behaviour.kind === 'deny') {
      const lines: LinePayment[] = claim.lines.map((l, i) => ({
        lineNumber: i + 1,
        cpt: l.cpt,
        modifiers: l.modifiers ?? [],
        chargedCents: l.chargeCents,
        paidCents: 0,
        units: l.units,
        adjustments: [{ group: 'CO', carc: behaviour.carc, amountCents: l.chargeCents }],
        remarks: behaviour.rarc ? [behaviour.rarc] : [],
      }));
      const charged = claim.lines.reduce((s, l) => s + l.chargeCents, 0);
      return { claimId: claim.claimId, statusCode: '4', chargedCents: charged, paidCents: 0, patientResponsibilityCents: 0, adjustments: [], remarks: [], lines };
    }
    const lines: LinePayment[] = claim.lines.map((l, i) => {
      const e = expected.lines[i];
      const base = e.allowableCents ?? l.chargeCents;
      let allowed = e.expectedCents ?? l.chargeCents;
      if (behaviour.kind === 'underpay') allowed = Math.round((allowed * behaviour.percentOfExpected) / 100);
      // The classic error: every line after the first cut in half, add-ons included.
      if (behaviour.kind === 'mpr_wrong' && i > 0) allowed = Math.round(base / 2);
      allowed = Math.min(allowed, l.chargeCents);
      const mprCut = Math.max(0, Math.min(base, l.chargeCents) - allowed);
      const patient = Math.round((allowed * coinsurance) / 100);
      const adjustments: Adjustment[] = [];
      const contractual = l.chargeCents - Math.min(base, l.chargeCents);
      if (contractual > 0) adjustments.push({ group: 'CO', carc: '45', amountCents: contractual });
      if (mprCut > 0) adjustments.push({ group: 'CO', carc: '59', amountCents: mprCut });
      if (patient > 0) adjustments.push({ group: 'PR', carc: '2', amountCents: patient });
      return {
        lineNumber: i + 1,
        cpt: l.cpt,
        modifiers: l.modifiers ?? [],
        chargedCents: l.chargeCents,
        paidCents: allowed - patient,
        allowedCents: allowed,
        units: l.units,
        adjustments,
        remarks: [],
      };
    });
    const sum = (f: (l: LinePayment) => number) => lines.reduce((s, l) => s + f(l), 0);
    return {
      claimId: claim.claimId,
      statusCode,
      chargedCents: sum((l) => l.chargedCents),
      paidCents: sum((l) => l.paidCents),
      patientResponsibilityCents: sum((l) => l.adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + a.amountCents, 0)),
      adjustments: [],
      remarks: [],
      lines,
    };
  }
}
