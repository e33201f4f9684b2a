/**
 * One entry point for every X12 file a payer or clearinghouse sends back: the ST01 decides how
 * it is read (835 → remittances, 999 → implementation acknowledgements, 277 → 277CA claim
 * acknowledgements), the whole file is parsed and validated first, and only then is anything
 * handed to the InboundSink. A malformed file throws the parser's X12Error (segment position +
 * reason) and nothing from it reaches the sink.
 *
 * 277 (GS08 005010X212 claim status), 271 and 278 responses answer our own 276 / 270 / 278
 * requests: they are validated whole and their trace numbers listed in `responses`, for the
 * request to find (nothing is signalled).
 *
 * What reaches the claim workflows:
 * - 835: every transaction set → `sink.remittance` (idempotent per claim payment in the sink).
 * - 277CA: one acknowledgement per claim (2200D TRN02 = CLM01 = claimId). A rejection carries its
 *   STC statuses (`A7:562:85`) and the STC12 free text. A claim whose only statuses are A0/A1
 *   (forwarded / received by the clearinghouse) is not yet accepted by the payer: it is reported
 *   but not signalled, so the payer's later 277CA verdict is the one the claim keeps.
 * - 999: syntax acknowledgement of the 837P interchange. Only rejections are signalled (a
 *   syntactically accepted 837P may still be rejected by the 277CA); the acknowledged group (AK102
 *   = the 837P's GS06, which the submission sets to its interchange control number) is resolved to
 *   claims through `lookupInterchange`. Groups nobody can resolve are reported as unmatched.
 */
import { type Parse835Options } from '../x12/parse-835';
import { parse277CA, parse835All, parse999, X12Error, type Ack999, type ClaimAck277 } from '../x12';
import { parse277 } from '../x12/claim-status';
import { parse271 } from '../x12/eligibility';
import { parse278Response } from '../x12/authorization';
import { el, tokenize } from '../x12/tokenize';
import type { Remittance } from '../domain/remittance';
import { assertStorableX12, payersInFile835 } from '../x12/inbound-checks';
import { RemittanceRejected, validateRemittance } from './inbound';
import type { Acknowledgement, InboundSink } from '../activities/gateway/types';

export type InboundX12Kind = '835' | '999' | '277CA' | '277' | '271' | '278';

/**
 * ST01 of the first transaction set: 835, 999, 277 (a 277CA, or with GS08 005010X212 a 277 claim
 * status response), 271 (eligibility response) or 278 (authorization response). Throws X12Error otherwise.
 */
export function detectX12Kind(text: string): InboundX12Kind {
  let last = 0;
  let gs08 = '';
  for (const seg of tokenize(text)) {
    last = seg.position;
    if (seg.id === 'GS') gs08 = el(seg, 8);
    if (seg.id !== 'ST') continue;
    const st01 = el(seg, 1);
    if (st01 === '835') return '835';
    if (st01 === '999') return '999';
    if (st01 === '277') return gs08.startsWith('005010X212') ? '277' : '277CA';
    if (st01 === '271') return '271';
    if (st01 === '278') return '278';
    throw new X12Error(seg.position, 'ST', `transaction set ${st01 || '(empty)'} is not an inbound clearinghouse file (expected 835, 999, 277CA, 277, 271 or 278)`, 'ENVELOPE');
  }
  throw new X12Error(Math.max(last, 1), 'ST', 'the file holds no transaction set (ST)', 'ENVELOPE');
}

/** The claims an outbound 837P interchange carried, by its GS06 group control number. */
export type InterchangeLookup = (
  groupControlNumber: string,
) => Promise<Array<{ claimId: string; interchangeControlNumber?: number; transactionControlNumber?: string }>>;

export interface X12InboundOptions {
  /** Recorded with each remittance, e.g. `file-drop` or `simulator`. */
  source: string;
  /** Overrides the payer id read from the 835 (REF*2U / N1*PR N104 / TRN03). */
  payerId?: string;
  /** Needed to turn a 999 rejection into claim acknowledgements. */
  lookupInterchange?: InterchangeLookup;
  now?: () => Date;
}

export interface X12InboundResult {
  kind: InboundX12Kind;
  /** 835: one entry per transaction set, with what the sink answered (the ingest report). */
  remittances: Array<{ payerId: string; traceNumber: string; claims: number; totalPaidCents: number; result: unknown }>;
  /** Acknowledgements signalled to claims (999 rejections, 277CA verdicts). */
  acknowledgements: Acknowledgement[];
  /** Read but not signalled, with why (999 accepted, 277CA received-only, unknown 999 groups). */
  notes: string[];
  /**
   * 277 / 271 / 278 answers to our 276 / 270 / 278 requests, by the trace number they echo
   * (TRN02): the request's gateway finds its answer through these (file-drop: processed/ reports).
   */
  responses?: Array<{ kind: '277' | '271' | '278'; traceNumber: string }>;
}

/**
 * Read an 835 for posting: every element storable (else the segment position), every transaction
 * set parsed and validated (schema, balance) before anything is posted, each remittance carrying
 * the payer as the file names itself (half of each claim payment's idempotency key). Throws
 * X12Error; posts nothing.
 */
export function read835ForPosting(text: string, payerId?: string, resolvePayer?: Parse835Options['resolvePayer']): Remittance[] {
  assertStorableX12(text);
  const remittances: Remittance[] = parse835All(text, { payerId, ...(resolvePayer ? { resolvePayer } : {}) });
  const inFile = payersInFile835(text);
  return remittances.map((r, i) => {
    const withPayer = { ...r, payerInFile: inFile[i]?.payerInFile || r.payerId };
    try {
      return validateRemittance(withPayer);
    } catch (err) {
      if (err instanceof RemittanceRejected) throw new X12Error(inFile[i]?.stPosition ?? 1, 'ST', `transaction set ${i + 1}: ${err.message}`, 'CONTENT');
      throw err;
    }
  });
}

/** Parse any inbound X12 file and deliver its contents to the sink. Nothing is delivered from a file that does not parse. */
export async function ingestX12(text: string, sink: InboundSink, opts: X12InboundOptions): Promise<X12InboundResult> {
  const kind = detectX12Kind(text);
  const at = () => (opts.now?.() ?? new Date()).toISOString();
  const result: X12InboundResult = { kind, remittances: [], acknowledgements: [], notes: [] };

  if (kind === '277' || kind === '271' || kind === '278') {
    // Validated whole first; the answers are picked up by the request that waits for them.
    const traces =
      kind === '277' ? parse277(text).map((c) => c.traceNumber) : kind === '271' ? parse271(text).map((a) => a.traceNumber ?? '') : parse278Response(text).map((e) => e.traceNumber);
    result.responses = traces.filter(Boolean).map((traceNumber) => ({ kind, traceNumber }));
    if (result.responses.length < traces.length) result.notes.push(`${kind}: ${traces.length - result.responses.length} answer(s) without a trace number (TRN02) cannot be matched to a request`);
    return result;
  }

  if (kind === '835') {
    // The payer: opts.payerId, else REF*2U, N1*PR N104, TRN03 through the sink's mapping of
    // clearinghouse payer ids (payer_identifiers); refused at N1*PR when none maps.
    const resolvePayer = opts.payerId ? undefined : await sink.payerResolver?.();
    const remittances = read835ForPosting(text, opts.payerId, resolvePayer);
    for (const r of remittances) {
      const answer = await sink.remittance(r, opts.source);
      result.remittances.push({ payerId: r.payerId, traceNumber: r.traceNumber, claims: r.claims.length, totalPaidCents: r.totalPaidCents, result: answer });
    }
    return result;
  }

  if (kind === '277CA') {
    const claims = parse277CA(text);
    const messages = stcMessages(text);
    const now = at();
    for (const c of claims) {
      const ack = ackFrom277(c, messages.get(c.segmentPosition), now);
      if (!ack) {
        result.notes.push(`277CA claim ${c.claimId}: ${c.statuses.map(statusText).join(', ')} (received, not yet accepted by the payer)`);
        continue;
      }
      result.acknowledgements.push(ack);
    }
    for (const ack of result.acknowledgements) await sink.acknowledgement(ack);
    return result;
  }

  const acks = parse999(text);
  const now = at();
  const toSend: Acknowledgement[] = [];
  for (const ack of acks) {
    if (ack.functionalIdCode !== 'HC') {
      result.notes.push(`999 for a ${ack.functionalIdCode} group ${ack.groupControlNumber} (not an 837P): nothing to signal`);
      continue;
    }
    const rejectedTx = ack.transactions.filter((t) => !t.accepted);
    const groupRejected = ack.status === 'rejected' && ack.transactions.every((t) => !t.accepted);
    if (!groupRejected && rejectedTx.length === 0) {
      result.notes.push(`999 group ${ack.groupControlNumber}: ${ack.status} (syntax only; the 277CA decides acceptance)`);
      continue;
    }
    const claims = opts.lookupInterchange ? await opts.lookupInterchange(ack.groupControlNumber) : [];
    if (claims.length === 0) {
      result.notes.push(`999 group ${ack.groupControlNumber}: rejected, but no submitted 837P is known under that control number (unmatched)`);
      continue;
    }
    for (const claim of claims) {
      const tx = claim.transactionControlNumber ? ack.transactions.find((t) => t.controlNumber === claim.transactionControlNumber) : undefined;
      let reasons: string[] | undefined;
      if (tx) reasons = tx.accepted ? undefined : reasons999(tx);
      else if (groupRejected) reasons = rejectedTx.length ? rejectedTx.flatMap(reasons999) : [groupReason(ack)];
      else if (!claim.transactionControlNumber) reasons = rejectedTx.flatMap(reasons999); // cannot tell which transaction: any rejection counts
      if (!reasons) continue;
      toSend.push({
        claimId: claim.claimId,
        interchangeControlNumber: claim.interchangeControlNumber,
        accepted: false,
        reasons,
        at: now,
        source: '999',
      });
    }
  }
  for (const ack of toSend) await sink.acknowledgement(ack);
  result.acknowledgements = toSend;
  return result;
}

const statusText = (s: { category: string; code: string; entity?: string }) => [s.category, s.code, s.entity].filter(Boolean).join(':');
const RECEIVED_ONLY = new Set(['A0', 'A1']);

function ackFrom277(c: ClaimAck277, message: string | undefined, at: string): Acknowledgement | undefined {
  if (c.status === 'accepted' && c.statuses.every((s) => RECEIVED_ONLY.has(s.category))) return undefined;
  // REF*D9 echoes the trace we put in the 837P (its interchange control number): it names the exact submission.
  const trace = c.clearinghouseTraceNumber && /^\d{1,9}$/.test(c.clearinghouseTraceNumber) ? { interchangeControlNumber: Number(c.clearinghouseTraceNumber) } : {};
  const base = { claimId: c.claimId, at, source: '277CA' as const, ...trace };
  if (c.status === 'accepted') {
    return { ...base, accepted: true, reasons: [], ...(c.payerClaimControlNumber ? { payerClaimControlNumber: c.payerClaimControlNumber } : {}) };
  }
  const REJECT = /^(A3|A4|A6|A7|A8|E[0-4])$/;
  const rejecting = c.statuses.filter((s) => REJECT.test(s.category));
  const reasons = (rejecting.length ? rejecting : c.statuses).map(statusText);
  if (message) reasons[0] = `${reasons[0]} ${message}`;
  return { ...base, accepted: false, reasons };
}

function reasons999(tx: Ack999['transactions'][number]): string[] {
  const head = `999 IK5 ${tx.code}${tx.errorCodes.length ? ` (${tx.errorCodes.join(',')})` : ''}`;
  if (tx.segmentErrors.length === 0) return [`${head}: transaction set ${tx.controlNumber} rejected`];
  // IK404 (the bad value) is left out on purpose: it can be a member id or a name.
  return tx.segmentErrors.map((e) => {
    const where = `${e.segmentId} at segment ${e.position}${e.loopId ? ` in loop ${e.loopId}` : ''}${e.code ? ` error ${e.code}` : ''}`;
    const elements = e.elementErrors.map((x) => `element ${x.position}${x.componentPosition ? `-${x.componentPosition}` : ''} error ${x.code}`);
    return `${head}: ${where}${elements.length ? `; ${elements.join('; ')}` : ''}`;
  });
}

function groupReason(ack: Ack999): string {
  return `999 AK9 ${ack.code}: functional group ${ack.groupControlNumber} rejected${ack.groupErrorCodes.length ? ` (${ack.groupErrorCodes.join(',')})` : ''}`;
}

/**
 * STC12 free-form text per claim, keyed by the position of the claim's 2200D TRN (the same
 * `segmentPosition` parse277CA reports). parse277CA has already validated the file.
 */
function stcMessages(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let level = '';
  let trn = 0;
  let inService = false;
  for (const seg of tokenize(text)) {
    if (seg.id === 'HL') {
      level = el(seg, 3);
      trn = 0;
      inService = false;
    } else if (level === 'PT' && seg.id === 'TRN' && !trn) {
      trn = seg.position;
    } else if (level === 'PT' && seg.id === 'SVC') {
      inService = true;
    } else if (level === 'PT' && seg.id === 'STC' && trn && !inService && el(seg, 12)) {
      const prev = out.get(trn);
      out.set(trn, prev ? `${prev}; ${el(seg, 12)}` : el(seg, 12));
    } else if (seg.id === 'SE') {
      level = '';
    }
  }
  return out;
}
