/**
 * AR-3 status inquiry over X12 (005010X212), shared by every gateway: the request becomes a real
 * 276 (`request276`), and the payer's 277 becomes the `StatusInquiryResult` the claim workflow
 * records (`resultFrom277`). A malformed 277 is refused whole (X12Error with its segment).
 */
import { generate276, parse277, describeClaimStatus, statusInquiryCategory, type ClaimStatus277, type StatusInquiry276 } from '../../x12/claim-status';
import type { ControlNumbers, Party } from '../../x12/build';
import { X12Error } from '../../x12/errors';
import { formatCents } from '../../x12/values';
import type { StatusInquiryRequest, StatusInquiryResult } from './types';

/** Ids for simulated / file-drop envelopes: at most 15 characters, no delimiters. */
export function envelopeId(value: string, fallback: string): string {
  return value.replace(/[^A-Za-z0-9 .-]/g, '').slice(0, 15) || fallback;
}

/** TRN02 of the 276: given, else `<claimId>-<YYYYMMDD of submittedAt>` (no PHI). */
export function traceNumberOf(q: StatusInquiryRequest): string {
  if (q.traceNumber) return q.traceNumber;
  const d = /^\d{4}-\d{2}-\d{2}/.test(q.submittedAt) ? q.submittedAt.slice(0, 10).replace(/-/g, '') : '';
  return d ? `${q.claimId}-${d}` : q.claimId;
}

export function inquiry276(q: StatusInquiryRequest): StatusInquiry276 {
  if (!q.memberId) {
    throw new X12Error(1, 'NM1', `claim ${q.claimId}: a 276 needs the subscriber member id (NM1*IL NM109); pass memberId`, 'CONTENT');
  }
  const practice = q.practiceId ?? 'PRACTICE';
  return {
    payer: { name: q.payerId, id: q.payerId },
    receiver: { name: practice, id: envelopeId(practice, 'PRACTICE') },
    provider: { name: practice, npi: q.providerNpi ?? '' },
    claims: [
      {
        traceNumber: traceNumberOf(q),
        patientAccountNumber: q.claimId,
        ...(q.payerClaimControlNumber ? { payerClaimControlNumber: q.payerClaimControlNumber } : {}),
        ...(q.chargeCents !== undefined ? { chargeCents: q.chargeCents } : {}),
        ...(q.serviceDate ? { serviceDate: q.serviceDate } : {}),
        ...(q.serviceDateEnd && q.serviceDateEnd !== q.serviceDate ? { serviceDateEnd: q.serviceDateEnd } : {}),
        subscriber: { memberId: q.memberId, ...q.subscriber },
        ...(q.lines?.length
          ? {
              lines: q.lines.map((l, i) => ({
                qualifier: 'HC',
                code: l.cpt,
                modifiers: l.modifiers ?? [],
                chargeCents: l.chargeCents,
                units: l.units,
                lineItemControlNumber: String(i + 1),
                ...(l.serviceDate ? { serviceDate: l.serviceDate } : {}),
              })),
            }
          : {}),
      },
    ],
  };
}

/** The 276 for one AR-3 inquiry. */
export function request276(q: StatusInquiryRequest, opts: { sender: Party; receiver: Party; controlNumbers: ControlNumbers; createdAt: string; usage?: 'P' | 'T' }): string {
  return generate276(inquiry276(q), opts);
}

/** The claim status the workflow records, from one claim's 277 answer. */
export function resultFromClaimStatus(c: ClaimStatus277, checkedAt: string): StatusInquiryResult {
  return {
    category: statusInquiryCategory(c.statuses[0]),
    detail: describeClaimStatus(c),
    checkedAt,
    statusCodes: c.statuses.map((s) => `${s.category}:${s.code}${s.entity ? `:${s.entity}` : ''}`),
    ...(c.payerClaimControlNumber ? { payerClaimControlNumber: c.payerClaimControlNumber } : {}),
    ...(c.paidCents !== undefined ? { paidCents: c.paidCents } : {}),
    ...(c.adjudicationDate ? { adjudicationDate: c.adjudicationDate } : {}),
    ...(c.checkNumber ? { checkNumber: c.checkNumber } : {}),
  };
}

/**
 * Parse a 277 and pick the answer to this inquiry: the claim status whose TRN02 is our trace
 * number, else whose REF*EJ is our claim id. A 277 that answers something else is refused.
 */
export function resultFrom277(text: string, q: StatusInquiryRequest, checkedAt: string): StatusInquiryResult {
  const statuses = parse277(text);
  const trace = traceNumberOf(q);
  const match = statuses.find((c) => c.traceNumber === trace) ?? statuses.find((c) => c.patientAccountNumber === q.claimId);
  if (!match) {
    const first = statuses[0];
    throw new X12Error(first.segmentPosition, 'TRN', `the 277 answers trace ${first.traceNumber}, not this inquiry (${trace})`, 'CONTENT');
  }
  return resultFromClaimStatus(match, checkedAt);
}

/**
 * A status inquiry that could not be completed over X12 (a 276 we cannot write — e.g. a member id
 * with a delimiter —, or a 277 refused whole): retrying gives the same, so it is recorded as
 * pending with where it failed (segment and error class; the reason text may quote PHI and is left out), and the AR-4
 * day-60 call follows as usual.
 */
export function unusableStatusExchange(err: unknown, checkedAt: string): StatusInquiryResult {
  if (!(err instanceof X12Error)) throw err;
  // The reason is left out: it may quote a value (a member id, a date) — no PHI in the claim's history.
  return { category: 'pending', detail: `276/277 status inquiry not completed: X12 ${err.code} error at segment ${err.segmentPosition} (${err.segmentId})`, checkedAt };
}

export { formatCents };
