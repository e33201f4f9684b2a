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
  /** The payer's answer as received (the simulator renders a 271-like segment list). */
  raw: string;
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
};

export type AuthDecision = 'approved' | 'pended' | 'denied';
export type DenialReason = 'medical_necessity' | 'administrative' | 'not_covered' | 'frequency';

export type AuthorizationResponse278 = {
  requestId: string;
  authId: string;
  payerId: string;
  decision: AuthDecision;
  authNumber?: string;
  validFrom?: string;
  validTo?: string;
  visitsAuthorized?: number;
  denialReason?: DenialReason;
  /** The payer's reason text (no PHI). */
  reason?: string;
  /** The payer's decision date (AUTH-5 clocks start here). */
  decidedOn: string;
  raw: string;
};

export interface EligibilityAuthGateway {
  readonly name: string;
  checkEligibility(request: EligibilityRequest270): Promise<EligibilityResponse271>;
  submitAuthorization(request: AuthorizationRequest278): Promise<AuthorizationResponse278>;
  /** Follow-up on a pended request (278 inquiry). */
  authorizationStatus(query: { requestId: string; authId: string; payerId: string; inquiryDate: string }): Promise<AuthorizationResponse278>;
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

  async checkEligibility(req: EligibilityRequest270): Promise<EligibilityResponse271> {
    this.eligibilityRequests.push(req);
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
    const answer: EligibilityResponse271 = {
      requestId: req.requestId,
      payerId: req.payerId,
      respondedOn: req.inquiryDate,
      coverage,
      services,
      conservativeCareWeeksOnFile: s.conservativeCareWeeksOnFile,
      frequencyUsed: s.frequencyUsed ?? [],
      msp: s.msp ?? (medicare ? { status: 'medicare_primary' } : undefined),
      raw: '',
    };
    answer.raw = [
      `ST*271*${hash32(req.requestId) % 10000}`,
      `TRN*2*${req.requestId}`,
      `EB*${coverage.status === 'active' ? '1' : '6'}**30**${coverage.planName ?? ''}`,
      ...(coverage.effectiveDate ? [`DTP*346*D8*${coverage.effectiveDate.replaceAll('-', '')}`] : []),
      ...(coverage.terminationDate ? [`DTP*347*D8*${coverage.terminationDate.replaceAll('-', '')}`] : []),
      ...services.map((sv) => `EB*${sv.covered ? '1' : 'I'}**${sv.authRequired ? 'AR' : ''}*HC:${sv.cpt}`),
      ...(answer.msp ? [`EB*R**MSP:${answer.msp.status}`] : []),
      'SE',
    ].join('~');
    return answer;
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
    const hcr = res.decision === 'approved' ? 'A1' : res.decision === 'pended' ? 'A4' : 'A3';
    res.raw = [`ST*278*${hash32(req.requestId) % 10000}`, `TRN*2*${req.requestId}`, `HCR*${hcr}*${res.authNumber ?? ''}*${res.denialReason ?? ''}`, ...(res.validFrom ? [`DTP*AAH*RD8*${res.validFrom.replaceAll('-', '')}-${(res.validTo ?? '').replaceAll('-', '')}`] : []), 'SE'].join('~');
    return res;
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

  async submitAuthorization(req: AuthorizationRequest278): Promise<AuthorizationResponse278> {
    this.requests.set(req.authId, req);
    // A new submission (e.g. a corrected package) restarts the script position only for a new request id.
    return this.next(req.authId, req.payerId, `submit:${req.requestId}`, req.submittedOn, req.requestId);
  }

  async authorizationStatus(q: { requestId: string; authId: string; payerId: string; inquiryDate: string }): Promise<AuthorizationResponse278> {
    return this.next(q.authId, q.payerId, `status:${q.requestId}:${q.inquiryDate}`, q.inquiryDate, q.requestId);
  }
}
