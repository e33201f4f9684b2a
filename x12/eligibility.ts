/**
 * X12 270 / 271 eligibility, coverage or benefit inquiry and response (005010X279A1).
 * Ours: `generate270`, `parse271`. The payer side (the simulator): `parse270`, `generate271`.
 *
 * Hierarchy: HL 20 information source (2100A NM1*PR, PER, AAA) > HL 21 information receiver
 * (2100B NM1*1P…, REF, N3, N4, PRV, AAA) > HL 22 subscriber [> HL 23 dependent]: TRN (270: TRN*1,
 * 271: TRN*2, TRN02 = our trace), 2100C/D NM1*IL / NM1*03, REF, N3, N4, AAA, PRV, DMG, INS, HI,
 * DTP (plan dates: 291 plan, 346 plan begin, 347 plan end, 356/357 eligibility begin/end, …),
 * MPI; then 270: EQ (EQ01 service types, EQ02 procedure), AMT, III, REF, DTP per inquiry; 271:
 * 2110C/D EB (benefits), HSD, REF, DTP, AAA, MSG, III, and LS 2120C/D (NM1, N3, N4, PER, PRV) LE.
 * A DTP before the first EB is a plan date; after an EB it belongs to that benefit.
 */
import { instantParts, openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { readInterchange, type EnvelopeExpectation } from './envelope';
import { HlTransactionReader } from './hl-reader';
import { X12Error } from './errors';
import { el, type Delimiters, type Segment } from './tokenize';
import { formatCents, formatDecimal, parseCents, parseDate8, parseDecimal, toDate8 } from './values';

export const EXPECT_270: EnvelopeExpectation = { functionalId: 'HS', transactionSet: '270', versions: ['005010X279A1'] };
export const EXPECT_271: EnvelopeExpectation = { functionalId: 'HB', transactionSet: '271', versions: ['005010X279A1'] };

export interface X12Date {
  /** DTP01, e.g. 291 plan, 346 plan begin, 347 plan end, 472 service. */
  qualifier: string;
  from: string;
  to?: string;
}
export interface Procedure {
  qualifier: string;
  code: string;
  modifiers: string[];
}
export interface Person {
  memberId?: string;
  lastName?: string;
  firstName?: string;
  birthDate?: string;
  sex?: 'F' | 'M' | 'U';
}
/** AAA request validation: AAA01 valid (Y/N), AAA03 reject reason (e.g. 72 invalid member id, 75 subscriber not found), AAA04 follow-up. */
export interface RequestError {
  loop: string;
  valid: string;
  reason: string;
  followUp?: string;
  segmentPosition: number;
}

export interface Eligibility270 {
  /** TRN02 (at most 50 characters, no PHI). */
  traceNumber: string;
  /** TRN03: originating company id (10 characters, "1" + EIN or "9" + a number we choose). Default 9999999999. */
  originatorId?: string;
  payer: { name: string; id: string };
  provider: { name: string; npi: string };
  subscriber: Person;
  /** DTP*291 (the date of service asked about). */
  serviceDate?: string;
  /** EQ01 service type codes; default ['30'] (health benefit plan coverage) when no procedure is asked. */
  serviceTypes?: string[];
  /** One EQ with EQ02 per procedure. */
  procedures?: Procedure[];
}

export interface Parsed270 extends Eligibility270 {
  serviceTypes: string[];
  procedures: Procedure[];
  segmentPosition: number;
}

export interface RelatedEntity {
  /** NM101, e.g. PR (payer), P3 (primary care provider), 1P. */
  entity: string;
  name?: string;
  idQualifier?: string;
  id?: string;
}

export interface Benefit {
  /** EB01: 1 active coverage, 6 inactive, I non-covered, F limitations, R other or additional payer, B co-payment, … */
  code: string;
  coverageLevel?: string;
  /** EB03 (repetition separated): service type codes, e.g. 30, 1, 33, BF. */
  serviceTypes: string[];
  /** EB04, e.g. MA / MB (Medicare Part A / B), 12/13/14/15/41/42/43/47 (Medicare secondary types), C1 commercial. */
  insuranceType?: string;
  planDescription?: string;
  /** EB06 time period qualifier, e.g. 23 calendar year, 27 visit, 29 remaining. */
  timePeriod?: string;
  amountCents?: number;
  /** EB08 as a fraction (0.2 = 20 %). */
  percent?: number;
  /** EB09 quantity qualifier, e.g. VS visits, DY days. */
  quantityQualifier?: string;
  quantity?: number;
  /** EB11: Y authorization or certification required, N not, U unknown. */
  authorizationRequired?: 'Y' | 'N' | 'U';
  /** EB12: Y in plan network, N out of network, W not applicable, U unknown. */
  inNetwork?: string;
  procedure?: Procedure;
  dates: X12Date[];
  messages: string[];
  references: Array<{ qualifier: string; value: string }>;
  relatedEntities: RelatedEntity[];
  segmentPosition: number;
}

export interface Eligibility271 {
  /** TRN*2 TRN02: the trace of the 270 this answers (absent when the payer could not match it). */
  traceNumber?: string;
  payer: { name?: string; id?: string };
  provider: { name?: string; npi?: string };
  /** The patient loop this answer is about (2100C subscriber or 2100D dependent). */
  patient: Person;
  level: 'subscriber' | 'dependent';
  /** 2100C/D DTP: plan dates. */
  planDates: X12Date[];
  errors: RequestError[];
  benefits: Benefit[];
  segmentPosition: number;
}

const PARENT: Record<string, string | undefined> = { '20': undefined, '21': '20', '22': '21', '23': '22' };
const NAME_LOOP: Record<string, string> = { '20': '2100A', '21': '2100B', '22': '2100C', '23': '2100D' };

export function readDate(seg: Segment, at: number, formatAt: number): { from: string; to?: string } {
  const q = el(seg, formatAt);
  const v = el(seg, at);
  if (q === 'D8') return { from: parseDate8(v, seg, `DTP0${at}`) };
  if (q === 'RD8') {
    const [a, b] = v.split('-');
    const from = parseDate8(a ?? '', seg, `DTP0${at}`);
    const to = parseDate8(b ?? '', seg, `DTP0${at}`);
    if (to < from) throw new X12Error(seg.position, seg.id, `DTP0${at} range ends (${to}) before it starts (${from})`, 'CONTENT');
    return { from, to };
  }
  throw new X12Error(seg.position, seg.id, `DTP0${formatAt} "${q}" is not D8 or RD8`, 'SYNTAX');
}

export function procedureOf(value: string, seg: Segment, element: string, d: Delimiters): Procedure | undefined {
  if (!value) return undefined;
  const [qualifier, code, ...mods] = value.split(d.component);
  if (!qualifier || !code) throw new X12Error(seg.position, seg.id, `${element} "${value}" is not qualifier${d.component}code`, 'SYNTAX');
  if (!['HC', 'AD', 'CJ', 'ID', 'IV', 'N4', 'ZZ'].includes(qualifier)) throw new X12Error(seg.position, seg.id, `${element} qualifier "${qualifier}" is not a procedure code qualifier (HC, AD, CJ, ID, IV, N4, ZZ)`, 'CONTENT');
  return { qualifier, code, modifiers: mods.filter(Boolean) };
}

class EligibilityMapper extends HlTransactionReader {
  readonly answers: Eligibility271[] = [];
  readonly inquiries: Parsed270[] = [];
  private payer: { name?: string; id?: string } = {};
  private provider: { name?: string; npi?: string } = {};
  private sourceErrors: RequestError[] = [];
  private subscriberMemberId = '';
  private trace?: { value: string; position: number };
  private patient?: Person;
  private patientAt = 0;
  private planDates: X12Date[] = [];
  private errors: RequestError[] = [];
  private benefits: Benefit[] = [];
  private benefit?: Benefit;
  private inLs = false;
  private q270?: Parsed270;
  private eqSeen = false;

  constructor(private readonly kind: '270' | '271') {
    const purposes = kind === '270' ? ['01', '13'] : ['06', '11'];
    super({
      name: kind,
      structure: '0022',
      purposes,
      purposeMessage: (got) => `BHT02 "${got}" is not ${purposes.join(' or ')} for a ${kind}`,
      parent: PARENT,
      levelList: '20, 21, 22, 23',
    });
  }

  segment(seg: Segment): void {
    if (this.readBht(seg)) return;
    if (seg.id === 'HL') return this.hlSegment(seg);
    if (!this.level) this.fail(seg, `${seg.id} before the first HL`);
    const patientLevel = this.level === '22' || this.level === '23';
    if (this.inLs) return this.lsSegment(seg);
    switch (seg.id) {
      case 'TRN': {
        if (!patientLevel) this.fail(seg, `TRN is not allowed in HL level ${this.level}`);
        if (this.patient) this.fail(seg, 'TRN must come before the NM1 of its patient loop');
        const want = this.kind === '270' ? '1' : '2';
        if (el(seg, 1) !== want && !(this.kind === '271' && el(seg, 1) === '1')) this.fail(seg, `TRN01 "${el(seg, 1)}" is not ${want}`, 'CONTENT');
        if (!el(seg, 2)) this.fail(seg, 'TRN02 (the trace number) is required', 'CONTENT');
        // 271: TRN*2 echoes our 270's trace; a TRN*1 is the payer's own trace (kept out).
        if (el(seg, 1) === want && !this.trace) this.trace = { value: el(seg, 2), position: seg.position };
        return;
      }
      case 'NM1':
        return this.nm1(seg);
      case 'AAA': {
        const e: RequestError = { loop: this.benefit ? '2110' : NAME_LOOP[this.level], valid: el(seg, 1), reason: el(seg, 3), ...(el(seg, 4) ? { followUp: el(seg, 4) } : {}), segmentPosition: seg.position };
        if (this.kind === '270') this.fail(seg, 'AAA is not part of a 270 request');
        if (!e.reason) this.fail(seg, 'AAA03 (the reject reason) is required', 'CONTENT');
        if (patientLevel) this.errors.push(e);
        else this.sourceErrors.push(e);
        return;
      }
      case 'PER':
      case 'N3':
      case 'N4':
      case 'PRV':
      case 'INS':
      case 'HI':
      case 'MPI':
      case 'HSD':
      case 'III':
        if (!patientLevel && !['PER', 'N3', 'N4', 'PRV'].includes(seg.id)) this.fail(seg, `${seg.id} is not allowed in HL level ${this.level}`);
        return;
      case 'REF':
        if (!el(seg, 2)) this.fail(seg, 'REF02 is required', 'CONTENT');
        if (this.benefit) this.benefit.references.push({ qualifier: el(seg, 1), value: el(seg, 2) });
        return;
      case 'DMG': {
        if (!patientLevel || !this.patient) this.fail(seg, 'DMG must follow the patient NM1');
        if (this.benefit || this.eqSeen) this.fail(seg, 'DMG after the benefit / eligibility loops');
        if (el(seg, 2)) {
          if (el(seg, 1) !== 'D8') this.fail(seg, `DMG01 "${el(seg, 1)}" is not D8`, 'CONTENT');
          this.patient!.birthDate = parseDate8(el(seg, 2), seg, 'DMG02');
        }
        const sex = el(seg, 3);
        if (sex) {
          if (!['F', 'M', 'U'].includes(sex)) this.fail(seg, `DMG03 "${sex}" is not F, M or U`, 'CONTENT');
          this.patient!.sex = sex as 'F' | 'M' | 'U';
        }
        return;
      }
      case 'DTP': {
        if (!patientLevel || !this.patient) this.fail(seg, 'DTP outside a patient loop');
        const { from, to } = readDate(seg, 3, 2);
        const date: X12Date = { qualifier: el(seg, 1), from, ...(to ? { to } : {}) };
        if (this.benefit) this.benefit.dates.push(date);
        else if (this.kind === '270') {
          if (el(seg, 1) !== '291') this.fail(seg, `DTP01 "${el(seg, 1)}" is not 291 (plan / service date) in a 270`, 'CONTENT');
          this.q270!.serviceDate = from;
        } else this.planDates.push(date);
        return;
      }
      case 'EQ': {
        if (this.kind !== '270') this.fail(seg, 'EQ is part of a 270 request, not of a 271');
        if (!this.q270) this.fail(seg, 'EQ before the subscriber NM1 (loop 2100C)');
        const types = el(seg, 1) ? el(seg, 1).split(this.d.repetition) : [];
        const proc = procedureOf(el(seg, 2), seg, 'EQ02', this.d);
        if (!types.length && !proc) this.fail(seg, 'EQ needs EQ01 (service type) or EQ02 (procedure)', 'CONTENT');
        this.q270!.serviceTypes.push(...types);
        if (proc) this.q270!.procedures.push(proc);
        this.eqSeen = true;
        return;
      }
      case 'AMT':
        if (this.kind !== '270') this.fail(seg, 'AMT is not part of a 271 benefit loop');
        return;
      case 'EB':
        return this.eb(seg);
      case 'MSG':
        if (!this.benefit) this.fail(seg, 'MSG outside a benefit (2110) loop');
        this.benefit!.messages.push(el(seg, 1));
        return;
      case 'LS':
        if (!this.benefit) this.fail(seg, 'LS outside a benefit (2110) loop');
        if (el(seg, 1) !== '2120') this.fail(seg, `LS01 "${el(seg, 1)}" is not 2120`, 'CONTENT');
        this.inLs = true;
        return;
      case 'LE':
        return this.fail(seg, 'LE without LS');
      default:
        this.fail(seg, `unknown segment ${seg.id} in a ${this.kind} (no loop holds it)`);
    }
  }

  private lsSegment(seg: Segment): void {
    if (seg.id === 'LE') {
      if (el(seg, 1) !== '2120') this.fail(seg, `LE01 "${el(seg, 1)}" is not 2120`, 'CONTENT');
      this.inLs = false;
      return;
    }
    if (seg.id === 'NM1') {
      this.benefit!.relatedEntities.push({
        entity: el(seg, 1),
        ...(el(seg, 3) ? { name: el(seg, 3) } : {}),
        ...(el(seg, 8) ? { idQualifier: el(seg, 8) } : {}),
        ...(el(seg, 9) ? { id: el(seg, 9) } : {}),
      });
      return;
    }
    if (['N3', 'N4', 'PER', 'PRV'].includes(seg.id)) return;
    this.fail(seg, `${seg.id} inside LS/LE (loop 2120): LE missing`);
  }

  private eb(seg: Segment): void {
    if (this.kind !== '271') this.fail(seg, 'EB is part of a 271 response, not of a 270');
    if (!this.patient) this.fail(seg, 'EB before the patient NM1 (loop 2100C/D)');
    const code = el(seg, 1);
    if (!/^[0-9A-Z]{1,2}$/.test(code)) this.fail(seg, `EB01 "${code}" is not an eligibility or benefit code`, 'CONTENT');
    const auth = el(seg, 11);
    if (auth && !['Y', 'N', 'U'].includes(auth)) this.fail(seg, `EB11 "${auth}" is not Y, N or U`, 'CONTENT');
    const proc = procedureOf(el(seg, 13), seg, 'EB13', this.d);
    this.benefit = {
      code,
      ...(el(seg, 2) ? { coverageLevel: el(seg, 2) } : {}),
      serviceTypes: el(seg, 3) ? el(seg, 3).split(this.d.repetition) : [],
      ...(el(seg, 4) ? { insuranceType: el(seg, 4) } : {}),
      ...(el(seg, 5) ? { planDescription: el(seg, 5) } : {}),
      ...(el(seg, 6) ? { timePeriod: el(seg, 6) } : {}),
      ...(el(seg, 7) ? { amountCents: parseCents(el(seg, 7), seg, 'EB07') } : {}),
      ...(el(seg, 8) ? { percent: parseDecimal(el(seg, 8), seg, 'EB08') } : {}),
      ...(el(seg, 9) ? { quantityQualifier: el(seg, 9) } : {}),
      ...(el(seg, 10) ? { quantity: parseDecimal(el(seg, 10), seg, 'EB10') } : {}),
      ...(auth ? { authorizationRequired: auth as 'Y' | 'N' | 'U' } : {}),
      ...(el(seg, 12) ? { inNetwork: el(seg, 12) } : {}),
      ...(proc ? { procedure: proc } : {}),
      dates: [],
      messages: [],
      references: [],
      relatedEntities: [],
      segmentPosition: seg.position,
    };
    this.benefits.push(this.benefit);
  }

  private nm1(seg: Segment): void {
    const id = el(seg, 1);
    if (this.level === '20') {
      this.payer = { ...(el(seg, 3) ? { name: el(seg, 3) } : {}), ...(el(seg, 9) ? { id: el(seg, 9) } : {}) };
      return;
    }
    if (this.level === '21') {
      this.provider = { ...(el(seg, 3) ? { name: el(seg, 3) } : {}), ...(el(seg, 8) === 'XX' && el(seg, 9) ? { npi: el(seg, 9) } : {}) };
      return;
    }
    const want = this.level === '22' ? ['IL'] : ['03'];
    if (!want.includes(id)) this.fail(seg, `NM101 "${id}" is not ${want.join('/')} in HL level ${this.level}`, 'CONTENT');
    if (this.patient) this.fail(seg, `a second NM1 in loop ${NAME_LOOP[this.level]}`);
    const memberId = el(seg, 8) === 'MI' || el(seg, 8) === 'II' ? el(seg, 9) : '';
    if (this.level === '22') this.subscriberMemberId = memberId;
    this.patient = {
      ...(memberId || this.subscriberMemberId ? { memberId: memberId || this.subscriberMemberId } : {}),
      ...(el(seg, 3) ? { lastName: el(seg, 3) } : {}),
      ...(el(seg, 4) ? { firstName: el(seg, 4) } : {}),
    };
    this.patientAt = seg.position;
    if (this.kind === '270') {
      this.q270 = {
        traceNumber: this.trace?.value ?? '',
        payer: { name: this.payer.name ?? '', id: this.payer.id ?? '' },
        provider: { name: this.provider.name ?? '', npi: this.provider.npi ?? '' },
        subscriber: this.patient,
        serviceTypes: [],
        procedures: [],
        segmentPosition: seg.position,
      };
      if (this.trace?.position) this.q270.segmentPosition = this.trace.position;
    }
  }

  private hlSegment(seg: Segment): void {
    const [id, level] = this.readHl(seg);
    if (this.inLs) this.fail(seg, 'HL inside LS/LE (loop 2120): LE missing');
    this.closePatient(seg);
    this.enterHl(id, level);
    if (level === '20') this.sourceErrors = [];
  }

  end(se: Segment): void {
    this.requireBht(se, this.kind);
    if (this.inLs) throw new X12Error(se.position, 'SE', 'SE inside LS/LE (loop 2120): LE missing', 'LOOP');
    this.closePatient(se);
  }

  private closePatient(at: Segment): void {
    // A subscriber loop with a dependent below it (HL 23 next) only names the subscriber.
    const dependentFollows = this.level === '22' && at.id === 'HL' && el(at, 3) === '23';
    if (this.level === '22' || this.level === '23') {
      if (!this.patient) throw new X12Error(at.position, at.id, `the patient loop (HL ${this.level}) has no NM1 (loop ${NAME_LOOP[this.level]})`, 'LOOP');
      if (this.kind === '270') {
        const q = this.q270!;
        const empty = !q.serviceTypes.length && !q.procedures.length;
        if (!(dependentFollows && empty)) {
          if (!q.traceNumber) throw new X12Error(q.segmentPosition, 'NM1', 'the 270 patient loop has no TRN*1 trace number', 'CONTENT');
          if (empty) throw new X12Error(at.position, at.id, 'the 270 asks nothing: no EQ in the patient loop', 'LOOP');
          this.inquiries.push(q);
        }
      } else if (!(dependentFollows && !this.benefits.length && !this.errors.length)) {
        this.answers.push({
          ...(this.trace ? { traceNumber: this.trace.value } : {}),
          payer: this.payer,
          provider: this.provider,
          patient: this.patient,
          level: this.level === '22' ? 'subscriber' : 'dependent',
          planDates: this.planDates,
          errors: [...this.sourceErrors, ...this.errors],
          benefits: this.benefits,
          segmentPosition: this.trace?.position ?? this.patientAt,
        });
      }
    }
    this.trace = dependentFollows ? this.trace : undefined;
    this.patient = undefined;
    this.planDates = [];
    this.errors = [];
    this.benefits = [];
    this.benefit = undefined;
    this.q270 = undefined;
    this.eqSeen = false;
  }
}

/** Parse a 271 (X279A1): one answer per patient loop with benefits (or errors), in file order. */
export function parse271(text: string): Eligibility271[] {
  const m = new EligibilityMapper('271');
  readInterchange(text, EXPECT_271, m);
  return m.answers;
}

/** Parse a 270 (X279A1): what a payer reads (the simulator). */
export function parse270(text: string): Parsed270[] {
  const m = new EligibilityMapper('270');
  readInterchange(text, EXPECT_270, m);
  return m.inquiries;
}

export interface EnvelopeOptions {
  sender: Party;
  receiver: Party;
  controlNumbers: ControlNumbers;
  /** ISO instant: ISA/GS/BHT dates. No clock inside the module. */
  createdAt: string;
  /** BHT03; default `<270|271><st control number>`. */
  reference?: string;
  usage?: 'P' | 'T';
}

function date(w: SegmentWriter, d: X12Date): void {
  w.add('DTP', d.qualifier, d.to ? 'RD8' : 'D8', d.to ? `${toDate8(d.from)}-${toDate8(d.to)}` : toDate8(d.from));
}

function patientName(w: SegmentWriter, p: Person, entity: 'IL' | '03'): void {
  w.add('NM1', entity, '1', p.lastName ?? '', p.firstName ?? '', '', '', '', entity === 'IL' && p.memberId ? 'MI' : '', entity === 'IL' ? p.memberId : '');
}

/** A 270 eligibility inquiry (one subscriber). Read back with `parse270` before it is returned. */
export function generate270(q: Eligibility270, opts: EnvelopeOptions): string {
  const w = new SegmentWriter();
  if (q.traceNumber.length < 1 || q.traceNumber.length > 50) throw new X12Error(1, 'TRN', `TRN02 "${q.traceNumber}" must be 1-50 characters`, 'CONTENT');
  const close = openEnvelope(w, { ...opts, functionalId: 'HS', transactionSet: '270', version: '005010X279A1' });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0022', '13', opts.reference ?? `270${opts.controlNumbers.st}`, date8, time4);
  w.add('HL', '1', '', '20', '1');
  w.add('NM1', 'PR', '2', q.payer.name, '', '', '', '', 'PI', q.payer.id);
  w.add('HL', '2', '1', '21', '1');
  w.add('NM1', '1P', '2', q.provider.name, '', '', '', '', 'XX', q.provider.npi);
  w.add('HL', '3', '2', '22', '0');
  w.add('TRN', '1', q.traceNumber, q.originatorId ?? '9999999999');
  patientName(w, q.subscriber, 'IL');
  if (q.subscriber.birthDate) w.add('DMG', 'D8', toDate8(q.subscriber.birthDate), q.subscriber.sex);
  if (q.serviceDate) w.add('DTP', '291', 'D8', toDate8(q.serviceDate));
  const types = q.serviceTypes?.length ? q.serviceTypes : q.procedures?.length ? [] : ['30'];
  if (types.length) w.add('EQ', w.rep(types));
  for (const p of q.procedures ?? []) w.add('EQ', '', w.comp(p.qualifier, p.code, ...p.modifiers));
  close();
  const out = w.toString();
  parse270(out);
  return out;
}

export type Benefit271Input = Omit<Benefit, 'segmentPosition' | 'dates' | 'messages' | 'references' | 'relatedEntities'> & Partial<Pick<Benefit, 'dates' | 'messages' | 'references' | 'relatedEntities'>>;

export interface Eligibility271Input {
  traceNumber: string;
  payer: { name: string; id: string };
  provider: { name: string; npi: string };
  subscriber: Person;
  planDates?: X12Date[];
  /** 2100C AAA (e.g. subscriber not found: valid N, reason 75, follow-up C). */
  errors?: Array<Pick<RequestError, 'valid' | 'reason' | 'followUp'>>;
  benefits: Benefit271Input[];
}

/** The payer's 271 (the simulator). Read back with `parse271` before it is returned. */
export function generate271(a: Eligibility271Input, opts: EnvelopeOptions): string {
  const w = new SegmentWriter();
  const close = openEnvelope(w, { ...opts, functionalId: 'HB', transactionSet: '271', version: '005010X279A1' });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0022', '11', opts.reference ?? `271${opts.controlNumbers.st}`, date8, time4);
  w.add('HL', '1', '', '20', '1');
  w.add('NM1', 'PR', '2', a.payer.name, '', '', '', '', 'PI', a.payer.id);
  w.add('HL', '2', '1', '21', '1');
  w.add('NM1', '1P', '2', a.provider.name, '', '', '', '', 'XX', a.provider.npi);
  w.add('HL', '3', '2', '22', '0');
  w.add('TRN', '2', a.traceNumber, '9999999999');
  patientName(w, a.subscriber, 'IL');
  for (const e of a.errors ?? []) w.add('AAA', e.valid, '', e.reason, e.followUp);
  if (a.subscriber.birthDate) w.add('DMG', 'D8', toDate8(a.subscriber.birthDate), a.subscriber.sex);
  for (const d of a.planDates ?? []) date(w, d);
  const text = (s: string) => s.replace(/[*~^:\r\n]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 264);
  for (const b of a.benefits) {
    w.add(
      'EB',
      b.code,
      b.coverageLevel,
      w.rep(b.serviceTypes),
      b.insuranceType,
      b.planDescription ? text(b.planDescription).slice(0, 50) : undefined,
      b.timePeriod,
      b.amountCents !== undefined ? formatCents(b.amountCents) : undefined,
      b.percent !== undefined ? formatDecimal(b.percent) : undefined,
      b.quantityQualifier,
      b.quantity !== undefined ? formatDecimal(b.quantity) : undefined,
      b.authorizationRequired,
      b.inNetwork,
      b.procedure ? w.comp(b.procedure.qualifier, b.procedure.code, ...b.procedure.modifiers) : undefined,
    );
    for (const r of b.references ?? []) w.add('REF', r.qualifier, r.value);
    for (const d of b.dates ?? []) date(w, d);
    for (const m of b.messages ?? []) w.add('MSG', text(m));
    if (b.relatedEntities?.length) {
      w.add('LS', '2120');
      for (const e of b.relatedEntities) w.add('NM1', e.entity, '2', e.name, '', '', '', '', e.idQualifier, e.id);
      w.add('LE', '2120');
    }
  }
  close();
  const out = w.toString();
  parse271(out);
  return out;
}
