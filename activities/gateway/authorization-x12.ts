/**
 * Prior authorization over X12 278 (005010X217), mapped to the AUTH workflow's
 * `AuthorizationResponse278`. Shared by every gateway: the request becomes a real 278 request
 * (`build278Request`), a payer's 278 response becomes the decision (`answerFrom278`), and the
 * simulator writes its decision as a 278 response (`response278Input`).
 *
 * Response → decision: HCR01 A1 (certified in total), A2 (certified partial), A6 (modified) →
 * approved; A3 (not certified) → denied; A4 (pended), CT (contact payer) and anything else →
 * pended. AAA errors with no HCR → denied, administrative (the request itself was refused).
 * authNumber = REF*BB, else HCR02; validFrom / validTo = DTP*007 / DTP*036, else DTP*AAH, else the
 * first service's DTP*472; visitsAuthorized = HSD*VS; reason = MSG text (else "HCR03 <code>");
 * decidedOn = DTP*102 (certification issue date), else the date the answer was received.
 * denialReason from HCR03 by `DENIAL_REASON_CODES` — the simulator's codes, not a code list a payer
 * shares: with a real payer fill the table from its companion guide; an unknown code leaves
 * denialReason unset (the workflow treats it as an unspecified denial).
 */
import { generate278Inquiry, generate278Request, generate278Response, parse278Response, type Attachment, type Auth278, type Auth278Input, type Version278 } from '../../x12/authorization';
import type { EnvelopeOptions } from '../../x12/eligibility';
import { X12Error } from '../../x12/errors';
import type { AuthorizationRequest278, AuthorizationResponse278, DenialReason } from './eligibility-auth';
import { trace270 } from './eligibility-x12';

export const DENIAL_REASON_CODES: Record<DenialReason, string> = { medical_necessity: 'MN', administrative: 'AD', not_covered: 'NC', frequency: 'FQ' };

/** TRN02 of a 278 (1–50 characters, no PHI): the request id, cut and hashed when longer. */
export const trace278 = trace270;

/** TRN02 of the 278 inquiry (005010X215) about request `requestId` on `inquiryDate`: one per day, so a retry sends nothing new. */
export const trace278Inquiry = (requestId: string, inquiryDate: string): string => trace278(`${requestId}:status:${inquiryDate}`);

export function request278(req: AuthorizationRequest278): Auth278Input {
  const what = [req.family, req.region, req.approach, req.levels.join(' '), req.laterality].filter(Boolean).join(' ');
  return {
    traceNumber: trace278(req.requestId),
    payer: { name: req.payerId, id: req.payerId },
    requester: { name: req.practiceId, npi: req.providerNpi },
    subscriber: { ...(req.memberId ? { memberId: req.memberId } : {}) },
    requestCategory: 'HS',
    certificationType: 'I',
    serviceType: '2',
    eventFrom: req.requestedFrom,
    eventTo: req.requestedTo,
    diagnoses: req.diagnoses ?? [],
    visits: req.visitsRequested,
    attachments: req.attachments ?? [],
    messages: [`AUTH ${req.authId} ${what}`],
    ...(req.linkedAuthNumber ? { authorizationNumber: req.linkedAuthNumber } : {}),
    services: req.cpts.map((code) => ({ procedure: { qualifier: 'HC', code, modifiers: [] }, units: 1, from: req.requestedFrom, to: req.requestedTo })),
  };
}

export function build278Request(req: AuthorizationRequest278, opts: EnvelopeOptions): string {
  return generate278Request(request278(req), opts);
}

/** The 278 inquiry (005010X215) about a request the payer pended: the request's content under the inquiry's trace. */
export function build278Inquiry(req: AuthorizationRequest278, inquiryDate: string, opts: EnvelopeOptions): string {
  return generate278Inquiry({ ...request278(req), traceNumber: trace278Inquiry(req.requestId, inquiryDate) }, opts);
}

const APPROVED = new Set(['A1', 'A2', 'A6']);

export function decisionOf(ev: Auth278, ids: { requestId: string; authId: string; payerId: string }, receivedOn: string): Omit<AuthorizationResponse278, 'raw'> {
  const base = { requestId: ids.requestId, authId: ids.authId, payerId: ids.payerId, decidedOn: ev.dates.find((d) => d.qualifier === '102')?.from ?? receivedOn };
  const text = ev.messages.join('; ');
  if (!ev.action) {
    const aaa = ev.errors.map((e) => `AAA ${e.reason}${e.followUp ? ` (follow-up ${e.followUp})` : ''}`).join('; ');
    return { ...base, decision: 'denied', denialReason: 'administrative', reason: text || aaa };
  }
  if (APPROVED.has(ev.action)) {
    const from = ev.dates.find((d) => d.qualifier === '007')?.from ?? ev.eventFrom ?? ev.services[0]?.from;
    const to = ev.dates.find((d) => d.qualifier === '036')?.from ?? ev.eventTo ?? ev.services[0]?.to ?? from;
    const authNumber = ev.authorizationNumber ?? ev.reviewNumber;
    return {
      ...base,
      decision: 'approved',
      ...(authNumber ? { authNumber } : {}),
      ...(from ? { validFrom: from } : {}),
      ...(to ? { validTo: to } : {}),
      ...(ev.visits !== undefined ? { visitsAuthorized: ev.visits } : {}),
    };
  }
  const reason = text || (ev.reasonCode ? `HCR03 ${ev.reasonCode}` : undefined);
  if (ev.action === 'A3') {
    const denialReason = (Object.entries(DENIAL_REASON_CODES).find(([, c]) => c === ev.reasonCode)?.[0] as DenialReason | undefined);
    return { ...base, decision: 'denied', ...(denialReason ? { denialReason } : {}), ...(reason ? { reason } : {}) };
  }
  return { ...base, decision: 'pended', ...(reason ? { reason } : {}) };
}

/**
 * The decision for this request from a 278 response: the patient event whose TRN02 is our trace.
 * Malformed, or answering another trace: refused whole (X12Error with its segment).
 */
export function answerFrom278(text: string, ids: { requestId: string; authId: string; payerId: string }, receivedOn: string, trace = trace278(ids.requestId)): AuthorizationResponse278 {
  const events = parse278Response(text);
  const ev = events.find((e) => e.traceNumber === trace);
  if (!ev) {
    const first = events[0];
    if (!first) throw new X12Error(1, 'ST', 'the 278 response holds no patient event', 'CONTENT');
    throw new X12Error(first.segmentPosition, 'HL', `the 278 answers trace ${first.traceNumber || '(none)'}, not this request (${trace})`, 'CONTENT');
  }
  return { ...decisionOf(ev, ids, receivedOn), raw: text };
}

/** The simulator's decision as a 278 response answering `asked` (the inverse of `decisionOf`). */
export function response278Input(res: Omit<AuthorizationResponse278, 'raw'>, asked: Pick<Auth278Input, 'payer' | 'requester' | 'subscriber' | 'requestCategory' | 'certificationType' | 'serviceType' | 'services'> & { traceNumber: string }): Auth278Input {
  const action = res.decision === 'approved' ? 'A1' : res.decision === 'pended' ? 'A4' : 'A3';
  return {
    traceNumber: asked.traceNumber,
    payer: asked.payer,
    requester: asked.requester,
    subscriber: asked.subscriber,
    requestCategory: asked.requestCategory || 'HS',
    certificationType: asked.certificationType || 'I',
    ...(asked.serviceType ? { serviceType: asked.serviceType } : {}),
    action,
    ...(res.authNumber ? { reviewNumber: res.authNumber, authorizationNumber: res.authNumber } : {}),
    ...(res.denialReason ? { reasonCode: DENIAL_REASON_CODES[res.denialReason] } : {}),
    ...(res.validFrom ? { eventFrom: res.validFrom, eventTo: res.validTo ?? res.validFrom } : {}),
    dates: [{ qualifier: '102', from: res.decidedOn }],
    diagnoses: [],
    ...(res.visitsAuthorized !== undefined ? { visits: res.visitsAuthorized } : {}),
    attachments: [],
    messages: res.reason ? [res.reason] : [],
    services: asked.services.map((s) => ({
      procedure: s.procedure,
      ...(s.units !== undefined ? { units: s.units } : {}),
      ...(res.validFrom ? { from: res.validFrom, to: res.validTo ?? res.validFrom } : {}),
      action,
      ...(res.authNumber ? { authNumber: res.authNumber } : {}),
    })),
  };
}

export function build278Response(res: Omit<AuthorizationResponse278, 'raw'>, asked: Parameters<typeof response278Input>[1], opts: EnvelopeOptions, version: Version278 = '005010X217'): string {
  return generate278Response(response278Input(res, asked), opts, version);
}

export type { Attachment };
