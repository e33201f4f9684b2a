/**
 * Payer simulator behind the PayerGateway interface. It reads the 837P it is sent (so the X12
 * path is exercised), and answers asynchronously in X12 like a real clearinghouse: a 277CA claim
 * acknowledgement after `ackDelayMs`, then an 835 remittance after `remitDelayMs`. Both files go
 * through the same inbound X12 path as a clearinghouse's files (`ingestX12`: parse, validate,
 * then hand to the InboundSink), or to `x12Sink` when one is set.
 * Behaviour per payer (and per claim, for tests): clean payment at contract, underpayment,
 * multiple-procedure reduction applied wrongly, denial with a CARC, front-end rejection, silence.
 * Deterministic when seeded: a 'mixed' payer picks a behaviour from a hash of (seed, claimId).
 * A rejection reason written as `A7:562 free text` becomes STC01 A7:562 + STC12 "free text" and
 * reads back as the same string; any other reason is sent as A7:21 (missing or invalid
 * information) with the reason as the STC12 text.
 */
import { generate835, parse837P } from '../../x12';
import { generate277CA } from '../../x12/generate-277ca';
import type { Status277 } from '../../x12';
import type { ClaimDocument } from '../../domain/claim-document';
import type { Adjustment, ClaimPayment, LinePayment, Remittance } from '../../domain/remittance';
import { expectedPayment } from '../../domain/contract';
import { builtInFeeSchedule, resolvePayerPolicy, isKnownPayer, defaultPolicyForType } from '../../domain/payer-policy';
import { contractTermsFor } from '../../domain/posting';
import type { Knex } from 'knex';
import { SimulatorOutbox, retryDelayMs } from './simulator-outbox';
import type { ClaimSubmission, InboundSink, PayerGateway, StatusInquiryRequest, StatusInquiryResult } from './types';
import { generate277, parse276, type ClaimStatus277Input } from '../../x12/claim-status';
import { request276, resultFrom277, unusableStatusExchange } from './claim-status-x12';
import { ingestX12 } from '../../ingest/x12-inbound';

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
  /** Where the simulator's X12 files go instead of the built-in `ingestX12` → `sink` route. */
  x12Sink?: X12Sink;
  /**
   * Keep pending answers in PostgreSQL (table simulator_answers) so that a worker crash or a
   * database outage delays them instead of losing them (`npm start`, the worker). Without it they
   * wait in memory and are retried while the process lives (tests).
   */
  outbox?: { db: Knex; pollMs?: number };
};

/** Receives the X12 text the simulated payer sends back (835 remittance, 277CA acknowledgement). */
export type X12Sink = (text: string, kind: '835' | '277CA') => Promise<unknown>;

/** Sender / receiver ids for the simulated envelopes: at most 15 characters, no delimiters. */
function envelopeId(value: string, fallback: string): string {
  return value.replace(/[^A-Za-z0-9 .-]/g, '').slice(0, 15) || fallback;
}

/** Split a simulator rejection reason into a 277CA status and free text. */
export function rejectionStatus(reason: string): { status: Status277; message?: string } {
  const m = /^([A-Z][0-9]):([0-9A-Z]+)(?::([0-9A-Z]+))?(?:\s+(.*))?$/.exec(reason.trim());
  if (m) return { status: { category: m[1], code: m[2], ...(m[3] ? { entity: m[3] } : {}) }, ...(m[4] ? { message: m[4] } : {}) };
  return { status: { category: 'A7', code: '21' }, message: reason };
}

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
  private readonly statusScripts = new Map<string, Pick<ClaimStatus277Input, 'statuses'> & Partial<ClaimStatus277Input>>();
  private controlSeq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  sink?: InboundSink;
  /** Overrides where the X12 answers go (default: parsed by `ingestX12` and handed to `sink`). */
  x12Sink?: X12Sink;

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

  /** In-memory delivery (no outbox): retried with a bounded backoff while the process lives. */
  private later(ms: number, fn: () => Promise<unknown>, attempt = 1) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn().catch((err) => {
        if (this.stopped) return;
        process.stderr.write(`payer simulator: delivery failed (attempt ${attempt}, retrying): ${(err as Error).message.split('\n')[0]}\n`);
        this.later(retryDelayMs(attempt), fn, attempt + 1);
      });
    }, ms);
    this.timers.add(timer);
  }

  private stopped = false;
  private outbox?: SimulatorOutbox;

  /** The durable outbox, created on first use and polled from then on. */
  private durableOutbox(deliver: X12Sink): SimulatorOutbox | undefined {
    if (!this.config.outbox) return undefined;
    if (!this.outbox) {
      this.outbox = new SimulatorOutbox(this.config.outbox.db, deliver, {
        pollMs: this.config.outbox.pollMs,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (!this.stopped) this.outbox.start();
    }
    return this.outbox;
  }

  /** Start delivering answers stored by an earlier process (call once the sink is set). */
  resume(): void {
    const deliver = this.deliverer();
    if (deliver) this.durableOutbox(deliver);
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    return this.outbox?.stop() ?? Promise.resolve();
  }

  /** The last submission (its 837P included) this simulated payer received for a claim: what tests read back. */
  receivedSubmission(claimId: string): ClaimSubmission | undefined {
    return this.submitted.get(claimId)?.submission;
  }

  async submitClaim(submission: ClaimSubmission): Promise<{ trackingId: string }> {
    // Read what a payer would read: the 837P, not our JSON.
    const [parsed] = parse837P(submission.x12, { practiceId: submission.claim.practiceId, payerId: submission.payerId });
    const claim: ClaimDocument = { ...submission.claim, ...parsed.claim, documentation: submission.claim.documentation };
    const at = this.now().toISOString();
    this.submitted.set(claim.claimId, { submission, at });
    const behaviour = this.behaviourOf(claim.claimId, submission.payerId);
    const deliver = this.deliverer();
    if (deliver && behaviour.kind !== 'silence') {
      const accepted = behaviour.kind !== 'reject';
      const ackMs = this.config.ackDelayMs ?? 50;
      const remitMs = ackMs + (this.config.remitDelayMs ?? 100);
      const outbox = this.durableOutbox(deliver);
      if (outbox) {
        // Stored before the 837P counts as received: no row, no answer, and the activity retries.
        const t = this.now().getTime();
        await outbox.enqueue([
          { kind: '277CA', claimId: claim.claimId, x12: this.acknowledgement277CA(claim, submission, behaviour), dueAt: new Date(t + ackMs) },
          ...(accepted ? [{ kind: '835' as const, claimId: claim.claimId, x12: this.remittance835(this.remittanceFor(claim, submission, behaviour), claim), dueAt: new Date(t + remitMs) }] : []),
        ]);
      } else {
        this.later(ackMs, () => deliver(this.acknowledgement277CA(claim, submission, behaviour), '277CA'));
        if (accepted) this.later(remitMs, () => deliver(this.remittance835(this.remittanceFor(claim, submission, behaviour), claim), '835'));
      }
    }
    return { trackingId: `SIM-${submission.interchangeControlNumber}` };
  }

  /** Where X12 answers go: `x12Sink`, else parsed back and handed to `sink`; none → nobody listens. */
  private deliverer(): X12Sink | undefined {
    const x12Sink = this.x12Sink ?? this.config.x12Sink;
    if (x12Sink) return x12Sink;
    const sink = this.sink;
    if (!sink) return undefined;
    return (text) => ingestX12(text, sink, { source: 'simulator', now: () => this.now() });
  }

  private controlNumbers() {
    const n = (this.controlSeq = (this.controlSeq % 999_999_999) + 1);
    return { isa: n, gs: n, st: n };
  }

  /** The 277CA the payer's front end answers an 837P with. */
  acknowledgement277CA(claim: ClaimDocument, submission: ClaimSubmission, behaviour: PayerBehaviour): string {
    const rejected = behaviour.kind === 'reject' ? rejectionStatus(behaviour.reason) : undefined;
    const practice = envelopeId(claim.practiceId, 'PRACTICE');
    return generate277CA(
      [
        {
          claimId: claim.claimId,
          status: rejected ? 'rejected' : 'accepted',
          ...(rejected ? { statuses: [rejected.status], ...(rejected.message ? { message: rejected.message } : {}) } : {}),
          chargeCents: claim.lines.reduce((s, l) => s + l.chargeCents, 0),
          payerClaimControlNumber: rejected ? undefined : `SIM${submission.interchangeControlNumber}`,
          clearinghouseTraceNumber: String(submission.interchangeControlNumber), // echoes the 837P's REF*D9
          serviceDate: claim.serviceDate,
          patient: { memberId: claim.coverage.memberId },
        },
      ],
      {
        sender: { id: envelopeId(submission.payerId, 'PAYER'), name: submission.payerId },
        receiver: { id: practice, name: claim.practiceId },
        payer: { name: submission.payerId, id: submission.payerId },
        provider: { name: claim.practiceId, npi: claim.renderingNpi },
        controlNumbers: this.controlNumbers(),
        createdAt: this.now().toISOString(),
        batchId: `SIM${submission.interchangeControlNumber}`,
      },
    );
  }

  /** The remittance as the 835 file a payer would send. */
  remittance835(remittance: Remittance, claim: ClaimDocument): string {
    return generate835(remittance, {
      sender: { id: envelopeId(remittance.payerId, 'PAYER'), name: remittance.payerId },
      receiver: { id: envelopeId(claim.practiceId, 'PRACTICE'), name: claim.practiceId },
      payer: { name: remittance.payerId, companyId: `1${String(hash32(remittance.payerId) % 1_000_000_000).padStart(9, '0')}`, id: remittance.payerId },
      payee: { name: claim.practiceId, npi: claim.renderingNpi },
      controlNumbers: this.controlNumbers(),
      createdAt: this.now().toISOString(),
    });
  }

  /** Tests: the 277 claim-level statuses the payer answers a 276 about this claim with (default P1:20 when it has the claim, A4:35 when not). */
  statusFor(claimId: string, answer: Pick<ClaimStatus277Input, 'statuses'> & Partial<Pick<ClaimStatus277Input, 'paidCents' | 'adjudicationDate' | 'checkDate' | 'checkNumber' | 'message'>>): void {
    this.statusScripts.set(claimId, answer);
  }

  /** The last 276 / 277 pair exchanged (tests read them). */
  lastStatusExchange?: { x276: string; x277: string };

  /**
   * AR-3 over X12: the inquiry becomes a real 276 (fields the caller did not pass come from the
   * 837P the payer received), the payer reads it with `parse276` and answers with a 277 that goes
   * through `parse277` like a clearinghouse's would.
   */
  async statusInquiry(q: StatusInquiryRequest): Promise<StatusInquiryResult> {
    const known = this.submitted.get(q.claimId);
    const checkedAt = this.now().toISOString();
    const claim = known?.submission.claim;
    const request: StatusInquiryRequest = {
      ...q,
      memberId: q.memberId ?? claim?.coverage.memberId,
      practiceId: q.practiceId ?? claim?.practiceId,
      providerNpi: q.providerNpi ?? claim?.renderingNpi,
      chargeCents: q.chargeCents ?? claim?.lines.reduce((s, l) => s + l.chargeCents, 0),
      serviceDate: q.serviceDate ?? claim?.serviceDate,
    };
    if (!request.memberId) {
      return { category: 'not_found', detail: 'no 276 sent: no member id to identify the claim with, and the payer has no record of it', checkedAt };
    }
    try {
      const x276 = request276(request, {
        sender: { id: envelopeId(request.practiceId ?? '', 'PRACTICE'), name: request.practiceId ?? 'PRACTICE' },
        receiver: { id: envelopeId(q.payerId, 'PAYER'), name: q.payerId },
        controlNumbers: this.controlNumbers(),
        createdAt: checkedAt,
      });
      const x277 = this.answer276(x276);
      this.lastStatusExchange = { x276, x277 };
      return resultFrom277(x277, request, checkedAt);
    } catch (err) {
      return unusableStatusExchange(err, checkedAt);
    }
  }

  /** The payer side: read a 276 and answer each claim with a 277. */
  answer276(x276: string): string {
    const inquiries = parse276(x276);
    const createdAt = this.now().toISOString();
    const first = inquiries[0];
    const answers: ClaimStatus277Input[] = inquiries.map((inq) => {
      const known = inq.patientAccountNumber ? this.submitted.get(inq.patientAccountNumber) : undefined;
      const scripted = inq.patientAccountNumber ? this.statusScripts.get(inq.patientAccountNumber) : undefined;
      const statuses = scripted?.statuses ?? (known ? [{ category: 'P1', code: '20' }] : [{ category: 'A4', code: '35' }]);
      return {
        ...scripted,
        traceNumber: inq.traceNumber,
        statuses,
        statusDate: createdAt.slice(0, 10),
        ...(inq.chargeCents !== undefined ? { chargeCents: inq.chargeCents } : {}),
        ...(known ? { payerClaimControlNumber: inq.payerClaimControlNumber ?? `SIM${known.submission.interchangeControlNumber}` } : {}),
        ...(inq.patientAccountNumber ? { patientAccountNumber: inq.patientAccountNumber } : {}),
        ...(inq.serviceDate ? { serviceDate: inq.serviceDate } : {}),
        ...(inq.serviceDateEnd ? { serviceDateEnd: inq.serviceDateEnd } : {}),
        subscriber: { memberId: inq.subscriber.memberId },
      };
    });
    return generate277(
      { payer: { name: first.payerId, id: first.payerId }, receiver: { name: 'PRACTICE', id: 'PRACTICE' }, provider: { name: 'PROVIDER', npi: first.providerNpi } },
      answers,
      {
        sender: { id: envelopeId(first.payerId, 'PAYER'), name: first.payerId },
        receiver: { id: 'PRACTICE', name: 'PRACTICE' },
        controlNumbers: this.controlNumbers(),
        createdAt,
      },
    );
  }

  /** The 835 claim payment a payer with this behaviour would send. */
  remittanceFor(claim: ClaimDocument, submission: ClaimSubmission, behaviour: PayerBehaviour): Remittance {
    const payerId = submission.payerId;
    const date = this.now().toISOString().slice(0, 10);
    const payment = this.claimPayment(claim, payerId, behaviour, submission.coveragePriority);
    return {
      payerId,
      // One trace number per submission (its row id): a retried submission is answered once, and a
      // restarted simulator never reuses a TRN (the 835's idempotency key is payer + TRN).
      traceNumber: `SIMTRN${String(submission.submissionId).padStart(6, '0')}${hash32(claim.claimId + submission.submissionId) % 100000}`,
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
