/**
 * Interchange envelope validation (ISA/GS/ST ... SE/GE/IEA): order, counts and control numbers.
 * Segments between ST and SE are handed to a transaction handler that maps its loops.
 */
import { X12Error } from './errors';
import { el, tokenize, tokenizeStream, Tokenizer, type Delimiters, type Segment } from './tokenize';

export interface TransactionHandler {
  /** ST seen (after the envelope checked ST01 / version). */
  start(st: Segment, gs: Segment, delimiters: Delimiters): void;
  /** A segment between ST and SE. */
  segment(seg: Segment): void;
  /** SE seen and its count / control number checked. */
  end(se: Segment): void;
}

export interface EnvelopeExpectation {
  /** GS01 functional identifier code, e.g. HP for 835. */
  functionalId: string;
  /** ST01 transaction set id, e.g. 835. */
  transactionSet: string;
  /** Accepted GS08 / ST03 implementation guide versions. */
  versions: string[];
  /**
   * Guides of the same GS01/ST01 this reader does not support, by GS08 prefix, with the plain
   * reason given instead of a version mismatch (837I / 837D share HC/837 with the 837P).
   */
  unsupported?: Array<{ versionPrefix: string; reason: string }>;
}

const ENVELOPE_IDS = new Set(['ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'TA1']);

export class EnvelopeValidator {
  private state: 'start' | 'interchange' | 'group' | 'transaction' | 'done' = 'start';
  private isa?: Segment;
  private gs?: Segment;
  private st?: Segment;
  private groups = 0;
  /** Interchanges (ISA ... IEA) seen so far in the file. */
  interchanges = 0;
  private transactions = 0;
  private stSegments = 0;
  private lastPosition = 0;
  delimiters?: Delimiters;

  constructor(
    private readonly expect: EnvelopeExpectation,
    private readonly handler: TransactionHandler,
  ) {}

  accept(seg: Segment, delimiters: Delimiters): void {
    this.delimiters = delimiters;
    this.lastPosition = seg.position;
    const fail = (reason: string, code: 'ENVELOPE' | 'LOOP' | 'CONTENT' = 'ENVELOPE'): never => {
      throw new X12Error(seg.position, seg.id, reason, code);
    };
    if (this.state === 'transaction') {
      this.stSegments++;
      if (seg.id === 'SE') return this.closeTransaction(seg);
      if (ENVELOPE_IDS.has(seg.id)) fail(`${seg.id} inside a transaction set: SE missing for ST ${el(this.st!, 2)}`);
      this.handler.segment(seg);
      return;
    }
    switch (seg.id) {
      case 'ISA':
        // A file may hold several interchanges one after another (ISA ... IEA ISA ... IEA).
        if (this.state !== 'start' && this.state !== 'done') fail('ISA inside an interchange (IEA missing)');
        this.isa = seg;
        this.groups = 0;
        this.interchanges++;
        this.state = 'interchange';
        return;
      case 'TA1':
        if (this.state !== 'interchange' || this.groups > 0) fail('TA1 must follow ISA');
        return;
      case 'GS': {
        if (this.state !== 'interchange') fail(this.state === 'group' ? 'GS before the previous GE' : 'GS outside an interchange');
        if (el(seg, 1) !== this.expect.functionalId) {
          fail(`GS01 "${el(seg, 1)}" is not ${this.expect.functionalId} (expected a ${this.expect.transactionSet} group)`);
        }
        const other = this.expect.unsupported?.find((u) => el(seg, 8).startsWith(u.versionPrefix));
        if (other) fail(`${other.reason} (GS08 ${el(seg, 8)})`, 'CONTENT');
        if (!this.expect.versions.includes(el(seg, 8))) {
          fail(`GS08 version "${el(seg, 8)}" is not ${this.expect.versions.join(' or ')}`);
        }
        if (!/^\d{1,9}$/.test(el(seg, 6))) fail(`GS06 control number "${el(seg, 6)}" is not 1-9 digits`);
        this.gs = seg;
        this.groups++;
        this.transactions = 0;
        this.state = 'group';
        return;
      }
      case 'ST': {
        if (this.state !== 'group') fail('ST outside a functional group (GS missing)');
        if (el(seg, 1) !== this.expect.transactionSet) {
          fail(`ST01 "${el(seg, 1)}" is not a ${this.expect.transactionSet} transaction set`);
        }
        if (!/^\d{4,9}$/.test(el(seg, 2))) fail(`ST02 control number "${el(seg, 2)}" is not 4-9 digits`);
        if (el(seg, 3) && el(seg, 3) !== el(this.gs!, 8)) fail(`ST03 "${el(seg, 3)}" differs from GS08 "${el(this.gs!, 8)}"`);
        this.st = seg;
        this.transactions++;
        this.stSegments = 1;
        this.state = 'transaction';
        this.handler.start(seg, this.gs!, delimiters);
        return;
      }
      case 'SE':
        return fail('SE without ST');
      case 'GE': {
        if (this.state !== 'group') fail('GE outside a functional group');
        const n = el(seg, 1);
        if (n !== String(this.transactions)) {
          fail(`GE01 says ${n || '(empty)'} transaction sets, the group holds ${this.transactions}`);
        }
        if (Number(el(seg, 2)) !== Number(el(this.gs!, 6)) || !el(seg, 2)) {
          fail(`GE02 control number "${el(seg, 2)}" does not match GS06 "${el(this.gs!, 6)}"`);
        }
        if (this.transactions === 0) fail('the functional group holds no transaction set');
        this.state = 'interchange';
        return;
      }
      case 'IEA': {
        if (this.state !== 'interchange') fail(this.state === 'group' ? 'IEA before GE' : 'IEA outside an interchange');
        const n = el(seg, 1);
        if (n !== String(this.groups)) fail(`IEA01 says ${n || '(empty)'} functional groups, the interchange holds ${this.groups}`);
        if (el(seg, 2) !== el(this.isa!, 13)) {
          fail(`IEA02 control number "${el(seg, 2)}" does not match ISA13 "${el(this.isa!, 13)}"`);
        }
        if (this.groups === 0) fail('the interchange holds no functional group');
        this.state = 'done';
        return;
      }
      default:
        if (this.state === 'done') return fail('data after IEA');
        return fail(
          `${seg.id} outside a transaction set (${this.state === 'group' ? 'ST' : 'GS'} missing)`,
          'LOOP',
        );
    }
  }

  private closeTransaction(se: Segment): void {
    const declared = el(se, 1);
    if (declared !== String(this.stSegments)) {
      throw new X12Error(
        se.position,
        'SE',
        `SE01 says ${declared || '(empty)'} segments, the transaction set has ${this.stSegments}`,
        'ENVELOPE',
      );
    }
    if (el(se, 2) !== el(this.st!, 2)) {
      throw new X12Error(se.position, 'SE', `SE02 control number "${el(se, 2)}" does not match ST02 "${el(this.st!, 2)}"`, 'ENVELOPE');
    }
    this.handler.end(se);
    this.state = 'group';
  }

  /** Call after the last segment. */
  finish(): void {
    if (this.state === 'done') return;
    const missing = this.state === 'transaction' ? 'SE' : this.state === 'group' ? 'GE' : 'IEA';
    throw new X12Error(this.lastPosition + 1, missing, `the file ends without ${missing}`, 'ENVELOPE');
  }

  /** ISA13 of the last interchange read. */
  get interchangeControlNumber(): string | undefined {
    return this.isa ? el(this.isa, 13) : undefined;
  }
}

/** Validate a whole string's envelope, handing transaction segments to `handler`. */
export function readInterchange(text: string, expect: EnvelopeExpectation, handler: TransactionHandler): void {
  const t = new Tokenizer();
  const v = new EnvelopeValidator(expect, handler);
  for (const seg of tokenize(text, t)) v.accept(seg, seg.delimiters);
  v.finish();
}

/** Same for a stream; yields nothing itself, the handler does the work. */
export async function readInterchangeStream(
  input: AsyncIterable<string | Uint8Array>,
  expect: EnvelopeExpectation,
  handler: TransactionHandler,
  onSegment?: () => Promise<void> | void,
): Promise<void> {
  const t = new Tokenizer();
  const v = new EnvelopeValidator(expect, handler);
  for await (const seg of tokenizeStream(input, t)) {
    v.accept(seg, seg.delimiters);
    if (onSegment) await onSegment();
  }
  v.finish();
}
