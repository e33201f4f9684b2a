/**
 * X12 278 health care services review, request and response (005010X217).
 * Ours: `generate278Request`, `parse278Response`. The payer side (the simulator):
 * `parse278Request`, `generate278Response`.
 *
 * Hierarchy: HL 20 UMO (2010A NM1*X3, payer) > HL 21 requester (2010B NM1*1P, NPI) > HL 22
 * subscriber (2010C NM1*IL, DMG) > HL EV patient event (2000E: TRN, AAA, UM, HCR, REF, DTP, HI,
 * HSD, PWK, MSG; 2010EA NM1*SJ service provider) > HL SS service (2000F: TRN, AAA, UM, HCR, REF,
 * DTP, SV1, HSD, PWK, MSG).
 * Request: TRN*1 (TRN02 our trace), UM*HS*<UM02 certification type>*<UM03 service type>, REF*BB a
 * previous / linked authorization number, DTP*AAH event date range (the requested window), HI
 * ABK/ABF diagnoses, HSD*VS visits, PWK (clinical package references: report type, transmission,
 * AC attachment control number), MSG free text; one 2000F per procedure: SV1*HC:cpt:mods, DTP*472.
 * Response: TRN*2 (echo), HCR01 action (A1 certified in total, A2 certified partial, A3 not
 * certified, A4 pended, A6 modified, C cancelled, CT contact payer, NA no action required), HCR02
 * review / certification number, HCR03 reason code; REF*BB authorization number; DTP*AAH
 * (certified window), DTP*472, DTP*007 / 036 certification effective / expiration, DTP*102 issue
 * date; HSD*VS visits authorized; MSG payer text.
 */
import { instantParts, openEnvelope, SegmentWriter } from './build';
import { readInterchange, type EnvelopeExpectation } from './envelope';
import { HlTransactionReader } from './hl-reader';
import { X12Error } from './errors';
import { procedureOf, readDate, type EnvelopeOptions, type Person, type Procedure, type RequestError, type X12Date } from './eligibility';
import { el, type Delimiters, type Segment } from './tokenize';
import { formatDecimal, parseDate8, parseDecimal, toDate8 } from './values';

export const EXPECT_278: EnvelopeExpectation = { functionalId: 'HI', transactionSet: '278', versions: ['005010X217', '005010X215'] };
/** 005010X217: request for review and its response; 005010X215: inquiry about a review already asked, and its response. */
export type Version278 = '005010X217' | '005010X215';

/** PWK: one reference to a document of the clinical package. */
export interface Attachment {
  /** PWK01 report type code, e.g. RR radiology reports, PN physical therapy notes, 09 progress report, OB operative note, M1 medical record attachment. */
  reportType: string;
  /** PWK02 transmission: EL electronically only, FX fax, BM by mail, EM e-mail, FT file transfer. */
  transmission: string;
  /** PWK06 (with PWK05 AC): the attachment control number the document is sent under. */
  controlNumber: string;
}

export interface Service278 {
  procedure: Procedure;
  units?: number;
  from?: string;
  to?: string;
  /** Response: the service-level decision. */
  action?: string;
  authNumber?: string;
  reasonCode?: string;
}

export interface Auth278 {
  /** TRN02 (request TRN*1; response TRN*2 echoing it). */
  traceNumber: string;
  payer: { name?: string; id?: string };
  requester: { name?: string; npi?: string };
  subscriber: Person;
  /** UM01 request category (HS health services review, SC specialty care, AR admission). */
  requestCategory: string;
  /** UM02 certification type: I initial, R renewal, S revised, 4 extension, 3 cancel. */
  certificationType: string;
  /** UM03 service type code, e.g. 1 medical care, 2 surgical. */
  serviceType?: string;
  /** 2000E DTP*AAH: the event (requested or certified) window. */
  eventFrom?: string;
  eventTo?: string;
  diagnoses: string[];
  /** HSD*VS: visits requested (request) or authorized (response). */
  visits?: number;
  attachments: Attachment[];
  messages: string[];
  /** REF*BB: a linked / previous authorization (request) or the authorization number (response). */
  authorizationNumber?: string;
  /** 2010EA NM1*SJ NPI. */
  serviceProviderNpi?: string;
  /** Response: HCR of the event. */
  action?: string;
  reviewNumber?: string;
  reasonCode?: string;
  /** Response: other 2000E dates (007 effective, 036 expiration, 102 issue, 472 service). */
  dates: X12Date[];
  errors: RequestError[];
  services: Service278[];
  segmentPosition: number;
}

const PARENT: Record<string, string | undefined> = { '20': undefined, '21': '20', '22': '21', EV: '22', SS: 'EV' };
const ACTIONS = new Set(['A1', 'A2', 'A3', 'A4', 'A6', 'C', 'CT', 'D', 'IP', 'NA']);

class Mapper278 extends HlTransactionReader {
  readonly events: Auth278[] = [];
  private payer: Auth278['payer'] = {};
  private requester: Auth278['requester'] = {};
  private subscriber: Person = {};
  private ev?: Auth278;
  private svc?: Service278;
  private errors: RequestError[] = [];

  constructor(private readonly kind: 'request' | 'response') {
    const purpose = kind === 'request' ? '13' : '11';
    super({
      name: '278',
      structure: '0007',
      purposes: [purpose],
      purposeMessage: (got) => `BHT02 "${got}" is not ${purpose}: this is not a 278 ${kind}`,
      parent: PARENT,
      levelList: '20, 21, 22, EV, SS',
    });
  }

  segment(seg: Segment): void {
    if (this.readBht(seg)) return;
    if (seg.id === 'HL') return this.hlSegment(seg);
    if (!this.level) this.fail(seg, `${seg.id} before the first HL`);
    const inEvent = this.level === 'EV' || this.level === 'SS';
    switch (seg.id) {
      case 'NM1':
        return this.nm1(seg);
      case 'N3':
      case 'N4':
      case 'PER':
      case 'PRV':
      case 'INS':
      case 'CRC':
      case 'CL1':
      case 'CR1':
      case 'CR2':
      case 'CR5':
      case 'CR6':
      case 'CR7':
      case 'CR8':
      case 'SV2':
      case 'SV3':
      case 'TOO':
        return;
      case 'DMG':
        if (this.level !== '22') this.fail(seg, 'DMG is only read in the subscriber loop (2010C)');
        if (el(seg, 2)) this.subscriber.birthDate = parseDate8(el(seg, 2), seg, 'DMG02');
        if (['F', 'M', 'U'].includes(el(seg, 3))) this.subscriber.sex = el(seg, 3) as 'F' | 'M' | 'U';
        return;
      case 'AAA': {
        if (this.kind === 'request') this.fail(seg, 'AAA is not part of a 278 request');
        this.errors.push({ loop: this.level, valid: el(seg, 1), reason: el(seg, 3), ...(el(seg, 4) ? { followUp: el(seg, 4) } : {}), segmentPosition: seg.position });
        return;
      }
    }
    if (!inEvent) this.fail(seg, `${seg.id} is not allowed in HL level ${this.level}`);
    const ev = this.ev!;
    switch (seg.id) {
      case 'TRN': {
        const want = this.kind === 'request' ? '1' : '2';
        if (this.level === 'SS') return; // service-level traces: not needed
        if (el(seg, 1) !== want && !(this.kind === 'response' && el(seg, 1) === '1')) this.fail(seg, `TRN01 "${el(seg, 1)}" is not ${want}`, 'CONTENT');
        if (!el(seg, 2)) this.fail(seg, 'TRN02 (the trace number) is required', 'CONTENT');
        if (el(seg, 1) === want && !ev.traceNumber) ev.traceNumber = el(seg, 2);
        return;
      }
      case 'UM':
        if (this.level === 'EV') {
          if (!el(seg, 1) || !el(seg, 2)) this.fail(seg, 'UM01 (request category) and UM02 (certification type) are required', 'CONTENT');
          ev.requestCategory = el(seg, 1);
          ev.certificationType = el(seg, 2);
          if (el(seg, 3)) ev.serviceType = el(seg, 3);
        }
        return;
      case 'HCR': {
        if (this.kind === 'request') this.fail(seg, 'HCR is part of a 278 response, not of a request');
        const action = el(seg, 1);
        if (!ACTIONS.has(action)) this.fail(seg, `HCR01 "${action}" is not an action code (A1, A2, A3, A4, A6, C, CT, D, IP, NA)`, 'CONTENT');
        if (this.svc) {
          this.svc.action = action;
          if (el(seg, 2)) this.svc.authNumber = el(seg, 2);
          if (el(seg, 3)) this.svc.reasonCode = el(seg, 3);
        } else {
          ev.action = action;
          if (el(seg, 2)) ev.reviewNumber = el(seg, 2);
          if (el(seg, 3)) ev.reasonCode = el(seg, 3);
        }
        return;
      }
      case 'REF':
        if (!el(seg, 2)) this.fail(seg, 'REF02 is required', 'CONTENT');
        if (el(seg, 1) === 'BB') {
          if (this.svc) this.svc.authNumber ??= el(seg, 2);
          else ev.authorizationNumber = el(seg, 2);
        }
        return;
      case 'DTP': {
        const { from, to } = readDate(seg, 3, 2);
        const q = el(seg, 1);
        if (this.svc) {
          if (q === '472') {
            this.svc.from = from;
            if (to) this.svc.to = to;
          }
          return;
        }
        if (q === 'AAH') {
          ev.eventFrom = from;
          if (to) ev.eventTo = to;
        } else ev.dates.push({ qualifier: q, from, ...(to ? { to } : {}) });
        return;
      }
      case 'HI':
        if (this.level !== 'EV') this.fail(seg, 'HI (diagnoses) belongs to the patient event (2000E)');
        for (let i = 1; i <= 12; i++) {
          const v = el(seg, i);
          if (!v) continue;
          const [q, code] = v.split(this.d.component);
          if (!['ABK', 'ABF', 'BK', 'BF'].includes(q) || !code) this.fail(seg, `HI${String(i).padStart(2, '0')} "${v}" is not an ABK/ABF diagnosis composite`, 'CONTENT');
          ev.diagnoses.push(code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code);
        }
        return;
      case 'HSD':
        if (el(seg, 1) === 'VS' && el(seg, 2)) {
          const n = parseDecimal(el(seg, 2), seg, 'HSD02');
          if (this.svc) this.svc.units ??= n;
          else ev.visits = n;
        }
        return;
      case 'PWK': {
        if (!el(seg, 1) || !el(seg, 2)) this.fail(seg, 'PWK01 (report type) and PWK02 (transmission) are required', 'CONTENT');
        if (el(seg, 2) !== 'AA' && (el(seg, 5) !== 'AC' || !el(seg, 6))) this.fail(seg, 'PWK05 AC and PWK06 (attachment control number) are required unless PWK02 is AA', 'CONTENT');
        ev.attachments.push({ reportType: el(seg, 1), transmission: el(seg, 2), controlNumber: el(seg, 6) });
        return;
      }
      case 'MSG':
        ev.messages.push(el(seg, 1));
        return;
      case 'SV1': {
        if (this.level !== 'SS') this.fail(seg, 'SV1 belongs to a service loop (2000F)');
        if (this.svc!.procedure.code) this.fail(seg, 'a second SV1 in one service loop (2000F)');
        this.svc!.procedure = procedureOf(el(seg, 1), seg, 'SV101', this.d)!;
        if (el(seg, 4)) this.svc!.units = parseDecimal(el(seg, 4), seg, 'SV104');
        return;
      }
      default:
        this.fail(seg, `unknown segment ${seg.id} in a 278 (no loop holds it)`);
    }
  }

  private nm1(seg: Segment): void {
    const id = el(seg, 1);
    if (this.level === '20') {
      this.payer = { ...(el(seg, 3) ? { name: el(seg, 3) } : {}), ...(el(seg, 9) ? { id: el(seg, 9) } : {}) };
    } else if (this.level === '21') {
      this.requester = { ...(el(seg, 3) ? { name: el(seg, 3) } : {}), ...(el(seg, 8) === 'XX' ? { npi: el(seg, 9) } : {}) };
    } else if (this.level === '22') {
      if (id !== 'IL') this.fail(seg, `NM101 "${id}" is not IL in the subscriber loop (2010C)`, 'CONTENT');
      this.subscriber = { ...(el(seg, 9) ? { memberId: el(seg, 9) } : {}), ...(el(seg, 3) ? { lastName: el(seg, 3) } : {}), ...(el(seg, 4) ? { firstName: el(seg, 4) } : {}) };
    } else if (this.ev && id === 'SJ' && el(seg, 8) === 'XX') {
      this.ev.serviceProviderNpi ??= el(seg, 9);
    }
  }

  private hlSegment(seg: Segment): void {
    const [id, level] = this.readHl(seg);
    this.hlLevels.set(id, level);
    this.closeService();
    if (level !== 'SS') this.closeEvent(seg);
    if (level === 'SS') {
      this.svc = { procedure: { qualifier: '', code: '', modifiers: [] } };
      this.ev!.services.push(this.svc);
    }
    if (level === 'EV') {
      this.ev = {
        traceNumber: '', payer: this.payer, requester: this.requester, subscriber: this.subscriber,
        requestCategory: '', certificationType: '', diagnoses: [], attachments: [], messages: [], dates: [], errors: this.errors, services: [], segmentPosition: seg.position,
      };
      this.errors = [];
    }
    this.level = level;
  }

  end(se: Segment): void {
    this.requireBht(se, '278');
    this.closeService();
    this.closeEvent(se);
  }

  /** A service loop without SV1 (institutional SV2, dental SV3) is not a professional service: dropped. */
  private closeService(): void {
    if (this.svc && !this.svc.procedure.code) this.ev!.services.pop();
    this.svc = undefined;
  }

  private closeEvent(at: Segment): void {
    const ev = this.ev;
    if (!ev) return;
    const fail = (reason: string): never => {
      throw new X12Error(ev.segmentPosition, 'HL', reason, 'LOOP');
    };
    if (!ev.traceNumber && this.kind === 'request') fail('the patient event (2000E) has no TRN*1 trace number');
    if (!ev.requestCategory && !ev.errors.length) fail('the patient event (2000E) has no UM');
    if (this.kind === 'response' && !ev.action && !ev.errors.length) fail('the patient event (2000E) has no HCR decision and no AAA');
    void at;
    this.events.push(ev);
    this.ev = undefined;
  }
}

export function parse278Request(text: string): Auth278[] {
  const m = new Mapper278('request');
  readInterchange(text, EXPECT_278, m);
  return m.events;
}

export function parse278Response(text: string): Auth278[] {
  const m = new Mapper278('response');
  readInterchange(text, EXPECT_278, m);
  return m.events;
}

export type Auth278Input = Omit<Auth278, 'segmentPosition' | 'errors' | 'dates' | 'payer' | 'requester'> & {
  payer: { name: string; id: string };
  requester: { name: string; npi: string };
  dates?: X12Date[];
  errors?: Array<Pick<RequestError, 'valid' | 'reason' | 'followUp'>>;
};

function write278(a: Auth278Input, opts: EnvelopeOptions, kind: 'request' | 'response', version: Version278 = '005010X217'): string {
  const w = new SegmentWriter();
  const close = openEnvelope(w, { ...opts, functionalId: 'HI', transactionSet: '278', version });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0007', kind === 'request' ? '13' : '11', opts.reference ?? `278${opts.controlNumbers.st}`, date8, time4);
  w.add('HL', '1', '', '20', '1');
  w.add('NM1', 'X3', '2', a.payer.name, '', '', '', '', 'PI', a.payer.id);
  w.add('HL', '2', '1', '21', '1');
  w.add('NM1', '1P', '2', a.requester.name, '', '', '', '', 'XX', a.requester.npi);
  w.add('HL', '3', '2', '22', '1');
  w.add('NM1', 'IL', '1', a.subscriber.lastName ?? '', a.subscriber.firstName ?? '', '', '', '', a.subscriber.memberId ? 'MI' : '', a.subscriber.memberId);
  if (a.subscriber.birthDate) w.add('DMG', 'D8', toDate8(a.subscriber.birthDate), a.subscriber.sex);
  w.add('HL', '4', '3', 'EV', a.services.length ? '1' : '0');
  w.add('TRN', kind === 'request' ? '1' : '2', a.traceNumber, '9999999999');
  for (const e of a.errors ?? []) w.add('AAA', e.valid, '', e.reason, e.followUp);
  w.add('UM', a.requestCategory, a.certificationType, a.serviceType);
  if (kind === 'response' && a.action) w.add('HCR', a.action, a.reviewNumber, a.reasonCode);
  if (a.authorizationNumber) w.add('REF', 'BB', a.authorizationNumber);
  if (a.eventFrom) w.add('DTP', 'AAH', 'RD8', `${toDate8(a.eventFrom)}-${toDate8(a.eventTo ?? a.eventFrom)}`);
  for (const d of a.dates ?? []) w.add('DTP', d.qualifier, d.to ? 'RD8' : 'D8', d.to ? `${toDate8(d.from)}-${toDate8(d.to)}` : toDate8(d.from));
  if (a.diagnoses.length) {
    if (a.diagnoses.length > 12) throw new X12Error(w.segments.length + 1, 'HI', 'at most 12 diagnoses', 'CONTENT');
    w.add('HI', ...a.diagnoses.map((dx, i) => w.comp(i === 0 ? 'ABK' : 'ABF', dx.replace('.', ''))));
  }
  if (a.visits !== undefined) w.add('HSD', 'VS', formatDecimal(a.visits));
  for (const p of a.attachments) w.add('PWK', p.reportType, p.transmission, '', '', p.transmission === 'AA' ? '' : 'AC', p.controlNumber);
  const text = (s: string) => s.replace(/[*~^:\r\n]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 264);
  for (const m of a.messages) w.add('MSG', text(m));
  if (a.serviceProviderNpi) w.add('NM1', 'SJ', '2', a.requester.name, '', '', '', '', 'XX', a.serviceProviderNpi);
  let hl = 4;
  for (const s of a.services) {
    w.add('HL', String(++hl), '4', 'SS', '0');
    w.add('UM', a.requestCategory, a.certificationType);
    if (kind === 'response' && s.action) w.add('HCR', s.action, s.authNumber, s.reasonCode);
    if (s.from) w.add('DTP', '472', 'RD8', `${toDate8(s.from)}-${toDate8(s.to ?? s.from)}`);
    w.add('SV1', w.comp(s.procedure.qualifier, s.procedure.code, ...s.procedure.modifiers), '', 'UN', s.units !== undefined ? formatDecimal(s.units) : '');
  }
  close();
  const out = w.toString();
  if (kind === 'request') parse278Request(out);
  else parse278Response(out);
  return out;
}

/** A 278 request. Read back with `parse278Request` before it is returned. */
export function generate278Request(a: Auth278Input, opts: EnvelopeOptions): string {
  if (a.traceNumber.length < 1 || a.traceNumber.length > 50) throw new X12Error(1, 'TRN', `TRN02 "${a.traceNumber}" must be 1-50 characters`, 'CONTENT');
  return write278(a, opts, 'request');
}

/** The payer's 278 response (the simulator); `005010X215` answers an inquiry. Read back with `parse278Response` before it is returned. */
export function generate278Response(a: Auth278Input, opts: EnvelopeOptions, version: Version278 = '005010X217'): string {
  return write278(a, opts, 'response', version);
}

/**
 * A 278 inquiry (005010X215): "what became of this review?", for a request the payer pended. It
 * names the same payer, requester, subscriber, event dates and services as the request, with its
 * own trace number (TRN02) and the authorization number when one was given (REF*BB).
 */
export function generate278Inquiry(a: Auth278Input, opts: EnvelopeOptions): string {
  if (a.traceNumber.length < 1 || a.traceNumber.length > 50) throw new X12Error(1, 'TRN', `TRN02 "${a.traceNumber}" must be 1-50 characters`, 'CONTENT');
  return write278(a, opts, 'request', '005010X215');
}
