/**
 * The payer gateway: the boundary between the claim workflow and a payer / clearinghouse. Out:
 * an X12 837P per claim submission, a 276-shaped status inquiry. In (asynchronous, whenever the
 * payer answers): acknowledgements (999 / 277CA) and remittances (835), handed to an InboundSink.
 * Implementations: the payer simulator (tests, `npm start`) and the file-drop clearinghouse.
 */
import type { ClaimDocument } from '../../domain/claim-document';
import type { Remittance } from '../../domain/remittance';
import type { PayerIdentifiers } from '../../x12/parse-835';

export type ClaimSubmission = {
  submissionId: number;
  claim: ClaimDocument;
  coveragePriority: 'primary' | 'secondary' | 'tertiary';
  /** The payer this submission goes to (for a secondary claim: the secondary payer). */
  payerId: string;
  frequencyCode: '1' | '7' | '8';
  interchangeControlNumber: number;
  /** The 837P text, validated against the segment structure. */
  x12: string;
};

export type StatusInquiryResult = {
  /**
   * From the 277's first claim-level STC01 category (`x12/claim-status.ts` statusInquiryCategory):
   * A4 / D0 → not_found, F* → finalized, other A* → acknowledged, P*, R* and E* → pending.
   */
  category: 'acknowledged' | 'pending' | 'finalized' | 'not_found';
  /** Plain text, no PHI: `277 P1:20 pending: in process; payer claim 123`. */
  detail: string;
  checkedAt: string;
  /** The 277's claim-level STC statuses (category:code[:entity]), when the answer was a 277. */
  statusCodes?: string[];
  /** REF*1K of the 277. */
  payerClaimControlNumber?: string;
  /** STC05 / STC06 / STC09 of a finalized claim. */
  paidCents?: number;
  adjudicationDate?: string;
  checkNumber?: string;
};

/**
 * What the AR-3 day-30 inquiry sends (the claim workflow passes the first three). The rest makes
 * the 276 a payer can match: the `statusInquiry` activity fills it from the stored claim
 * document; a gateway without it writes what it has (a 276 needs at least the member id).
 */
export type StatusInquiryRequest = {
  claimId: string;
  payerId: string;
  submittedAt: string;
  /** TRN02 of the 276 (no PHI); default `<claimId>-<submittedAt date>`. */
  traceNumber?: string;
  memberId?: string;
  subscriber?: { lastName?: string; firstName?: string; birthDate?: string; sex?: 'F' | 'M' | 'U' };
  practiceId?: string;
  providerNpi?: string;
  /** AMT*T3 total charge of the claim. */
  chargeCents?: number;
  serviceDate?: string;
  serviceDateEnd?: string;
  payerClaimControlNumber?: string;
  lines?: Array<{ cpt: string; modifiers?: string[]; chargeCents: number; units: number; serviceDate?: string }>;
};

export type Acknowledgement = {
  claimId: string;
  /** The submitting practice when the sender knows it (claim ids are unique per practice); else found by the interchange control number. */
  practiceId?: string;
  interchangeControlNumber?: number;
  accepted: boolean;
  /** Why the clearinghouse or payer rejected it (277CA STC / 999 IK3-IK4), no PHI. */
  reasons: string[];
  payerClaimControlNumber?: string;
  at: string;
  source: '999' | '277CA' | 'simulator';
};

export interface InboundSink {
  acknowledgement(ack: Acknowledgement): Promise<void>;
  remittance(remittance: Remittance, source: string): Promise<unknown>;
  /**
   * Maps an 835's payer identifiers (REF*2U, N1*PR N104, TRN03) to our payer key; undefined from
   * the resolver = unknown payer, the file is refused. A sink without it takes the ids as sent.
   */
  payerResolver?(): Promise<(ids: PayerIdentifiers) => string | undefined>;
}

export interface PayerGateway {
  readonly name: string;
  submitClaim(submission: ClaimSubmission): Promise<{ trackingId: string }>;
  statusInquiry(q: StatusInquiryRequest): Promise<StatusInquiryResult>;
}
