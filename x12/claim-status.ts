/**
 * X12 276 / 277 claim status (005010X212): the 276 request we send (AR-3 day-30 inquiry), the
 * payer's 277 answer, and the payer-side readers / writers the simulator uses (`parse276`,
 * `generate277`). One claim per inquiry in what we write; the readers take any number.
 *
 * Hierarchy (both directions): HL 20 information source (NM1*PR) > 21 information receiver
 * (NM1*41) > 19 service provider (NM1*1P) > 22 subscriber (DMG, NM1*IL) [> 23 dependent (DMG,
 * NM1*QC)]. The claim loop (2200D / 2200E) sits in the patient's HL: TRN (276: TRN*1, 277:
 * TRN*2, TRN02 = the inquiry trace), REF*1K payer claim control number, REF*BLT, REF*EJ patient
 * account number (= CLM01, our claimId), AMT*T3 total charge (276), STC (277: STC01/10/11
 * category:code:entity, STC02 date, STC03 action, STC04 charge, STC05 paid, STC06 adjudication
 * date, STC08 check date, STC09 check number, STC12 text), DTP*472 service date(s); then the
 * service lines 2210/2220 (SVC, STC, REF*FJ, DTP*472).
 */
import { instantParts, openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { readInterchange, type EnvelopeExpectation } from './envelope';
import { HlTransactionReader } from './hl-reader';
import { X12Error } from './errors';
import type { Status277 } from './parse-277ca';
import { el, type Delimiters, type Segment } from './tokenize';
import { formatCents, formatDecimal, parseCents, parseDate8, parseDecimal, toDate8 } from './values';

export const EXPECT_276: EnvelopeExpectation = { functionalId: 'HR', transactionSet: '276', versions: ['005010X212'] };
export const EXPECT_277: EnvelopeExpectation = {
  functionalId: 'HN',
  transactionSet: '277',
  versions: ['005010X212'],
  unsupported: [{ versionPrefix: '005010X214', reason: 'this is a 277CA claim acknowledgment, not a 277 claim status response (read it with parse277CA)' }],
};

export interface StatusLine {
  /** SVC01: qualifier (HC, NU, ...), code, modifiers. */
  qualifier: string;
  code: string;
  modifiers: string[];
  chargeCents: number;
  paidCents?: number;
  units?: number;
  /** REF*FJ line item control number. */
  lineItemControlNumber?: string;
  serviceDate?: string;
  serviceDateEnd?: string;
  /** 277 only: the line's STC statuses. */
  statuses: Status277[];
}

export interface StatusInquiry276Claim {
  /** 2200D TRN02: our trace number for this inquiry, echoed in the 277's TRN02. No PHI. */
  traceNumber: string;
  /** REF*EJ: CLM01 of the 837P (our claimId). */
  patientAccountNumber?: string;
  /** REF*1K: the payer's claim control number from the 277CA / 835, when known. */
  payerClaimControlNumber?: string;
  /** AMT*T3 total claim charge. */
  chargeCents?: number;
  /** DTP*472 (D8, or RD8 with the end). */
  serviceDate?: string;
  serviceDateEnd?: string;
  subscriber: { memberId: string; lastName?: string; firstName?: string; birthDate?: string; sex?: 'F' | 'M' | 'U' };
  lines?: Array<Omit<StatusLine, 'statuses' | 'paidCents'>>;
}

export interface StatusInquiry276 {
  payer: { name: string; id: string };
  receiver: { name: string; id: string };
  provider: { name: string; npi: string };
  claims: StatusInquiry276Claim[];
}

export interface Generate276Options {
  sender: Party;
  receiver: Party;
  controlNumbers: ControlNumbers;
  /** ISO instant: ISA/GS/BHT dates. No clock inside the module. */
  createdAt: string;
  /** BHT03; default `276<st control number>`. */
  reference?: string;
  usage?: 'P' | 'T';
}

export interface ClaimStatus277 {
  /** TRN02: the trace number of the 276 this answers. */
  traceNumber: string;
  /** Claim-level STC01/10/11 in order, over every claim-level STC. */
  statuses: Status277[];
  /** STC02 of the first STC. */
  statusDate?: string;
  actionCode?: string;
  chargeCents?: number;
  paidCents?: number;
  /** STC06 adjudication / finalized date. */
  adjudicationDate?: string;
  /** STC08 / STC09: the payment. */
  checkDate?: string;
  checkNumber?: string;
  /** STC12 free text. */
  message?: string;
  payerClaimControlNumber?: string;
  patientAccountNumber?: string;
  serviceDate?: string;
  serviceDateEnd?: string;
  lines: StatusLine[];
  /** NM1*IL / NM1*QC member id of the patient loop. */
  memberId?: string;
  /** 1-based segment number of the claim's TRN. */
  segmentPosition: number;
}

export interface Parsed276Claim extends StatusInquiry276Claim {
  payerId: string;
  providerNpi: string;
  segmentPosition: number;
}

const PARENT: Record<string, string | undefined> = { '20': undefined, '21': '20', '19': '21', '22': '19', '23': '22' };
const LEVEL_SEGMENTS: Record<string, Set<string>> = {
  '20': new Set(['NM1', 'PER']),
  '21': new Set(['NM1']),
  '19': new Set(['NM1']),
  '22': new Set(['DMG', 'NM1', 'TRN', 'STC', 'REF', 'AMT', 'DTP', 'SVC']),
  '23': new Set(['DMG', 'NM1', 'TRN', 'STC', 'REF', 'AMT', 'DTP', 'SVC']),
};
const KNOWN = new Set(['NM1', 'PER', 'DMG', 'TRN', 'STC', 'REF', 'AMT', 'DTP', 'SVC']);

function dates(seg: Segment, d: Delimiters): { from: string; to?: string } {
  const q = el(seg, 2);
  if (q === 'D8') return { from: parseDate8(el(seg, 3), seg, 'DTP03') };
  if (q === 'RD8') {
    const [a, b] = el(seg, 3).split('-');
    const from = parseDate8(a ?? '', seg, 'DTP03');
    const to = parseDate8(b ?? '', seg, 'DTP03');
    if (to < from) throw new X12Error(seg.position, seg.id, `DTP03 range ends (${to}) before it starts (${from})`, 'CONTENT');
    return to === from ? { from } : { from, to };
  }
  void d;
  throw new X12Error(seg.position, seg.id, `DTP02 "${q}" is not D8 or RD8`, 'SYNTAX');
}

/** Reads the 276 / 277 hierarchy; `kind` decides TRN01 and the claim-level segments. */
class StatusMapper extends HlTransactionReader {
  readonly claims277: ClaimStatus277[] = [];
  readonly claims276: Parsed276Claim[] = [];
  private payerId = '';
  private providerNpi = '';
  private memberId = '';
  private nameSeen = false;
  private subscriber?: StatusInquiry276Claim['subscriber'];
  private pendingDmg?: { birthDate?: string; sex?: 'F' | 'M' | 'U' };
  private c277?: ClaimStatus277;
  private c276?: Parsed276Claim;
  private line?: StatusLine;

  constructor(private readonly kind: '276' | '277') {
    super({
      name: kind,
      structure: '0010',
      purposes: [kind === '276' ? '13' : '08'],
      purposeMessage: (got) => `BHT02 "${got}" is not ${kind === '276' ? '13' : '08'} (${kind === '276' ? 'request' : 'status'})`,
      parent: PARENT,
      levelList: '20, 21, 19, 22, 23',
    });
  }

  segment(seg: Segment): void {
    if (this.readBht(seg)) return;
    if (seg.id === 'HL') return this.hlSegment(seg);
    if (!this.level) this.fail(seg, `${seg.id} before the first HL`);
    if (!LEVEL_SEGMENTS[this.level].has(seg.id)) {
      this.fail(seg, KNOWN.has(seg.id) ? `${seg.id} is not allowed in HL level ${this.level}` : `unknown segment ${seg.id} in a ${this.kind} (no loop holds it)`);
    }
    switch (seg.id) {
      case 'NM1':
        return this.nm1(seg);
      case 'PER':
        return;
      case 'DMG': {
        if (this.nameSeen || this.c276 || this.c277) this.fail(seg, 'DMG must come before the NM1 of its HL loop');
        const birth = el(seg, 2) ? parseDate8(el(seg, 2), seg, 'DMG02') : undefined;
        const sex = el(seg, 3) as 'F' | 'M' | 'U' | '';
        if (sex && !['F', 'M', 'U'].includes(sex)) this.fail(seg, `DMG03 "${sex}" is not F, M or U`, 'CONTENT');
        this.pendingDmg = { ...(birth ? { birthDate: birth } : {}), ...(sex ? { sex } : {}) };
        return;
      }
      case 'TRN':
        return this.trn(seg);
    }
    // claim-level and line-level segments need the claim's TRN first
    if (!this.c276 && !this.c277) this.fail(seg, `${seg.id} before the claim's TRN (loop 2200${this.level === '22' ? 'D' : 'E'})`);
    switch (seg.id) {
      case 'SVC':
        return this.svc(seg);
      case 'STC':
        return this.stc(seg);
      case 'REF':
        return this.ref(seg);
      case 'AMT':
        if (this.kind !== '276' || this.line) this.fail(seg, 'AMT is only in the 276 claim loop');
        if (el(seg, 1) !== 'T3') this.fail(seg, `AMT01 "${el(seg, 1)}" is not T3 (total claim charge)`, 'CONTENT');
        this.c276!.chargeCents = parseCents(el(seg, 2), seg, 'AMT02');
        return;
      case 'DTP': {
        if (el(seg, 1) !== '472') this.fail(seg, `DTP01 "${el(seg, 1)}" is not 472 (service date)`, 'CONTENT');
        const { from, to } = dates(seg, this.d);
        const target = this.line ?? this.c276 ?? this.c277!;
        target.serviceDate = from;
        if (to) target.serviceDateEnd = to;
        return;
      }
    }
  }

  private hlSegment(seg: Segment): void {
    const [id, level] = this.readHl(seg);
    this.closeClaim(seg);
    this.enterHl(id, level);
    this.nameSeen = false;
    if (level === '22' || level === '23') {
      this.memberId = level === '22' ? '' : this.memberId;
      this.pendingDmg = undefined;
    }
  }

  private nm1(seg: Segment): void {
    const want: Record<string, string[]> = { '20': ['PR'], '21': ['41'], '19': ['1P'], '22': ['IL'], '23': ['QC'] };
    if (!want[this.level].includes(el(seg, 1))) this.fail(seg, `NM101 "${el(seg, 1)}" is not ${want[this.level].join('/')} in HL level ${this.level}`, 'CONTENT');
    if (this.c276 || this.c277) this.fail(seg, 'NM1 after the claim TRN: the name comes first in its HL loop');
    this.nameSeen = true;
    if (this.level === '20') this.payerId = el(seg, 9);
    if (this.level === '19') this.providerNpi = el(seg, 9);
    if (this.level === '22' || this.level === '23') {
      const memberId = el(seg, 9) || (this.level === '23' ? this.memberId : '');
      this.memberId = memberId;
      this.subscriber = {
        memberId,
        ...(el(seg, 3) ? { lastName: el(seg, 3) } : {}),
        ...(el(seg, 4) ? { firstName: el(seg, 4) } : {}),
        ...this.pendingDmg,
      };
    }
  }

  private trn(seg: Segment): void {
    const want = this.kind === '276' ? '1' : '2';
    if (el(seg, 1) !== want) this.fail(seg, `TRN01 must be ${want} in the ${this.kind} claim loop`, 'CONTENT');
    if (!el(seg, 2)) this.fail(seg, 'TRN02 (the inquiry trace number) is required', 'CONTENT');
    if (this.c276 || this.c277) this.fail(seg, 'a second TRN in one patient HL loop');
    if (this.kind === '276') {
      this.c276 = {
        traceNumber: el(seg, 2),
        payerId: this.payerId,
        providerNpi: this.providerNpi,
        subscriber: this.subscriber ?? { memberId: '' },
        lines: [],
        segmentPosition: seg.position,
      };
    } else {
      this.c277 = { traceNumber: el(seg, 2), statuses: [], lines: [], ...(this.memberId ? { memberId: this.memberId } : {}), segmentPosition: seg.position };
    }
  }

  private svc(seg: Segment): void {
    const [qualifier, code, ...mods] = el(seg, 1).split(this.d.component);
    if (!qualifier || !code) this.fail(seg, `SVC01 "${el(seg, 1)}" is not qualifier${this.d.component}code`, 'SYNTAX');
    this.line = {
      qualifier,
      code,
      modifiers: mods.filter(Boolean),
      chargeCents: parseCents(el(seg, 2), seg, 'SVC02'),
      ...(this.kind === '277' && el(seg, 3) ? { paidCents: parseCents(el(seg, 3), seg, 'SVC03') } : {}),
      ...(el(seg, 7) ? { units: parseDecimal(el(seg, 7), seg, 'SVC07') } : {}),
      ...(this.kind === '277' ? { statuses: [] } : {}),
    } as StatusLine;
    (this.c276 ?? this.c277)!.lines!.push(this.line as StatusLine);
  }

  private stc(seg: Segment): void {
    if (this.kind === '276') this.fail(seg, 'STC is not part of a 276 request');
    const c = this.c277!;
    const statuses: Status277[] = [];
    for (const i of [1, 10, 11]) {
      const v = el(seg, i);
      if (!v) continue;
      const [category, code, entity] = v.split(this.d.component);
      if (!category || !/^[A-Z][0-9A-Z]$/.test(category)) this.fail(seg, `STC${String(i).padStart(2, '0')} category "${category ?? ''}" is not a claim status category code`, 'CONTENT');
      if (!code) this.fail(seg, `STC${String(i).padStart(2, '0')} has no status code`, 'CONTENT');
      statuses.push({ category, code, ...(entity ? { entity } : {}) });
    }
    if (!statuses.length) this.fail(seg, 'STC01 (the status) is required', 'CONTENT');
    if (this.line) {
      this.line.statuses.push(...statuses);
      return;
    }
    const first = c.statuses.length === 0;
    c.statuses.push(...statuses);
    if (!first) return;
    if (el(seg, 2)) c.statusDate = parseDate8(el(seg, 2), seg, 'STC02');
    if (el(seg, 3)) c.actionCode = el(seg, 3);
    if (el(seg, 4)) c.chargeCents = parseCents(el(seg, 4), seg, 'STC04');
    if (el(seg, 5)) c.paidCents = parseCents(el(seg, 5), seg, 'STC05');
    if (el(seg, 6)) c.adjudicationDate = parseDate8(el(seg, 6), seg, 'STC06');
    if (el(seg, 8)) c.checkDate = parseDate8(el(seg, 8), seg, 'STC08');
    if (el(seg, 9)) c.checkNumber = el(seg, 9);
    if (el(seg, 12)) c.message = el(seg, 12);
  }

  private ref(seg: Segment): void {
    const q = el(seg, 1);
    const v = el(seg, 2);
    if (!v) this.fail(seg, 'REF02 is required', 'CONTENT');
    if (this.line) {
      if (q !== 'FJ') this.fail(seg, `REF01 "${q}" is not FJ (line item control number) in a service line`, 'CONTENT');
      this.line.lineItemControlNumber = v;
      return;
    }
    const c = (this.c276 ?? this.c277)!;
    if (q === '1K') c.payerClaimControlNumber = v;
    else if (q === 'EJ') c.patientAccountNumber = v;
    else if (!['BLT', 'XZ', 'VV', 'D9'].includes(q)) this.fail(seg, `REF01 "${q}" is not a claim status reference (1K, BLT, EJ, XZ, VV, D9)`, 'CONTENT');
  }

  end(se: Segment): void {
    this.requireBht(se, this.kind);
    this.closeClaim(se);
  }

  private closeClaim(at: Segment): void {
    this.line = undefined;
    if (this.c277) {
      if (!this.c277.statuses.length) throw new X12Error(this.c277.segmentPosition, 'TRN', `claim status ${this.c277.traceNumber} has no claim-level STC`, 'LOOP');
      this.claims277.push(this.c277);
    }
    if (this.c276) {
      if (!this.c276.subscriber.memberId) throw new X12Error(this.c276.segmentPosition, 'TRN', 'the 276 claim has no subscriber member id (NM1*IL NM109)', 'CONTENT');
      if (!this.c276.lines?.length) delete this.c276.lines;
      this.claims276.push(this.c276);
    }
    // A subscriber HL whose patient is a dependent (HL04 = 1) carries no claim; any other must.
    void at;
    this.c276 = undefined;
    this.c277 = undefined;
  }
}

/** Parse a 277 claim status response (X212); one entry per claim status, in file order. */
export function parse277(text: string): ClaimStatus277[] {
  const m = new StatusMapper('277');
  readInterchange(text, EXPECT_277, m);
  return m.claims277;
}

/** Parse a 276 claim status request (X212): what a payer reads (the simulator). */
export function parse276(text: string): Parsed276Claim[] {
  const m = new StatusMapper('276');
  readInterchange(text, EXPECT_276, m);
  return m.claims276;
}

function dtp472(w: SegmentWriter, from?: string, to?: string): void {
  if (!from) return;
  const a = toDate8(from);
  w.add('DTP', '472', 'RD8', `${a}-${toDate8(to ?? from)}`);
}

function header(w: SegmentWriter, parties: { payer: { name: string; id: string }; receiver: { name: string; id: string }; provider: { name: string; npi: string } }): void {
  w.add('HL', '1', '', '20', '1');
  w.add('NM1', 'PR', '2', parties.payer.name, '', '', '', '', 'PI', parties.payer.id);
  w.add('HL', '2', '1', '21', '1');
  w.add('NM1', '41', '2', parties.receiver.name, '', '', '', '', '46', parties.receiver.id);
  w.add('HL', '3', '2', '19', '1');
  w.add('NM1', '1P', '2', parties.provider.name, '', '', '', '', 'XX', parties.provider.npi);
}

function svc(w: SegmentWriter, l: Omit<StatusLine, 'statuses'> & { statuses?: Status277[] }, paid: boolean): void {
  w.add(
    'SVC',
    w.comp(l.qualifier, l.code, ...l.modifiers),
    formatCents(l.chargeCents),
    paid && l.paidCents !== undefined ? formatCents(l.paidCents) : '',
    '',
    '',
    '',
    l.units !== undefined ? formatDecimal(l.units) : '',
  );
}

/** A 276 claim status request. Read back with `parse276` before it is returned. */
export function generate276(inquiry: StatusInquiry276, opts: Generate276Options): string {
  if (!inquiry.claims.length) throw new X12Error(1, 'ST', 'a 276 needs at least one claim', 'CONTENT');
  const w = new SegmentWriter();
  const close = openEnvelope(w, { ...opts, functionalId: 'HR', transactionSet: '276', version: '005010X212' });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0010', '13', opts.reference ?? `276${opts.controlNumbers.st}`, date8, time4);
  header(w, inquiry);
  let hl = 3;
  for (const c of inquiry.claims) {
    if (!c.subscriber.memberId) throw new X12Error(w.segments.length + 1, 'NM1', 'the subscriber member id (NM1*IL NM109) is required', 'CONTENT');
    w.add('HL', String(++hl), '3', '22', '0');
    if (c.subscriber.birthDate) w.add('DMG', 'D8', toDate8(c.subscriber.birthDate), c.subscriber.sex);
    w.add('NM1', 'IL', '1', c.subscriber.lastName ?? '', c.subscriber.firstName ?? '', '', '', '', 'MI', c.subscriber.memberId);
    w.add('TRN', '1', c.traceNumber);
    if (c.payerClaimControlNumber) w.add('REF', '1K', c.payerClaimControlNumber);
    if (c.patientAccountNumber) w.add('REF', 'EJ', c.patientAccountNumber);
    if (c.chargeCents !== undefined) w.add('AMT', 'T3', formatCents(c.chargeCents));
    dtp472(w, c.serviceDate, c.serviceDateEnd);
    for (const l of c.lines ?? []) {
      svc(w, l, false);
      if (l.lineItemControlNumber) w.add('REF', 'FJ', l.lineItemControlNumber);
      dtp472(w, l.serviceDate, l.serviceDateEnd);
    }
  }
  close();
  const out = w.toString();
  parse276(out);
  return out;
}

export interface ClaimStatus277Input extends Omit<ClaimStatus277, 'segmentPosition' | 'lines' | 'memberId'> {
  subscriber: { memberId: string; lastName?: string; firstName?: string };
  lines?: StatusLine[];
}

/** The payer's 277 answer (the simulator). Read back with `parse277` before it is returned. */
export function generate277(
  parties: { payer: { name: string; id: string }; receiver: { name: string; id: string }; provider: { name: string; npi: string } },
  claims: ClaimStatus277Input[],
  opts: Generate276Options,
): string {
  if (!claims.length) throw new X12Error(1, 'ST', 'a 277 needs at least one claim status', 'CONTENT');
  const w = new SegmentWriter();
  const close = openEnvelope(w, { ...opts, functionalId: 'HN', transactionSet: '277', version: '005010X212' });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0010', '08', opts.reference ?? `277${opts.controlNumbers.st}`, date8, time4, 'DG');
  header(w, parties);
  let hl = 3;
  const stcs = (statuses: Status277[], first: (string | undefined)[]) => {
    if (!statuses.length) throw new X12Error(w.segments.length + 1, 'STC', 'a status is required', 'CONTENT');
    for (let i = 0; i < statuses.length; i += 3) {
      const [s1, s10, s11] = statuses.slice(i, i + 3).map((s) => w.comp(s.category, s.code, s.entity));
      const rest = i === 0 ? first : [];
      w.add('STC', s1, rest[0], rest[1], rest[2], rest[3], rest[4], '', rest[5], rest[6], s10 ?? '', s11 ?? '', rest[7]);
    }
  };
  for (const c of claims) {
    w.add('HL', String(++hl), '3', '22', '0');
    w.add('NM1', 'IL', '1', c.subscriber.lastName ?? '', c.subscriber.firstName ?? '', '', '', '', 'MI', c.subscriber.memberId);
    w.add('TRN', '2', c.traceNumber);
    const amount = (v?: number) => (v === undefined ? undefined : formatCents(v));
    const date = (v?: string) => (v ? toDate8(v) : undefined);
    const message = c.message ? c.message.replace(/[*~^:\r\n]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 264) : undefined;
    stcs(c.statuses, [date(c.statusDate) ?? date8, c.actionCode, amount(c.chargeCents), amount(c.paidCents), date(c.adjudicationDate), date(c.checkDate), c.checkNumber, message]);
    if (c.payerClaimControlNumber) w.add('REF', '1K', c.payerClaimControlNumber);
    if (c.patientAccountNumber) w.add('REF', 'EJ', c.patientAccountNumber);
    dtp472(w, c.serviceDate, c.serviceDateEnd);
    for (const l of c.lines ?? []) {
      svc(w, l, true);
      stcs(l.statuses, [date(c.statusDate) ?? date8]);
      if (l.lineItemControlNumber) w.add('REF', 'FJ', l.lineItemControlNumber);
      dtp472(w, l.serviceDate, l.serviceDateEnd);
    }
  }
  close();
  const out = w.toString();
  parse277(out);
  return out;
}

const CATEGORY_LABEL: Record<string, string> = {
  A0: 'forwarded', A1: 'received', A2: 'accepted into adjudication', A3: 'returned as unprocessable', A4: 'not found',
  A5: 'split', A6: 'rejected for missing information', A7: 'rejected for invalid information', A8: 'rejected for relational field errors',
  P0: 'pending: adjudication not finished', P1: 'pending: in process', P2: 'pending: payer review', P3: 'pending: requested information not received',
  P4: 'pending: patient requested information', P5: 'pending: payer administrative/system hold',
  F0: 'finalized', F1: 'finalized: payment', F2: 'finalized: denial', F3: 'finalized: revised', F3F: 'finalized: forwarded', F3N: 'finalized: not forwarded', F4: 'finalized: adjudication complete, no payment forthcoming',
  R0: 'request for information', R1: 'request for information', R3: 'request for information', R4: 'request for information', R5: 'request for information',
  D0: 'data search unsuccessful', E0: 'response not possible: error on the submitted request', E1: 'response not possible: system status', E2: 'information holder not responding', E3: 'correction required: relational fields in error', E4: 'trading partner agreement specific',
};

/** The four categories the claim workflow records (AR-3) for a 277 claim-level status. */
export function statusInquiryCategory(s: Status277): 'acknowledged' | 'pending' | 'finalized' | 'not_found' {
  if (s.category === 'A4' || s.category === 'D0') return 'not_found';
  if (s.category.startsWith('F')) return 'finalized';
  if (s.category.startsWith('A')) return 'acknowledged';
  return 'pending'; // P*, R* (payer waits for information), E* (the payer could not answer now)
}

/** Plain text for a claim status (no PHI): `277 P1:20 pending: in process; payer claim 123`. */
export function describeClaimStatus(c: ClaimStatus277): string {
  const codes = c.statuses.map((s) => `${s.category}:${s.code}${s.entity ? `:${s.entity}` : ''}`).join(', ');
  const label = CATEGORY_LABEL[c.statuses[0].category] ?? 'status';
  const parts = [`277 ${codes} ${label}`];
  if (c.paidCents !== undefined && c.statuses[0].category.startsWith('F')) parts.push(`paid ${formatCents(c.paidCents)}`);
  if (c.checkNumber) parts.push(`check/EFT ${c.checkNumber}${c.checkDate ? ` on ${c.checkDate}` : ''}`);
  if (c.payerClaimControlNumber) parts.push(`payer claim ${c.payerClaimControlNumber}`);
  return parts.join('; ');
}
