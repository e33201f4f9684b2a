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
  /** 277 category: A (acknowledged), P (pending), F (finalized), R (request for info), E (error), or none. */
  category: 'acknowledged' | 'pending' | 'finalized' | 'not_found';
  detail: string;
  checkedAt: string;
};

export type Acknowledgement = {
  claimId: string;
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
  statusInquiry(q: { claimId: string; payerId: string; submittedAt: string }): Promise<StatusInquiryResult>;
}
