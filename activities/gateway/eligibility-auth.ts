/**
 * The eligibility / prior-authorization gateway: a 270-shaped eligibility inquiry answered by a
 * 271-shaped response, and a 278-shaped authorization request (and status inquiry) answered by a
 * 278-shaped decision. The X12 text form can come with the clearinghouse work; the simulator below
 * returns the structured answer plus a `raw` rendering that is stored as the raw response.
 *
 * `EligibilityAuthSimulator` is deterministic: every answer is a function of its configuration and
 * the request (including the inquiry date), never of the wall clock. Tests configure it per payer,
 * per patient and per authorization request.
 */
import type { EligibilityAnswer } from '../../domain/eligibility';
import type { RegionGroup } from '../../domain/reference';
import { generate271, parse270 } from '../../x12/eligibility';
import { answerFrom271, benefitsFor, build270 } from './eligibility-x12';
import { parse278Request, type Attachment } from '../../x12/authorization';
import { answerFrom278, build278Request, build278Response, request278, trace278 } from './authorization-x12';

/** Ids for envelopes: at most 15 characters, no delimiters. */
function envelopeId(value: string, fallback: string): string {
  return value.replace(/[^A-Za-z0-9 .-]/g, '').slice(0, 15) || fallback;
}

export type EligibilityRequest270 = {
  /** Our trace number (TRN02): `<workflowId>:<check>`; no PHI. */
  requestId: string;
  payerId: string;
  practiceId: string;
  providerNpi: string;
  patientId: string;
  memberId?: string;
  serviceDate: string;
  /** The date the inquiry is made (workflow time). */
  inquiryDate: string;
  cpts: string[];
};

export type EligibilityResponse271 = EligibilityAnswer & {
  requestId: string;
  payerId: string;
  respondedOn: string;
  /** The payer's 271 as received (X12 text, 005010X279A1). */
  raw: string;
  /** AAA request errors of the 271 (`AAA 2100C 75 (follow-up C)`), when the payer could not answer. */
  requestErrors?: string[];
};

export type AuthorizationRequest278 = {
  requestId: string;
  authId: string;
  payerId: string;
  practiceId: string;
  providerNpi: string;
  patientId: string;
  family: string;
  cpts: string[];
  region: string;
  approach?: string;
  levels: string[];
  laterality: string;
  requestedFrom: string;
  requestedTo: string;
  visitsRequested: number;
  submittedOn: string;
  linkedAuthNumber?: string;
  /** 278 2010C NM1*IL member id, when known (the workflow does not pass it yet). */
  memberId?: string;
  /** 278 HI: ICD-10-CM codes of the clinical package (`package.diagnoses`). */
  diagnoses?: string[];
  /** 278 PWK: references to the clinical package documents (report type, transmission, attachment control number). */
  attachments?: Attachment[];
};

/** The 278 answer is a message the authorization workflow receives: its shape lives in its contract. */
export type { AuthDecision, AuthorizationResponse278, DenialReason } from '../../contracts/authorization';
import type { AuthorizationResponse278, DenialReason } from '../../contracts/authorization';

/** A follow-up on a pended 278: which request, on which day, and the request as sent (an X12 inquiry repeats its content). */
export type AuthorizationStatusQuery = { requestId: string; authId: string; payerId: string; inquiryDate: string; original?: AuthorizationRequest278 };

export interface EligibilityAuthGateway {
  readonly name: string;
  checkEligibility(request: EligibilityRequest270): Promise<EligibilityResponse271>;
  submitAuthorization(request: AuthorizationRequest278): Promise<AuthorizationResponse278>;
  /** Follow-up on a pended request (278 inquiry). */
  authorizationStatus(query: AuthorizationStatusQuery): Promise<AuthorizationResponse278>;
}

// ---------------------------------------------------------------------------------------------
// Simulator

export type CoverageScenario = {
  status: 'active' | 'inactive' | 'terminated';
  effectiveDate?: string;
  terminationDate?: string;
  /** The payer reports the termination only to inquiries made on or after this date (default: always). */
  reportedFrom?: string;
};

export type EligibilityScenario = {
  coverage?: CoverageScenario;
  notCoveredCpts?: string[];
  authRequiredCpts?: string[];
  conservativeCareWeeksOnFile?: number;
  frequencyUsed?: Array<{ family: string; regionGroup: RegionGroup; count: number }>;
  msp?: EligibilityAnswer['msp'];
};

/** One scripted payer answer to an authorization request; the script advances per request. */
export type AuthDecisionScript =
  | { decision: 'approved'; validFrom?: string; validTo?: string; visitsAuthorized?: number; authNumber?: string }
  | { decision: 'pended'; reason?: string }
  | { decision: 'denied'; denialReason: DenialReason; reason?: string };

export type EligibilityAuthSimulatorConfig = {
  /** Per payer id. */
  payers?: Record<string, EligibilityScenario>;
  /** Per authorization family, per payer: the decisions in order (default: approved as requested). */
  authByPayer?: Record<string, AuthDecisionScript[]>;
};

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class EligibilityAuthSimulator implements EligibilityAuthGateway {
  readonly name = 'eligibility-auth-simulator';
  private readonly perPatient = new Map<string, EligibilityScenario>();
  private readonly perAuth = new Map<string, AuthDecisionScript[]>();
  /** Answers given per auth id (the script position), so a retried request gets the same answer. */
  private readonly answered = new Map<string, Map<string, AuthorizationResponse278>>();
  private readonly requests = new Map<string, AuthorizationRequest278>();
  /** What the payer read from each authorization's 278 request (the response echoes it). */
  private readonly asked = new Map<string, Parameters<typeof build278Response>[1]>();
  /** The last 278 request the payer read (tests). */
  lastRequest278?: string;
  readonly eligibilityRequests: EligibilityRequest270[] = [];

  constructor(private readonly config: EligibilityAuthSimulatorConfig = {}) {}

  /** Tests: the payer's answer about one patient (merged over the payer's scenario). */
  forPatient(patientId: string, scenario: EligibilityScenario): this {
    this.perPatient.set(patientId, { ...this.perPatient.get(patientId), ...scenario });
    return this;
  }

  /** Tests: the decisions for one authorization, in order (initial request, then each follow-up). */
  forAuthorization(authId: string, script: AuthDecisionScript[]): this {
    this.perAuth.set(authId, script);
    return this;
  }

  private scenario(payerId: string, patientId: string): EligibilityScenario {
    return { ...this.config.payers?.[payerId], ...this.perPatient.get(patientId) };
  }

  /**
   * The payer's decision for a request (coverage, per-CPT answers, frequency, MSP), before it is
   * written as a 271. Deterministic: a function of the configuration and the request.
   */
  decide(req: EligibilityRequest270): EligibilityAnswer {
    const s = this.scenario(req.payerId, req.patientId);
    const c = s.coverage ?? { status: 'active' };
    const reported = !c.reportedFrom || req.inquiryDate >= c.reportedFrom;
    const coverage: EligibilityAnswer['coverage'] = reported
      ? { status: c.status, effectiveDate: c.effectiveDate, terminationDate: c.terminationDate, planName: 'Simulated plan' }
      : { status: 'active', effectiveDate: c.effectiveDate, planName: 'Simulated plan' };
    const services = req.cpts.map((cpt) => ({
      cpt,
      covered: !(s.notCoveredCpts ?? []).includes(cpt),
      authRequired: (s.authRequiredCpts ?? []).includes(cpt) || undefined,
      note: (s.notCoveredCpts ?? []).includes(cpt) ? 'service excluded by plan' : undefined,
    }));
    const medicare = req.payerId === 'MEDICARE';
    return {
      coverage,
      services,
      conservativeCareWeeksOnFile: s.conservativeCareWeeksOnFile,
      frequencyUsed: s.frequencyUsed ?? [],
      msp: s.msp ?? (medicare ? { status: 'medicare_primary' } : undefined),
    };
  }

  /**
   * Over X12 (005010X279A1): the request is written as a real 270, the payer reads it
   * (`parse270`) and answers the procedures it was asked about with a 271 built from `decide`;
   * the 271 is read back with `parse271` and mapped to the ELIG rules' answer, and its text is the
   * raw response. No wall clock: the envelope dates are the inquiry date.
   */
  async checkEligibility(req: EligibilityRequest270): Promise<EligibilityResponse271> {
    this.eligibilityRequests.push(req);
    const createdAt = `${req.inquiryDate}T12:00:00Z`;
    const practice = envelopeId(req.practiceId, 'PRACTICE');
    const payer = envelopeId(req.payerId, 'PAYER');
    const control = (hash32(req.requestId) % 999_999_999) + 1;
    const x270 = build270(req, { sender: { id: practice, name: req.practiceId }, receiver: { id: payer, name: req.payerId }, controlNumbers: { isa: control, gs: control, st: 1 }, createdAt });
    const x271 = this.answer270(x270, req);
    return answerFrom271(x271, req, req.inquiryDate);
  }

  /** The payer side: read the 270 and answer with a 271 (the decision for what the 270 asks). */
  answer270(x270: string, req: EligibilityRequest270): string {
    const [inquiry] = parse270(x270);
    const asked = inquiry.procedures.map((p) => p.code);
    const decision = this.decide({ ...req, cpts: asked });
    const { planDates, benefits } = benefitsFor(decision);
    const control = (hash32(`271:${req.requestId}`) % 999_999_999) + 1;
    return generate271(
      { traceNumber: inquiry.traceNumber, payer: inquiry.payer, provider: inquiry.provider, subscriber: inquiry.subscriber, planDates, benefits },
      {
        sender: { id: envelopeId(inquiry.payer.id, 'PAYER'), name: inquiry.payer.name },
        receiver: { id: envelopeId(req.practiceId, 'PRACTICE'), name: req.practiceId },
        controlNumbers: { isa: control, gs: control, st: 1 },
        createdAt: `${req.inquiryDate}T12:00:00Z`,
      },
    );
  }

  private respond(req: { requestId: string; authId: string; payerId: string }, script: AuthDecisionScript | undefined, original: AuthorizationRequest278 | undefined, decidedOn: string): AuthorizationResponse278 {
    const s: AuthDecisionScript = script ?? { decision: 'approved' };
    const base = { requestId: req.requestId, authId: req.authId, payerId: req.payerId, decidedOn };
    let res: AuthorizationResponse278;
    if (s.decision === 'approved') {
      res = {
        ...base,
        decision: 'approved',
        authNumber: s.authNumber ?? `SIM${hash32(req.authId).toString(36).toUpperCase()}`,
        validFrom: s.validFrom ?? original?.requestedFrom,
        validTo: s.validTo ?? original?.requestedTo,
        visitsAuthorized: s.visitsAuthorized ?? original?.visitsRequested,
        raw: '',
      };
    } else if (s.decision === 'pended') {
      res = { ...base, decision: 'pended', reason: s.reason ?? 'clinical review', raw: '' };
    } else {
      res = { ...base, decision: 'denied', denialReason: s.denialReason, reason: s.reason ?? s.denialReason.replace('_', ' '), raw: '' };
    }
    // Answered in X12: the decision written as a 278 response to what the payer read, parsed back.
    const { raw: _none, ...decision } = res;
    void _none;
    const asked = this.asked.get(req.authId) ?? { ...request278(original ?? this.stub(req)), traceNumber: trace278(req.requestId) };
    const control = (hash32(`278:${req.requestId}:${decidedOn}`) % 999_999_999) + 1;
    const x278 = build278Response(decision, { ...asked, traceNumber: trace278(req.requestId) }, {
      sender: { id: envelopeId(req.payerId, 'PAYER'), name: req.payerId },
      receiver: { id: envelopeId(original?.practiceId ?? 'PRACTICE', 'PRACTICE'), name: original?.practiceId ?? 'PRACTICE' },
      controlNumbers: { isa: control, gs: control, st: 1 },
      createdAt: `${decidedOn}T12:00:00Z`,
    });
    return answerFrom278(x278, req, decidedOn);
  }

  private next(authId: string, payerId: string, key: string, decidedOn: string, requestId: string): AuthorizationResponse278 {
    const seen = this.answered.get(authId) ?? new Map<string, AuthorizationResponse278>();
    this.answered.set(authId, seen);
    const previous = seen.get(key);
    if (previous) return previous; // a retried request gets the same answer
    const script = this.perAuth.get(authId) ?? this.config.authByPayer?.[payerId] ?? [];
    const position = Math.min(seen.size, Math.max(script.length - 1, 0));
    const res = this.respond({ requestId, authId, payerId }, script[position], this.requests.get(authId), decidedOn);
    seen.set(key, res);
    return res;
  }

  /** A request the payer never received (a status inquiry about an unknown authorization). */
  private stub(req: { requestId: string; authId: string; payerId: string }): AuthorizationRequest278 {
    return { ...req, practiceId: 'PRACTICE', providerNpi: '', patientId: '', family: '', cpts: [], region: '', levels: [], laterality: '', requestedFrom: '', requestedTo: '', visitsRequested: 0, submittedOn: '' };
  }

  async submitAuthorization(req: AuthorizationRequest278): Promise<AuthorizationResponse278> {
    // The payer reads the 278 request it is sent; its answer is built on what it read.
    const control = (hash32(`278req:${req.requestId}`) % 999_999_999) + 1;
    const x278 = build278Request(req, {
      sender: { id: envelopeId(req.practiceId, 'PRACTICE'), name: req.practiceId },
      receiver: { id: envelopeId(req.payerId, 'PAYER'), name: req.payerId },
      controlNumbers: { isa: control, gs: control, st: 1 },
      createdAt: `${req.submittedOn}T12:00:00Z`,
    });
    const [read] = parse278Request(x278);
    this.lastRequest278 = x278;
    this.asked.set(req.authId, {
      traceNumber: read.traceNumber,
      payer: { name: read.payer.name ?? req.payerId, id: read.payer.id ?? req.payerId },
      requester: { name: read.requester.name ?? req.practiceId, npi: read.requester.npi ?? req.providerNpi },
      subscriber: read.subscriber,
      requestCategory: read.requestCategory,
      certificationType: read.certificationType,
      ...(read.serviceType ? { serviceType: read.serviceType } : {}),
      services: read.services,
    });
    this.requests.set(req.authId, { ...req, requestedFrom: read.eventFrom ?? req.requestedFrom, requestedTo: read.eventTo ?? req.requestedTo, visitsRequested: read.visits ?? req.visitsRequested });
    // A new submission (e.g. a corrected package) restarts the script position only for a new request id.
    return this.next(req.authId, req.payerId, `submit:${req.requestId}`, req.submittedOn, req.requestId);
  }

  async authorizationStatus(q: AuthorizationStatusQuery): Promise<AuthorizationResponse278> {
    return this.next(q.authId, q.payerId, `status:${q.requestId}:${q.inquiryDate}`, q.inquiryDate, q.requestId);
  }

  /**
   * The payer answering a 278 inquiry (005010X215) it read — what a clearinghouse drops in the
   * inbox for the file-drop gateway: the scripted decision, as a 005010X215 response carrying the
   * inquiry's trace number.
   */
  answer278Inquiry(x278: string, q: AuthorizationStatusQuery): string {
    const [read] = parse278Request(x278);
    if (!read) throw new Error('the 278 inquiry holds no patient event');
    const { raw: _raw, ...decision } = this.next(q.authId, q.payerId, `status:${q.requestId}:${q.inquiryDate}`, q.inquiryDate, q.requestId);
    void _raw;
    const control = (hash32(`278inq:${read.traceNumber}`) % 999_999_999) + 1;
    return build278Response(
      decision,
      {
        traceNumber: read.traceNumber,
        payer: { name: read.payer.name ?? q.payerId, id: read.payer.id ?? q.payerId },
        requester: { name: read.requester.name ?? 'PRACTICE', npi: read.requester.npi ?? '' },
        subscriber: read.subscriber,
        requestCategory: read.requestCategory,
        certificationType: read.certificationType,
        ...(read.serviceType ? { serviceType: read.serviceType } : {}),
        services: read.services,
      },
      {
        sender: { id: envelopeId(q.payerId, 'PAYER'), name: q.payerId },
        receiver: { id: 'PRACTICE', name: 'PRACTICE' },
        controlNumbers: { isa: control, gs: control, st: 1 },
        createdAt: `${q.inquiryDate}T12:00:00Z`,
      },
      '005010X215',
    );
  }
}
