/**
 * The claim's state: ONE plain-JSON object (ClaimCarriedState, contracts/claim.ts) holding the
 * queryable state, the bookkeeping flags, and the messages received but not yet applied. It is what
 * continue-as-new carries, as is. Everything here is pure: reads of that object.
 */
import type { ClaimCarriedState, ClaimWorkflowInput } from '../../contracts/claim';
import type { ClaimDocument } from '../../domain/claim-document';
import { emptyInbox } from '../inbox';

export type ClaimState = ClaimCarriedState & { inbox: NonNullable<ClaimCarriedState['inbox']>; appliedWorkItems: number[] };

/** The state a claim starts with, or the state its previous run handed over. */
export function initialClaimState(input: ClaimWorkflowInput): ClaimState {
  const carried = input.carried;
  if (carried) return { ...carried, appliedWorkItems: carried.appliedWorkItems ?? [], inbox: carried.inbox ?? emptyInbox() };
  const claim = input.claim;
  return {
    state: {
      claimId: claim.claimId,
      status: 'charge_entered',
      version: 1,
      billedCents: claim.lines.reduce((sum, l) => sum + l.chargeCents, 0),
      paidCents: 0,
      patientResponsibilityCents: 0,
      submissions: [],
      payments: [],
      arTouches: [],
      timers: [],
      waitingFor: 'recording the charge',
      history: [{ at: input.enteredAt, status: 'charge_entered', actor: input.actor }],
    },
    claim,
    runs: 1,
    frequencyCode: '1',
    timelyFilingPassed: false,
    primaryDone: false, // primary adjudicated and posted (paid / partially paid)
    secondarySent: false,
    secondaryAdjudicated: false,
    openDispute: false,
    openLineDenials: 0,
    lineDeniedCents: 0,
    seenDeliveries: [],
    appliedWorkItems: [],
    inbox: emptyInbox(),
  };
}

/** What the next run starts from: the same object, fired and cancelled deadlines dropped. */
export function handOver(c: ClaimState): ClaimCarriedState {
  return { ...c, state: { ...c.state, timers: c.state.timers.filter((t) => t.state === 'pending') }, runs: c.runs + 1 };
}

/** Deadlines are dates; a date's deadline instant is its start (00:00 UTC). */
export const startOf = (date: string): number => Date.parse(`${date}T00:00:00.000Z`);
/** Today by the workflow clock. */
export const today = (): string => new Date().toISOString().slice(0, 10);
export const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

/** What is still owed on the claim: billed − paid − earlier partial write-offs. */
export function openBalanceCents(c: ClaimState): number {
  const s = c.state;
  return Math.max(0, s.billedCents - s.paidCents - (s.writtenOffCents ?? 0));
}

/** A secondary claim is out and its payer has not answered. */
export const secondaryOutstanding = (c: ClaimState): boolean =>
  c.secondarySent && !c.secondaryAdjudicated && !c.state.payments.some((p) => p.statusCode === '2' || p.statusCode === '20');

/** Before adjudication the whole charge is at risk; after, what is disputed, denied or still owed by a secondary. */
export function dollarsAtRiskCents(c: ClaimState): number {
  const s = c.state;
  if (s.status === 'closed') return 0;
  if (!c.primaryDone) return openBalanceCents(c);
  const underpaid = s.payments.reduce((sum, p) => sum + p.underpaidCents, 0);
  const secondaryOwed = secondaryOutstanding(c) ? s.patientResponsibilityCents : 0;
  return (c.openDispute ? underpaid : 0) + secondaryOwed + c.lineDeniedCents;
}

export const awaitingPayer = (c: ClaimState): boolean => ['submitted', 'acknowledged'].includes(c.state.status);
export const accepted = (c: ClaimState): boolean => c.state.submissions.some((x) => x.coverage === 'primary' && x.ack !== 'rejected');

/** Posted with nothing left to work: the claim can close by itself. */
export const settled = (c: ClaimState): boolean => c.state.status === 'posted' && !c.openDispute && c.openLineDenials === 0 && !secondaryOutstanding(c);

/** The payer has paid this claim (in full or in part): a correction would send a paid claim again. */
export const paidByPayer = (c: ClaimState): boolean => c.primaryDone || ['paid', 'partially_paid', 'posted', 'secondary_submitted'].includes(c.state.status);

export function describeWait(c: ClaimState): string {
  const s = c.state;
  switch (s.status) {
    case 'needs_correction':
    case 'rejected':
      return 'a corrected claim from staff (action "correct")';
    case 'held':
      return 'the rendering provider’s credential or enrollment to be active (CRED-7)';
    case 'submitted':
      return 'the payer’s acknowledgement (999/277CA)';
    case 'acknowledged':
    case 'secondary_submitted':
      return 'the payer’s remittance (835)';
    case 'denied':
      return s.denial?.category === 'hard' ? 'an appeal (action "submit-appeal") or a write-off decision' : 'a corrected claim (action "correct")';
    case 'appealed':
      return 'the payer’s answer to the appeal';
    case 'posted':
      return c.openDispute ? 'the underpayment dispute (POST-5)' : 'closing';
    case 'timely_filing_expired':
      return 'a write-off review: the timely filing window has passed (SUB-4)';
    case 'closed':
      return 'nothing: the claim is closed';
    default:
      return 'processing';
  }
}

export function sameDocument(a: ClaimDocument, b: ClaimDocument): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
