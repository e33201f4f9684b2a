/**
 * X12 835 (005010X221A1) health care claim payment/advice -> Remittance model.
 *
 * - `parse835(text)`: one ST/SE transaction set -> one Remittance (a file with several is
 *   rejected at the second ST; use `parse835All` for those).
 * - `parse835Stream(readable)`: async generator of events (header, one event per claim payment,
 *   transaction trailer, end). It holds one claim at a time, never the whole file. The file is
 *   only valid once the final `end` event arrives: consumers must stage what they receive and
 *   commit nothing if the generator throws (balancing and envelope counts are checked at SE/IEA).
 *
 * Whole-file validation (throws X12Error with segment number + reason): envelope (see
 * envelope.ts), loop structure, element syntax, and balancing:
 *   BPR02 = sum(CLP04) - sum(PLB amounts); per CLP: CLP03 - CLP04 = claim CAS + line CAS;
 *   per SVC: SVC02 - SVC03 = its CAS.
 */
import type {
  Adjustment,
  AdjustmentGroup,
  ClaimPayment,
  ClaimStatusCode,
  LinePayment,
  ProviderAdjustment,
  Remittance,
} from '../domain/remittance';
import { EnvelopeValidator, readInterchange, type EnvelopeExpectation, type TransactionHandler } from './envelope';
import { X12Error } from './errors';
import { readCasSegment } from './cas';
import { el, tokenizeStream, Tokenizer, type Delimiters, type Segment } from './tokenize';
import { formatCents, parseCents, parseDate8, parseDecimal } from './values';

export const EXPECT_835: EnvelopeExpectation = {
  functionalId: 'HP',
  transactionSet: '835',
  versions: ['005010X221A1'],
};

/** The ids an 835 names its payer by (X221A1): all optional but TRN03, which the guide requires. */
export interface PayerIdentifiers {
  /** 1000A REF*2U (payer identification number). */
  ref2U?: string;
  /** 1000A N1*PR N104 (with N103 XV, the CMS plan id; else the payer's own id). */
  n1pr?: string;
  /** Header TRN03 (originating company identifier: "1" + the payer's EIN, or its own number). */
  trn03?: string;
  /** 1000B N1*PE N104 when N103 is XX: the payee NPI (which practice the file pays). */
  payeeNpi?: string;
  /** 1000B N1*PE N104 when N103 is FI: the payee's federal tax id. */
  payeeTaxId?: string;
}

export interface Parse835Options {
  /** The product's payer id (payer policy key), overriding what the file says. */
  payerId?: string;
  /**
   * Maps the file's payer identifiers to the product's payer key (REF*2U, then N1*PR N104, then
   * TRN03, each through the clearinghouse-id mapping, see activities/payer-identifiers.ts).
   * Undefined answer = none maps: the file is refused at its N1*PR. Without a resolver the
   * payer id is the first of REF*2U, N1*PR N104, TRN03 the file carries, as sent.
   */
  resolvePayer?: (ids: PayerIdentifiers) => string | undefined;
}

/** Everything of a Remittance except the claims, known before the first claim. */
export type Remittance835Header = Omit<Remittance, 'claims' | 'providerAdjustments'>;

export type Era835Event =
  | { kind: 'header'; transactionIndex: number; header: Remittance835Header }
  | { kind: 'claim'; transactionIndex: number; claim: ClaimPayment }
  | {
      kind: 'transaction';
      transactionIndex: number;
      header: Remittance835Header;
      providerAdjustments: ProviderAdjustment[];
      claimCount: number;
    }
  | { kind: 'end'; transactions: number; interchangeControlNumber: string };

const STATUS = new Set<string>(['1', '2', '3', '4', '19', '20', '21', '22', '23', '25']);

type Loop = 'header' | '1000A' | '1000B' | '2000' | '2100' | '2110' | 'summary';
const LOOP_NAMES: Record<Loop, string> = {
  header: 'header (BPR/TRN)',
  '1000A': '1000A payer identification',
  '1000B': '1000B payee identification',
  '2000': '2000 header number (LX)',
  '2100': '2100 claim payment (CLP)',
  '2110': '2110 service payment (SVC)',
  summary: 'summary (PLB)',
};
/** Segments allowed inside each loop (besides the ones that open a loop). */
const ALLOWED: Record<Loop, Set<string>> = {
  header: new Set(['TRN', 'CUR', 'REF', 'DTM']),
  '1000A': new Set(['N3', 'N4', 'REF', 'PER']),
  '1000B': new Set(['N3', 'N4', 'REF', 'RDM']),
  '2000': new Set(['TS3', 'TS2']),
  '2100': new Set(['CAS', 'NM1', 'MIA', 'MOA', 'REF', 'DTM', 'PER', 'AMT', 'QTY']),
  '2110': new Set(['DTM', 'CAS', 'REF', 'AMT', 'QTY', 'LQ']),
  summary: new Set(['PLB']),
};
const KNOWN_835 = new Set([
  'BPR', 'TRN', 'CUR', 'REF', 'DTM', 'N1', 'N3', 'N4', 'PER', 'RDM', 'LX', 'TS3', 'TS2', 'CLP', 'CAS',
  'NM1', 'MIA', 'MOA', 'AMT', 'QTY', 'SVC', 'LQ', 'PLB',
]);

interface OpenClaim {
  seg: Segment;
  claim: ClaimPayment;
  casTotal: number;
}
interface OpenLine {
  seg: Segment;
  line: LinePayment;
  casTotal: number;
}

/** Maps the segments of 835 transaction sets; emits events. */
export class Era835Mapper implements TransactionHandler {
  private loop: Loop = 'header';
  private index = -1;
  private d!: Delimiters;
  private bpr?: Segment;
  private totalPaid = 0;
  private paymentDate = '';
  private trace = '';
  private adjudicationDate = '';
  private payerFromRef = '';
  private payerFromN1 = '';
  private payerFromTrn = '';
  private payeeNpi = '';
  private payeeTaxId = '';
  private n1pr?: Segment;
  private header?: Remittance835Header;
  private claim?: OpenClaim;
  private line?: OpenLine;
  private sumPaid = 0;
  private sumPlb = 0;
  private claimCount = 0;
  private plb: ProviderAdjustment[] = [];
  private lastPosition = 0;

  constructor(
    private readonly opts: Parse835Options,
    private readonly emit: (e: Era835Event) => void,
    private readonly maxTransactions = Infinity,
  ) {}

  start(st: Segment, _gs: Segment, d: Delimiters): void {
    this.index++;
    if (this.index >= this.maxTransactions) {
      throw new X12Error(st.position, 'ST', 'the file holds more than one 835 transaction set; use parse835All', 'ENVELOPE');
    }
    this.d = d;
    this.loop = 'header';
    this.bpr = undefined;
    this.trace = this.adjudicationDate = this.payerFromRef = this.payerFromN1 = this.payerFromTrn = this.paymentDate = this.payeeNpi = this.payeeTaxId = '';
    this.n1pr = undefined;
    this.header = undefined;
    this.claim = this.line = undefined;
    this.sumPaid = this.sumPlb = this.claimCount = this.totalPaid = 0;
    this.plb = [];
    this.lastPosition = st.position;
  }

  segment(seg: Segment): void {
    this.lastPosition = seg.position;
    const id = seg.id;
    if (!KNOWN_835.has(id)) this.fail(seg, `unknown segment ${id} in an 835 (no loop holds it)`, 'LOOP');
    if (!this.bpr) {
      if (id !== 'BPR') this.fail(seg, `${id} before BPR: BPR must be the first segment after ST`, 'LOOP');
      return this.onBpr(seg);
    }
    switch (id) {
      case 'N1':
        return this.onN1(seg);
      case 'LX':
        this.requireClaimsSection(seg);
        this.closeClaim();
        this.loop = '2000';
        return;
      case 'CLP':
        this.requireClaimsSection(seg);
        if (this.loop === 'summary') this.fail(seg, 'CLP after PLB: claim payments come before provider adjustments', 'LOOP');
        this.closeClaim();
        this.openClaim(seg);
        this.loop = '2100';
        return;
      case 'SVC':
        if (this.loop !== '2100' && this.loop !== '2110') this.notAllowed(seg);
        this.closeLine();
        this.openLine(seg);
        this.loop = '2110';
        return;
      case 'PLB':
        this.requireClaimsSection(seg);
        this.closeClaim();
        this.loop = 'summary';
        return this.onPlb(seg);
      case 'BPR':
        return this.fail(seg, 'a second BPR in one transaction set', 'LOOP');
    }
    if (!ALLOWED[this.loop].has(id)) this.notAllowed(seg);
    switch (this.loop) {
      case 'header':
        if (id === 'TRN') return this.onTrn(seg);
        if (id === 'DTM' && el(seg, 1) === '405') {
          this.adjudicationDate = parseDate8(el(seg, 2), seg, 'DTM02');
        }
        return;
      case '1000A':
        if (id === 'REF' && el(seg, 1) === '2U') this.payerFromRef = el(seg, 2);
        return;
      case '2100':
        return this.onClaimSegment(seg);
      case '2110':
        return this.onLineSegment(seg);
      default:
        return;
    }
  }

  end(se: Segment): void {
    if (!this.bpr) this.fail(se, 'the transaction set has no BPR', 'LOOP');
    this.ensureHeader(se);
    this.closeClaim();
    const expected = this.sumPaid - this.sumPlb;
    if (expected !== this.totalPaid) {
      this.fail(
        this.bpr!,
        `BPR02 ${formatCents(this.totalPaid)} does not balance: sum of CLP04 ${formatCents(this.sumPaid)} minus PLB ${formatCents(this.sumPlb)} = ${formatCents(expected)}`,
        'BALANCE',
      );
    }
    this.emit({
      kind: 'transaction',
      transactionIndex: this.index,
      header: this.header!,
      providerAdjustments: this.plb,
      claimCount: this.claimCount,
    });
  }

  get transactionCount(): number {
    return this.index + 1;
  }

  // ---- header -------------------------------------------------------------------------------

  private onBpr(seg: Segment): void {
    this.bpr = seg;
    if (!/^[CDHIPUX]$/.test(el(seg, 1))) this.fail(seg, `BPR01 "${el(seg, 1)}" is not a transaction handling code`, 'SYNTAX');
    this.totalPaid = parseCents(this.req(seg, 2, 'BPR02'), seg, 'BPR02');
    this.paymentDate = parseDate8(this.req(seg, 16, 'BPR16'), seg, 'BPR16');
  }

  private onTrn(seg: Segment): void {
    if (this.trace) this.fail(seg, 'a second TRN in one transaction set', 'LOOP');
    this.trace = this.req(seg, 2, 'TRN02');
    this.payerFromTrn = el(seg, 3);
  }

  private onN1(seg: Segment): void {
    const code = el(seg, 1);
    if (code === 'PR' && this.loop === 'header') {
      if (!this.trace) this.fail(seg, 'N1*PR before TRN: TRN is required in the header', 'LOOP');
      this.n1pr = seg;
      if (el(seg, 3) && el(seg, 4)) this.payerFromN1 = el(seg, 4);
      this.loop = '1000A';
      return;
    }
    if (code === 'PE' && this.loop === '1000A') {
      if (el(seg, 3) === 'XX' && /^\d{10}$/.test(el(seg, 4))) this.payeeNpi = el(seg, 4);
      if (el(seg, 3) === 'FI' && el(seg, 4)) this.payeeTaxId = el(seg, 4);
      this.loop = '1000B';
      return;
    }
    if (code === 'PE' || code === 'PR') {
      this.fail(seg, `N1*${code} out of order: 1000A (N1*PR) then 1000B (N1*PE) follow the header`, 'LOOP');
    }
    this.notAllowed(seg);
  }

  private requireClaimsSection(seg: Segment): void {
    if (this.loop === 'header' || this.loop === '1000A') {
      this.fail(seg, `${seg.id} before the payee loop 1000B (N1*PE)`, 'LOOP');
    }
    this.ensureHeader(seg);
  }

  private ensureHeader(seg: Segment): void {
    if (this.header) return;
    if (!this.trace) this.fail(seg, 'the transaction set has no TRN', 'LOOP');
    if (!this.n1pr) this.fail(seg, 'the transaction set has no payer loop 1000A (N1*PR)', 'LOOP');
    const ids: PayerIdentifiers = {
      ...(this.payerFromRef ? { ref2U: this.payerFromRef } : {}),
      ...(this.payerFromN1 ? { n1pr: this.payerFromN1 } : {}),
      ...(this.payerFromTrn ? { trn03: this.payerFromTrn } : {}),
      ...(this.payeeNpi ? { payeeNpi: this.payeeNpi } : {}),
      ...(this.payeeTaxId ? { payeeTaxId: this.payeeTaxId } : {}),
    };
    const named = [
      ids.ref2U ? `REF*2U "${ids.ref2U}"` : '',
      ids.n1pr ? `N1*PR N104 "${ids.n1pr}"` : '',
      ids.trn03 ? `TRN03 "${ids.trn03}"` : '',
    ].filter(Boolean);
    let payerId = this.opts.payerId;
    if (!payerId && this.opts.resolvePayer) {
      payerId = this.opts.resolvePayer(ids);
      if (!payerId) {
        this.fail(
          this.n1pr!,
          named.length
            ? `unknown payer: none of ${named.join(', ')} is a payer key or a mapped clearinghouse payer id (add it to payer_identifiers)`
            : 'no payer id: the file has no REF*2U, N1*PR N104 or TRN03',
          'CONTENT',
        );
      }
    }
    payerId ??= ids.ref2U || ids.n1pr || ids.trn03;
    if (!payerId) {
      this.fail(this.n1pr!, 'no payer id: pass opts.payerId or send REF*2U, N1*PR N104 or TRN03', 'CONTENT');
    }
    this.header = {
      payerId,
      traceNumber: this.trace,
      totalPaidCents: this.totalPaid,
      paymentDate: this.paymentDate,
      adjudicationDate: this.adjudicationDate || this.paymentDate,
      ...(this.payeeNpi ? { payeeNpi: this.payeeNpi } : {}),
      // N1*PE with FI (a tax id of 9 digits, with or without the dash): which practice the file pays, when no NPI says.
      ...(/^\d{2}-?\d{7}$/.test(this.payeeTaxId) ? { payeeTaxId: this.payeeTaxId.replace('-', '') } : {}),
    };
    this.emit({ kind: 'header', transactionIndex: this.index, header: this.header });
  }

  // ---- claims -------------------------------------------------------------------------------

  private openClaim(seg: Segment): void {
    const status = el(seg, 2);
    if (!STATUS.has(status)) this.fail(seg, `CLP02 "${status}" is not a claim status code`, 'CONTENT');
    const claim: ClaimPayment = {
      claimId: this.req(seg, 1, 'CLP01'),
      statusCode: status as ClaimStatusCode,
      chargedCents: parseCents(this.req(seg, 3, 'CLP03'), seg, 'CLP03'),
      paidCents: parseCents(this.req(seg, 4, 'CLP04'), seg, 'CLP04'),
      patientResponsibilityCents: el(seg, 5) ? parseCents(el(seg, 5), seg, 'CLP05') : 0,
      adjustments: [],
      remarks: [],
      lines: [],
    };
    if (el(seg, 7)) claim.payerClaimControlNumber = el(seg, 7);
    this.claim = { seg, claim, casTotal: 0 };
  }

  private onClaimSegment(seg: Segment): void {
    const c = this.claim!;
    switch (seg.id) {
      case 'CAS':
        c.casTotal += this.readCas(seg, c.claim.adjustments);
        return;
      case 'MOA':
        for (let i = 3; i <= 7; i++) if (el(seg, i)) c.claim.remarks.push(el(seg, i));
        return;
      case 'MIA':
        for (const i of [5, 20, 21, 22, 23]) if (el(seg, i)) c.claim.remarks.push(el(seg, i));
        return;
    }
  }

  private closeClaim(): void {
    this.closeLine();
    const c = this.claim;
    if (!c) return;
    const diff = c.claim.chargedCents - c.claim.paidCents;
    if (diff !== c.casTotal) {
      this.fail(
        c.seg,
        `claim ${c.claim.claimId} does not balance: CLP03 ${formatCents(c.claim.chargedCents)} - CLP04 ${formatCents(c.claim.paidCents)} = ${formatCents(diff)} but claim and line CAS total ${formatCents(c.casTotal)}`,
        'BALANCE',
      );
    }
    this.sumPaid += c.claim.paidCents;
    this.claimCount++;
    this.claim = undefined;
    this.emit({ kind: 'claim', transactionIndex: this.index, claim: c.claim });
  }

  // ---- service lines ------------------------------------------------------------------------

  private openLine(seg: Segment): void {
    const comp = this.req(seg, 1, 'SVC01').split(this.d.component);
    if (!comp[1]) {
      const sep = this.d.component;
      this.fail(seg, `SVC01 "${el(seg, 1)}" has no procedure code (expected HC${sep}code${sep}modifiers; ISA16 declares "${sep}" as the component separator)`, 'SYNTAX');
    }
    const line: LinePayment = {
      cpt: comp[1],
      modifiers: comp.slice(2, 6).filter((m) => m !== ''),
      chargedCents: parseCents(this.req(seg, 2, 'SVC02'), seg, 'SVC02'),
      paidCents: parseCents(this.req(seg, 3, 'SVC03'), seg, 'SVC03'),
      units: el(seg, 5) ? parseDecimal(el(seg, 5), seg, 'SVC05') : 1,
      adjustments: [],
      remarks: [],
    };
    this.line = { seg, line, casTotal: 0 };
  }

  private onLineSegment(seg: Segment): void {
    const l = this.line!;
    switch (seg.id) {
      case 'CAS':
        l.casTotal += this.readCas(seg, l.line.adjustments);
        return;
      case 'DTM':
        if (el(seg, 1) === '472' || (el(seg, 1) === '150' && !l.line.serviceDate)) {
          l.line.serviceDate = parseDate8(el(seg, 2), seg, 'DTM02');
        }
        return;
      case 'REF':
        if (el(seg, 1) === '6R' && /^\d{1,6}$/.test(el(seg, 2)) && Number(el(seg, 2)) >= 1) {
          l.line.lineNumber = Number(el(seg, 2));
        }
        return;
      case 'AMT':
        if (el(seg, 1) === 'B6') l.line.allowedCents = parseCents(this.req(seg, 2, 'AMT02'), seg, 'AMT02');
        return;
      case 'LQ':
        if (el(seg, 1) === 'HE') l.line.remarks.push(this.req(seg, 2, 'LQ02'));
        return;
    }
  }

  private closeLine(): void {
    const l = this.line;
    if (!l) return;
    const diff = l.line.chargedCents - l.line.paidCents;
    if (diff !== l.casTotal) {
      this.fail(
        l.seg,
        `service line ${l.line.cpt} does not balance: SVC02 ${formatCents(l.line.chargedCents)} - SVC03 ${formatCents(l.line.paidCents)} = ${formatCents(diff)} but its CAS total ${formatCents(l.casTotal)}`,
        'BALANCE',
      );
    }
    this.claim!.casTotal += l.casTotal;
    this.claim!.claim.lines.push(l.line);
    this.line = undefined;
  }

  // ---- shared -------------------------------------------------------------------------------

  /** CAS*group*(reason*amount*quantity) x up to 6; returns the amount total. */
  private readCas(seg: Segment, into: Adjustment[]): number {
    return readCasSegment(seg, into);
  }

  private onPlb(seg: Segment): void {
    this.req(seg, 1, 'PLB01');
    parseDate8(this.req(seg, 2, 'PLB02'), seg, 'PLB02');
    if (seg.elements.length > 15) this.fail(seg, 'PLB holds more than 6 adjustment pairs', 'SYNTAX');
    let n = 0;
    for (let i = 3; i <= 13; i += 2) {
      const reason = el(seg, i);
      const amount = el(seg, i + 1);
      if (!reason) {
        if (amount) this.fail(seg, `PLB${String(i + 1).padStart(2, '0')} amount without a reason`, 'SYNTAX');
        continue;
      }
      const [code, ref] = reason.split(this.d.component);
      const name = `PLB${String(i + 1).padStart(2, '0')}`;
      const adj: ProviderAdjustment = {
        reasonCode: code,
        amountCents: parseCents(amount || this.fail(seg, `${name} amount missing`, 'SYNTAX'), seg, name),
      };
      if (ref) adj.reference = ref;
      if (!code) this.fail(seg, `PLB${String(i).padStart(2, '0')} has no adjustment reason code`, 'SYNTAX');
      this.plb.push(adj);
      this.sumPlb += adj.amountCents;
      n++;
    }
    if (n === 0) this.fail(seg, 'PLB has no adjustment (PLB03/PLB04 missing)', 'SYNTAX');
  }

  private req(seg: Segment, i: number, name: string): string {
    const v = el(seg, i);
    if (v === '') this.fail(seg, `${name} is required`, 'SYNTAX');
    return v;
  }

  private notAllowed(seg: Segment): never {
    const what = seg.id === 'N1' || seg.id === 'REF' || seg.id === 'DTM' || seg.id === 'AMT' || seg.id === 'LQ'
      ? `${seg.id}*${el(seg, 1)}`
      : seg.id;
    return this.fail(seg, `${what} is not allowed in loop ${LOOP_NAMES[this.loop]}`, 'LOOP');
  }

  private fail(seg: Segment, reason: string, code: X12Error['code']): never {
    throw new X12Error(seg.position, seg.id, reason, code);
  }
}

/** Parse every 835 transaction set of a file (one Remittance each). */
export function parse835All(text: string, opts: Parse835Options = {}): Remittance[] {
  return collect(text, opts, Infinity);
}

/** Parse a file holding exactly one 835 transaction set. */
export function parse835(text: string, opts: Parse835Options = {}): Remittance {
  return collect(text, opts, 1)[0];
}

function collect(text: string, opts: Parse835Options, max: number): Remittance[] {
  const out: Remittance[] = [];
  let claims: ClaimPayment[] = [];
  const mapper = new Era835Mapper(
    opts,
    (e) => {
      if (e.kind === 'claim') claims.push(e.claim);
      else if (e.kind === 'transaction') {
        out.push({ ...e.header, claims, providerAdjustments: e.providerAdjustments });
        claims = [];
      }
    },
    max,
  );
  readInterchange(text, EXPECT_835, mapper);
  return out;
}

/**
 * Streaming 835 parser. Yields `header`, then one `claim` per CLP (with its lines), then
 * `transaction` after each SE (balanced), and `end` after IEA. Nothing is valid before `end`.
 */
export async function* parse835Stream(
  input: AsyncIterable<string | Uint8Array>,
  opts: Parse835Options = {},
): AsyncGenerator<Era835Event, void> {
  const queue: Era835Event[] = [];
  const mapper = new Era835Mapper(opts, (e) => queue.push(e));
  const t = new Tokenizer();
  const v = new EnvelopeValidator(EXPECT_835, mapper);
  for await (const seg of tokenizeStream(input, t)) {
    v.accept(seg, seg.delimiters);
    if (queue.length) {
      for (const e of queue) yield e;
      queue.length = 0;
    }
  }
  v.finish();
  for (const e of queue) yield e;
  yield { kind: 'end', transactions: mapper.transactionCount, interchangeControlNumber: v.interchangeControlNumber! };
}

/** Read a stream to the model (all transaction sets); rejects whole on any error. */
export async function read835Stream(
  input: AsyncIterable<string | Uint8Array>,
  opts: Parse835Options = {},
): Promise<Remittance[]> {
  const out: Remittance[] = [];
  let claims: ClaimPayment[] = [];
  for await (const e of parse835Stream(input, opts)) {
    if (e.kind === 'claim') claims.push(e.claim);
    else if (e.kind === 'transaction') {
      out.push({ ...e.header, claims, providerAdjustments: e.providerAdjustments });
      claims = [];
    }
  }
  return out;
}
