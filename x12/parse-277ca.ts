/**
 * X12 277CA (005010X214) claim acknowledgment -> per claim accepted / rejected.
 * Claims are keyed by 2200D TRN02 (the CLM01 patient control number we sent, i.e. claimId).
 * Hierarchy: HL 20 (information source) > 21 (receiver) > 19 (billing provider) > PT (patient,
 * one per claim). A claim is rejected when any claim-level STC category is A3/A4/A6/A7/A8 or an
 * E0-E4 response error, or STC03 is U (reject); otherwise accepted (A1 received, A2 accepted
 * into adjudication, A5 split).
 */
import { readInterchange, type EnvelopeExpectation, type TransactionHandler } from './envelope';
import { X12Error } from './errors';
import { el, type Delimiters, type Segment } from './tokenize';
import { parseCents, parseDate8 } from './values';

export const EXPECT_277CA: EnvelopeExpectation = { functionalId: 'HN', transactionSet: '277', versions: ['005010X214'] };

export interface Status277 {
  /** STC01-1 claim status category code, e.g. A2 or A7. */
  category: string;
  /** STC01-2 claim status code, e.g. 20 (accepted for processing) or 562. */
  code: string;
  /** STC01-3 entity identifier code when given. */
  entity?: string;
}
export interface ClaimAck277 {
  /** 2200D TRN02: our claimId (CLM01). */
  claimId: string;
  status: 'accepted' | 'rejected';
  statuses: Status277[];
  /** STC02 effective date. */
  statusDate?: string;
  /** STC03 action code (WQ accepted, U rejected). */
  actionCode?: string;
  /** STC04 total claim charge. */
  chargeCents?: number;
  /** REF*1K payer claim control number. */
  payerClaimControlNumber?: string;
  /** REF*D9 clearinghouse trace number. */
  clearinghouseTraceNumber?: string;
  /** 1-based segment number of the claim's TRN. */
  segmentPosition: number;
}

const REJECT = new Set(['A3', 'A4', 'A6', 'A7', 'A8', 'E0', 'E1', 'E2', 'E3', 'E4']);
const ALLOWED: Record<string, Set<string>> = {
  '20': new Set(['NM1', 'PER', 'TRN', 'DTP']),
  '21': new Set(['NM1', 'TRN', 'STC', 'QTY', 'AMT']),
  '19': new Set(['NM1', 'TRN', 'STC', 'REF', 'QTY', 'AMT']),
  PT: new Set(['NM1', 'TRN', 'STC', 'REF', 'DTP', 'SVC']),
};
const PARENT: Record<string, string | undefined> = { '20': undefined, '21': '20', '19': '21', PT: '19' };

class Ack277Mapper implements TransactionHandler {
  readonly claims: ClaimAck277[] = [];
  private d!: Delimiters;
  private bht = false;
  private level = '';
  private hl = new Map<string, string>();
  private claim?: ClaimAck277;
  private inService = false;

  start(_st: Segment, _gs: Segment, d: Delimiters): void {
    this.d = d;
    this.bht = false;
    this.level = '';
    this.hl.clear();
    this.claim = undefined;
  }

  segment(seg: Segment): void {
    const fail = (reason: string, code: X12Error['code'] = 'LOOP'): never => {
      throw new X12Error(seg.position, seg.id, reason, code);
    };
    if (!this.bht) {
      if (seg.id !== 'BHT') fail(`${seg.id} before BHT: BHT must follow ST`);
      if (el(seg, 1) !== '0085') fail(`BHT01 "${el(seg, 1)}" is not 0085`, 'CONTENT');
      this.bht = true;
      return;
    }
    if (seg.id === 'HL') {
      const [id, parent, level] = [el(seg, 1), el(seg, 2), el(seg, 3)];
      if (!(level in PARENT)) fail(`HL03 "${level}" is not a 277CA level (20, 21, 19, PT)`);
      if (String(this.hl.size + 1) !== id) fail(`HL01 "${id}" out of sequence (expected ${this.hl.size + 1})`);
      const parentLevel = parent ? this.hl.get(parent) : undefined;
      if (parent && !parentLevel) fail(`HL02 parent "${parent}" does not exist`);
      if (parentLevel !== PARENT[level]) fail(`HL level ${level} must have a ${PARENT[level] ?? 'no'} parent, got ${parentLevel ?? 'none'}`);
      this.closeClaim(seg);
      this.hl.set(id, level);
      this.level = level;
      this.inService = false;
      return;
    }
    if (!this.level) fail(`${seg.id} before the first HL`);
    if (!ALLOWED[this.level].has(seg.id)) {
      const known = ['NM1', 'PER', 'TRN', 'DTP', 'STC', 'QTY', 'AMT', 'REF', 'SVC'].includes(seg.id);
      fail(known ? `${seg.id} is not allowed in HL level ${this.level}` : `unknown segment ${seg.id} in a 277CA (no loop holds it)`);
    }
    if (this.level !== 'PT') return;
    switch (seg.id) {
      case 'TRN':
        if (this.claim) fail('a second TRN for one patient (HL PT) loop');
        if (el(seg, 1) !== '2') fail('TRN01 must be 2 in loop 2200D', 'CONTENT');
        if (!el(seg, 2)) fail('TRN02 (the claim id) is required', 'CONTENT');
        this.claim = { claimId: el(seg, 2), status: 'accepted', statuses: [], segmentPosition: seg.position };
        return;
      case 'SVC':
        this.inService = true;
        return;
      case 'STC': {
        if (!this.claim) fail('STC before the claim TRN (2200D)');
        if (this.inService) return; // line-level status: kept out of the claim verdict
        const c = this.claim!;
        for (const i of [1, 10, 11]) {
          const v = el(seg, i);
          if (!v) continue;
          const [category, code, entity] = v.split(this.d.component);
          if (!category) fail(`STC${String(i).padStart(2, '0')} has no category code`, 'CONTENT');
          c.statuses.push({ category, code: code ?? '', ...(entity ? { entity } : {}) });
        }
        if (el(seg, 2) && !c.statusDate) c.statusDate = parseDate8(el(seg, 2), seg, 'STC02');
        if (el(seg, 3)) c.actionCode = el(seg, 3);
        if (el(seg, 4) && c.chargeCents === undefined) c.chargeCents = parseCents(el(seg, 4), seg, 'STC04');
        return;
      }
      case 'REF':
        if (!this.claim || this.inService) return;
        if (el(seg, 1) === '1K') this.claim.payerClaimControlNumber = el(seg, 2);
        if (el(seg, 1) === 'D9') this.claim.clearinghouseTraceNumber = el(seg, 2);
        return;
    }
  }

  end(se: Segment): void {
    if (!this.bht) throw new X12Error(se.position, 'SE', 'the 277CA has no BHT', 'LOOP');
    this.closeClaim(se);
  }

  private closeClaim(at: Segment): void {
    if (this.level === 'PT' && !this.claim) {
      throw new X12Error(at.position, at.id, 'the previous patient (HL PT) loop has no 2200D TRN claim id', 'LOOP');
    }
    const c = this.claim;
    if (!c) return;
    if (c.statuses.length === 0) {
      throw new X12Error(c.segmentPosition, 'TRN', `claim ${c.claimId} has no STC status`, 'LOOP');
    }
    const rejected = c.actionCode === 'U' || c.statuses.some((s) => REJECT.has(s.category));
    c.status = rejected ? 'rejected' : 'accepted';
    this.claims.push(c);
    this.claim = undefined;
  }
}

/** Parse a 277CA file; one entry per acknowledged claim, in file order. */
export function parse277CA(text: string): ClaimAck277[] {
  const m = new Ack277Mapper();
  readInterchange(text, EXPECT_277CA, m);
  return m.claims;
}
