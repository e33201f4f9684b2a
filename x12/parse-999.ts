/**
 * X12 999 (005010X231 and its errata 005010X231A1; both are in use) implementation acknowledgment -> accept/reject per functional group and
 * per transaction set, with the segment and element errors the receiver reported.
 * Loops: AK1; 2000 AK2 (+ 2100 IK3 / CTX, 2110 IK4 / CTX) closed by IK5; AK9 last.
 */
import { readInterchange, type EnvelopeExpectation, type TransactionHandler } from './envelope';
import { X12Error } from './errors';
import { el, type Delimiters, type Segment } from './tokenize';

export const EXPECT_999: EnvelopeExpectation = { functionalId: 'FA', transactionSet: '999', versions: ['005010X231', '005010X231A1'] };

export interface Ack999ElementError {
  /** IK401-1: element position in the segment. */
  position: number;
  componentPosition?: number;
  elementReference?: string;
  /** IK403 implementation data element syntax error code. */
  code: string;
  badValue?: string;
}
export interface Ack999SegmentError {
  segmentId: string;
  /** IK302: position of the segment in the acknowledged transaction set (ST = 1). */
  position: number;
  loopId?: string;
  /** IK304 implementation segment syntax error code. */
  code?: string;
  elementErrors: Ack999ElementError[];
}
export interface Ack999Transaction {
  transactionSetId: string;
  /** AK202: the ST02 of the acknowledged transaction set. */
  controlNumber: string;
  /** IK501: A accepted, E accepted with errors, M/R/W/X rejected. */
  code: string;
  accepted: boolean;
  errorCodes: string[];
  segmentErrors: Ack999SegmentError[];
}
export interface Ack999 {
  functionalIdCode: string;
  /** AK102: the GS06 of the acknowledged group. */
  groupControlNumber: string;
  version?: string;
  /** AK901: A, E, P (partially accepted) or R/M/W/X. */
  code: string;
  status: 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected';
  included: number;
  received: number;
  acceptedCount: number;
  groupErrorCodes: string[];
  transactions: Ack999Transaction[];
}

class Ack999Mapper implements TransactionHandler {
  readonly acks: Ack999[] = [];
  private ack?: Partial<Ack999> & { transactions: Ack999Transaction[] };
  private tx?: Ack999Transaction;
  private ik3?: Ack999SegmentError;
  private done = false;
  private d!: Delimiters;

  start(_st: Segment, _gs: Segment, d: Delimiters): void {
    this.d = d;
    this.ack = undefined;
    this.tx = this.ik3 = undefined;
    this.done = false;
  }

  segment(seg: Segment): void {
    const fail = (reason: string, code: X12Error['code'] = 'LOOP'): never => {
      throw new X12Error(seg.position, seg.id, reason, code);
    };
    if (this.done) fail(`${seg.id} after AK9: AK9 is the last segment before SE`);
    if (!this.ack && seg.id !== 'AK1') fail(`${seg.id} before AK1: AK1 must follow ST`);
    switch (seg.id) {
      case 'AK1':
        if (this.ack) fail('a second AK1');
        this.ack = { functionalIdCode: el(seg, 1), groupControlNumber: el(seg, 2), transactions: [] };
        if (el(seg, 3)) this.ack.version = el(seg, 3);
        return;
      case 'AK2':
        if (this.tx) fail('AK2 before the IK5 of the previous transaction set');
        this.tx = { transactionSetId: el(seg, 1), controlNumber: el(seg, 2), code: '', accepted: false, errorCodes: [], segmentErrors: [] };
        return;
      case 'IK3':
        if (!this.tx) fail('IK3 outside a 2000 loop (AK2 missing)');
        this.ik3 = { segmentId: el(seg, 1), position: Number(el(seg, 2)), elementErrors: [] };
        if (el(seg, 3)) this.ik3.loopId = el(seg, 3);
        if (el(seg, 4)) this.ik3.code = el(seg, 4);
        this.tx!.segmentErrors.push(this.ik3);
        return;
      case 'IK4': {
        if (!this.ik3) fail('IK4 outside a 2100 loop (IK3 missing)');
        const [pos, comp] = el(seg, 1).split(this.d.component);
        const e: Ack999ElementError = { position: Number(pos), code: el(seg, 3) };
        if (comp) e.componentPosition = Number(comp);
        if (el(seg, 2)) e.elementReference = el(seg, 2);
        if (el(seg, 4)) e.badValue = el(seg, 4);
        this.ik3!.elementErrors.push(e);
        return;
      }
      case 'CTX':
        if (!this.tx) fail('CTX outside a 2000 loop');
        return;
      case 'IK5': {
        if (!this.tx) fail('IK5 without AK2');
        const code = el(seg, 1);
        if (!/^[AEMRWX]$/.test(code)) fail(`IK501 "${code}" is not A, E, M, R, W or X`, 'CONTENT');
        this.tx!.code = code;
        this.tx!.accepted = code === 'A' || code === 'E';
        for (let i = 2; i <= 6; i++) if (el(seg, i)) this.tx!.errorCodes.push(el(seg, i));
        this.ack!.transactions.push(this.tx!);
        this.tx = this.ik3 = undefined;
        return;
      }
      case 'AK9': {
        if (this.tx) fail('AK9 before the IK5 of the last transaction set');
        const code = el(seg, 1);
        const status = ({ A: 'accepted', E: 'accepted_with_errors', P: 'partially_accepted' } as const)[code as 'A'] ?? 'rejected';
        if (!/^[AEPRMWX]$/.test(code)) fail(`AK901 "${code}" is not an acknowledgment code`, 'CONTENT');
        Object.assign(this.ack!, {
          code,
          status,
          included: Number(el(seg, 2)),
          received: Number(el(seg, 3)),
          acceptedCount: Number(el(seg, 4)),
          groupErrorCodes: [5, 6, 7, 8, 9].map((i) => el(seg, i)).filter(Boolean),
        });
        this.done = true;
        return;
      }
      default:
        fail(`unknown segment ${seg.id} in a 999 (no loop holds it)`);
    }
  }

  end(se: Segment): void {
    if (!this.done) throw new X12Error(se.position, 'SE', 'the 999 has no AK9', 'LOOP');
    const a = this.ack as Ack999;
    this.acks.push({
      functionalIdCode: a.functionalIdCode,
      groupControlNumber: a.groupControlNumber,
      ...(a.version ? { version: a.version } : {}),
      code: a.code,
      status: a.status,
      included: a.included,
      received: a.received,
      acceptedCount: a.acceptedCount,
      groupErrorCodes: a.groupErrorCodes,
      transactions: a.transactions,
    });
  }
}

/** Parse a 999 file; one Ack999 per transaction set (usually one). */
export function parse999(text: string): Ack999[] {
  const m = new Ack999Mapper();
  readInterchange(text, EXPECT_999, m);
  return m.acks;
}
