/**
 * The eligibility / prior-authorization gateway over X12 with a real clearinghouse, behind the
 * same `EligibilityAuthGateway` interface as the simulator: 270 → 271 and 278 request → 278
 * response through an `X12Exchange` transport. Transports:
 * - the file-drop clearinghouse (`FileDropClearinghouse.exchange`: outbox/ → inbox/, the answer
 *   matched by its TRN02 trace); selected with RCM_ELIGIBILITY_GATEWAY=file-drop.
 * - a real-time clearinghouse API (HTTP): not implemented — the interface below is what one has to
 *   provide (see the README, "HTTP connector").
 * While the answer has not arrived the call throws `AwaitingPayerAnswer` (an ordinary, retryable
 * error): the activity is retried by its PAYER_ACTIVITY policy until the answer is there, and the
 * request is not sent twice (the transport keeps it by trace number).
 */
import type { EnvelopeOptions } from '../../x12/eligibility';
import type { AuthorizationRequest278, AuthorizationResponse278, AuthorizationStatusQuery, EligibilityAuthGateway, EligibilityRequest270, EligibilityResponse271 } from './eligibility-auth';
import { answerFrom271, build270, trace270 } from './eligibility-x12';
import { answerFrom278, build278Inquiry, build278Request, trace278, trace278Inquiry } from './authorization-x12';
import { envelopeId } from './claim-status-x12';

/**
 * One X12 request / answer exchange with a clearinghouse. `exchange` sends the request (at most
 * once per trace number, however often it is called) and returns the answer's X12 text once it is
 * available, undefined before. A real-time HTTP connector implements it by POSTing the request
 * (e.g. a CAQH CORE connectivity envelope, or the clearinghouse's own JSON wrapper around the X12
 * payload) and returning the 271 / 278 from the response body; a timeout or 5xx throws (retried).
 */
export interface X12Exchange {
  exchange(req: { kind: '270' | '278'; traceNumber: string; x12: string }): Promise<string | undefined>;
}

export class AwaitingPayerAnswer extends Error {
  override readonly name = 'AwaitingPayerAnswer';
}

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class X12EligibilityAuthGateway implements EligibilityAuthGateway {
  constructor(
    readonly name: string,
    private readonly transport: X12Exchange,
    /** ISA/GS receiver: the clearinghouse (default CLEARINGHOUSE). */
    private readonly receiver: { id: string; name: string } = { id: 'CLEARINGHOUSE', name: 'CLEARINGHOUSE' },
  ) {}

  private envelope(key: string, practiceId: string, date: string): EnvelopeOptions {
    const control = (hash32(key) % 999_999_999) + 1; // the same request always gets the same envelope
    return { sender: { id: envelopeId(practiceId, 'PRACTICE'), name: practiceId }, receiver: this.receiver, controlNumbers: { isa: control, gs: control, st: 1 }, createdAt: `${date}T12:00:00Z` };
  }

  async checkEligibility(req: EligibilityRequest270): Promise<EligibilityResponse271> {
    const traceNumber = trace270(req.requestId);
    const x12 = build270(req, this.envelope(`270:${req.requestId}`, req.practiceId, req.inquiryDate));
    const answer = await this.transport.exchange({ kind: '270', traceNumber, x12 });
    if (answer === undefined) throw new AwaitingPayerAnswer(`270 ${traceNumber} sent; no 271 answer yet`);
    return answerFrom271(answer, req, req.inquiryDate);
  }

  async submitAuthorization(req: AuthorizationRequest278): Promise<AuthorizationResponse278> {
    const traceNumber = trace278(req.requestId);
    const x12 = build278Request(req, this.envelope(`278:${req.requestId}`, req.practiceId, req.submittedOn));
    const answer = await this.transport.exchange({ kind: '278', traceNumber, x12 });
    if (answer === undefined) throw new AwaitingPayerAnswer(`278 ${traceNumber} sent; no 278 response yet`);
    return answerFrom278(answer, req, req.submittedOn);
  }

  /**
   * The pended follow-up as a 278 inquiry (005010X215) repeating the request's content under its
   * own trace (one per inquiry day: a retry sends nothing new); the payer's 005010X215 response is
   * mapped like a 278 response. Without the original request (not recorded) nothing can be asked:
   * the answer stays pended and says so, and a person checks the payer portal.
   */
  async authorizationStatus(q: AuthorizationStatusQuery): Promise<AuthorizationResponse278> {
    if (!q.original) {
      return { requestId: q.requestId, authId: q.authId, payerId: q.payerId, decision: 'pended', reason: 'the original 278 request is not on record, so no 278 inquiry can be sent: check the payer portal', decidedOn: q.inquiryDate, raw: '' };
    }
    const traceNumber = trace278Inquiry(q.requestId, q.inquiryDate);
    const x12 = build278Inquiry(q.original, q.inquiryDate, this.envelope(`278inq:${q.requestId}:${q.inquiryDate}`, q.original.practiceId, q.inquiryDate));
    const answer = await this.transport.exchange({ kind: '278', traceNumber, x12 });
    if (answer === undefined) throw new AwaitingPayerAnswer(`278 inquiry ${traceNumber} sent; no 278 response yet`);
    return answerFrom278(answer, q, q.inquiryDate, traceNumber);
  }
}
