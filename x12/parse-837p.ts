/**
 * X12 837P (005010X222A1) -> ClaimDocument, and the loop structure check the 837P generator runs
 * on its own output. Documentation facts are not carried by an 837 and come back undefined.
 *
 * Mapping: CLM01 claimId; SBR01 coverage priority; 2010BA NM109 member id; DMG birth date / sex
 * (2010CA when a patient loop is present); REF*EA (medical record number) patient id; 2010BB
 * NM109 payer id (unless opts.payerId); CLM05-1 place of service; CLM05-3 frequency code;
 * REF*F8 original claim; REF*G1 prior auth; HI ABK/ABF diagnoses (a dot is put back after the
 * third character); 2310B NM109 rendering NPI (else the billing provider); SV1 lines; DTP*472.
 *
 * Coordination of benefits -> `otherPayer`: 2320 SBR01 priority (P/S) and SBR09 filing
 * indicator, CAS claim adjustments, AMT*D paid; 2330A NM109 member id; 2330B NM103 name / NM109
 * payer id; 2430 SVD (paid, HC:cpt:modifiers, units) / CAS / DTP*573 per line (lineNumber = the
 * 2400 it sits in), else 2330B DTP*573. Checked in both modes: 2320 before 2400, 2330A then 2330B
 * required, OI required, segment order inside 2320 and 2430, SVD01 = a 2330B NM109, and per
 * prior payer SV102 = SVD02 + line CAS, AMT*D = sum SVD02 - claim CAS (CLM02 - claim CAS without
 * lines).
 */
import { ClaimDocument, describeIssues } from '../domain/claim-document';
import type { CasGroup, OtherPayer837P } from './generate-837p';
import { readInterchange, type EnvelopeExpectation, type TransactionHandler } from './envelope';
import { X12Error } from './errors';
import { readCasSegment } from './cas';
import { el, type Delimiters, type Segment } from './tokenize';
import { formatCents, parseCents, parseDate8, parseDecimal } from './values';

export const EXPECT_837P: EnvelopeExpectation = {
  functionalId: 'HC',
  transactionSet: '837',
  // X222A1 is what HIPAA names and what we write; the base guide and the A2 errata are read too
  // (clearinghouses forward both; the loops this reader maps are the same).
  versions: ['005010X222A1', '005010X222', '005010X222A2'],
  unsupported: [
    { versionPrefix: '005010X223', reason: 'institutional claims are not supported (837I): this product reads professional claims (837P, 005010X222A1)' },
    { versionPrefix: '005010X224', reason: 'dental claims are not supported (837D): this product reads professional claims (837P, 005010X222A1)' },
  ],
};

export interface Parse837POptions {
  /** Not in an 837: the practice the claims belong to. */
  practiceId: string;
  /** The product's payer id; defaults to 2010BB NM109. */
  payerId?: string;
}

/** A 2400 service line as the 837P carries it. */
export interface Read837PLine {
  cpt: string;
  modifiers: string[];
  chargeCents: number;
  /** SV103: UN units, MJ anesthesia minutes. */
  unitBasis: 'UN' | 'MJ';
  /** SV104: units, or minutes when unitBasis is MJ. */
  quantity: number;
  /** SV107 diagnosis pointers. */
  pointers: number[];
  /** DTP*472 (D8, or the first day of an RD8 range); the claim-level date when the line has none. */
  serviceDate?: string;
  /** Last day of an RD8 range when it differs from serviceDate. */
  serviceDateEnd?: string;
  /** 2420A rendering provider NM109 (NPI) when the line names its own. */
  renderingNpi?: string;
  /** SV5 durable medical equipment service: HC procedure, SV502 unit (DA days), SV503 length, SV504 rental, SV505 purchase, SV506 frequency. */
  dme?: { cpt: string; unit: string; length: number; rentalCents?: number; purchaseCents?: number; frequency?: string };
}

/** One 2320 other-subscriber loop that carries no adjudication (no AMT*D): coverage only. */
export interface OtherCoverage837P {
  /** 2320 SBR01 (the other payer's responsibility sequence). */
  responsibility: string;
  claimFilingIndicator: string;
  memberId: string;
  payerId: string;
  name: string;
}

/** A person or organization an 837P names (NM1 with its N3/N4, DMG, REF, PER). */
export interface Party837P {
  /** NM103 (organization name or last name), NM104 first, NM105 middle, NM107 suffix. */
  lastName: string;
  firstName?: string;
  middleName?: string;
  suffix?: string;
  /** NM109 (NPI, member id, payer id). */
  id?: string;
  address?: { line1: string; line2?: string; city: string; state: string; zip: string };
  birthDate?: string;
  sex?: string;
  /** REF*EI (billing provider tax id). */
  taxId?: string;
  /** PER (first contact: name, phone, email). */
  contact?: { name?: string; phone?: string; email?: string };
}

/** Who the claim names: billing provider, subscriber, patient (2000C, when not the subscriber), payer, providers. */
export interface Parties837P {
  billingProvider: Party837P;
  subscriber: Party837P & { groupNumber?: string };
  /** 2000C/2010CA with PAT01, when the patient is not the subscriber. */
  patient?: Party837P & { relationship: string };
  payer: Party837P;
  /** 2310A NM1*DN. */
  referringProvider?: Party837P;
  /** 2310B NM1*82. */
  renderingProvider?: Party837P;
}

export interface Parsed837PClaim {
  claim: ClaimDocument;
  /** Names, addresses, demographics of the claim's parties (what the ClaimDocument does not hold). */
  parties: Parties837P;
  /** CLM01 exactly as sent (any text up to 38 characters); claim.claimId is it when it is a safe id, else derived (see claimIdFromClm01). */
  patientControlNumber: string;
  /** Per claim line (same order as claim.lines): what the 837P says beyond the ClaimDocument. */
  lineDetails: Array<Pick<Read837PLine, 'serviceDateEnd' | 'renderingNpi' | 'dme'>>;
  /** HI BP / BO anesthesia related procedure codes (principal first). */
  anesthesiaProcedures: string[];
  /** HI BG condition codes. */
  conditionCodes: string[];
  /** 2320 loops of other coverage that has not adjudicated the claim (no AMT*D). */
  otherCoverage: OtherCoverage837P[];
  frequencyCode: string;
  originalPayerClaimControlNumber?: string;
  billingProviderNpi: string;
  /** The prior payer's adjudication (2320/2330A/2330B/2430), when the claim carries one. */
  otherPayer?: OtherPayer837P;
  /** 1-based segment number of the CLM. */
  segmentPosition: number;
}

type Loop =
  | 'header' | '1000A' | '1000B' | '2000A' | '2010AA' | '2010AB' | '2010AC' | '2000B' | '2010BA' | '2010BB'
  | '2000C' | '2010CA' | '2300' | '2310' | '2320' | '2330' | '2400' | '2410' | '2420' | '2430' | '2440';

const ALLOWED: Record<Loop, Set<string>> = {
  header: new Set([]),
  '1000A': new Set(['PER']),
  '1000B': new Set([]),
  '2000A': new Set(['PRV', 'CUR']),
  '2010AA': new Set(['N3', 'N4', 'REF', 'PER']),
  '2010AB': new Set(['N3', 'N4']),
  '2010AC': new Set(['N3', 'N4', 'REF']),
  '2000B': new Set(['SBR', 'PAT']),
  '2010BA': new Set(['N3', 'N4', 'DMG', 'REF', 'PER']),
  '2010BB': new Set(['N3', 'N4', 'REF']),
  '2000C': new Set(['PAT']),
  '2010CA': new Set(['N3', 'N4', 'DMG', 'REF', 'PER']),
  '2300': new Set(['DTP', 'PWK', 'CN1', 'AMT', 'REF', 'K3', 'NTE', 'CR1', 'CR2', 'CRC', 'HI', 'HCP']),
  '2310': new Set(['PRV', 'N3', 'N4', 'REF', 'PER']),
  '2320': new Set(['CAS', 'AMT', 'OI', 'MOA']),
  '2330': new Set(['N3', 'N4', 'DTP', 'REF']),
  '2400': new Set(['SV5', 'PWK', 'CR1', 'CR3', 'CRC', 'DTP', 'QTY', 'MEA', 'CN1', 'REF', 'AMT', 'K3', 'NTE', 'PS1', 'HCP']),
  '2410': new Set(['CTP', 'REF']),
  '2420': new Set(['PRV', 'N3', 'N4', 'REF', 'PER']),
  '2430': new Set(['CAS', 'DTP', 'AMT']),
  '2440': new Set(['FRM']),
};
const KNOWN = new Set([
  'BHT', 'NM1', 'PER', 'HL', 'PRV', 'CUR', 'N3', 'N4', 'REF', 'SBR', 'PAT', 'DMG', 'CLM', 'DTP', 'PWK', 'CN1',
  'AMT', 'K3', 'NTE', 'CR1', 'CR2', 'CR3', 'CRC', 'HI', 'HCP', 'CAS', 'OI', 'MOA', 'LX', 'SV1', 'SV5', 'QTY', 'MEA',
  'PS1', 'LIN', 'CTP', 'SVD', 'LQ', 'FRM',
]);

const ORDER_2320 = ['SBR', 'CAS', 'AMT', 'OI', 'MOA'];
const ORDER_2430 = ['SVD', 'CAS', 'DTP', 'AMT'];
const OTHER_2330 = ['DN', 'P3', '82', '77', 'DQ', '85'];

interface CasAdjustment {
  group: CasGroup;
  carc: string;
  amountCents: number;
  quantity?: number;
}

/** One 2320 loop with its 2330A/2330B. */
interface OtherDraft {
  seg: Segment;
  sbr01: string;
  filing: string;
  adjustments: CasAdjustment[];
  casTotal: number;
  casCount: number;
  paid?: { cents: number; seg: Segment };
  oi: boolean;
  memberId?: string;
  payerId?: string;
  name?: string;
  /** 2330B DTP*573. */
  date?: string;
  rank: number;
}

/** One 2430 loop. */
interface SvdDraft {
  seg: Segment;
  payerId: string;
  paidCents: number;
  cpt: string;
  modifiers: string[];
  units: number;
  adjustments: CasAdjustment[];
  casTotal: number;
  casCount: number;
  date?: string;
  rank: number;
}

type DraftLine = Read837PLine & { seg: Segment; svd: SvdDraft[] };

interface Draft {
  seg: Segment;
  claimId: string;
  /** HI diagnoses with their qualifier (ABK/ABF ICD-10-CM, BK/BF ICD-9-CM), principal first. */
  diagnosisCodes: Array<{ qualifier: string; code: string; seg: Segment }>;
  anesthesia: string[];
  conditions: string[];
  chargeCents: number;
  placeOfService: string;
  frequencyCode: string;
  priorAuth?: string;
  original?: string;
  patientId?: string;
  renderingNpi?: string;
  referring?: Party837P;
  rendering?: Party837P;
  claimServiceDate?: string;
  lines: DraftLine[];
  others: OtherDraft[];
}

class Claim837PMapper implements TransactionHandler {
  private loop: Loop = 'header';
  private d!: Delimiters;
  private bht = false;
  private hl = new Map<string, string>();
  private billingNpi = '';
  private sub = { priority: '', sbr01: '', memberId: '', birthDate: '', sex: '', payerId: '' };
  /** Which 2330 loop NM1 opened: A (IL), B (PR) or a later one. */
  private sub2330: 'A' | 'B' | 'x' = 'A';
  /** Claim lines read when the current LX opened: an SVD needs this 2400's own SV1. */
  private lxLines = 0;
  private pat: { birthDate: string; sex: string } | undefined;
  /** Parties as read so far: the current NM1's party takes N3/N4/DMG/REF*EI/PER. */
  private parties: { billing?: Party837P; subscriber?: Party837P & { groupNumber?: string }; payer?: Party837P; patient?: Party837P & { relationship: string }; relationship?: string } = {};
  private party?: Party837P;
  private draft?: Draft;
  readonly claims: Parsed837PClaim[] = [];
  readonly read: Read837PClaim[] = [];

  constructor(private readonly opts: Partial<Parse837POptions>, private readonly mode: 'validate' | 'read' | 'parse') {}

  start(_st: Segment, _gs: Segment, d: Delimiters): void {
    this.d = d;
    this.loop = 'header';
    this.bht = false;
    this.hl.clear();
  }

  segment(seg: Segment): void {
    const id = seg.id;
    if (!KNOWN.has(id)) this.fail(seg, `unknown segment ${id} in an 837P (no loop holds it)`, 'LOOP');
    if (!this.bht) {
      if (id !== 'BHT') this.fail(seg, `${id} before BHT: BHT must follow ST`, 'LOOP');
      if (el(seg, 1) !== '0019') this.fail(seg, `BHT01 "${el(seg, 1)}" is not 0019`, 'CONTENT');
      this.bht = true;
      return;
    }
    // SV1 is the first segment of a 2400 loop: nothing of a line (dates, providers, SV5) comes before it.
    if (this.loop === '2400' && id !== 'SV1' && this.draft && this.draft.lines.length === this.lxLines) {
      this.fail(seg, `${id} after LX: SV1 must be the first segment of service line loop 2400`, 'LOOP');
    }
    switch (id) {
      case 'HL':
        return this.onHl(seg);
      case 'NM1':
        return this.onNm1(seg);
      case 'CLM':
        if (!['2000B', '2010BA', '2010BB', '2000C', '2010CA', '2300', '2310', '2320', '2330', '2400', '2410', '2420', '2430', '2440'].includes(this.loop)) {
          this.notAllowed(seg);
        }
        if (this.loop === '2000B' || this.loop === '2010BA') this.fail(seg, 'CLM before the payer loop 2010BB (NM1*PR)', 'LOOP');
        this.closeClaim();
        return this.openClaim(seg);
      case 'SBR':
        if (this.loop === '2000B') return this.onSbr(seg);
        // 2320 follows the claim data and 2310x, and comes before the first 2400.
        if (['2300', '2310', '2320', '2330'].includes(this.loop)) return this.onOtherSbr(seg);
        return this.notAllowed(seg);
      case 'LX':
        if (!this.inClaim()) this.notAllowed(seg);
        this.loop = '2400';
        this.lxLines = this.draft!.lines.length;
        return;
      case 'SV1':
        if (this.loop !== '2400') this.notAllowed(seg);
        return this.onSv1(seg);
      case 'LIN':
        if (!this.inLine()) this.notAllowed(seg);
        this.loop = '2410';
        return;
      case 'SVD':
        if (!this.inLine() || this.loop === '2440') this.notAllowed(seg);
        return this.onSvd(seg);
      case 'LQ':
        if (!this.inLine()) this.notAllowed(seg);
        this.loop = '2440';
        return;
    }
    if (!ALLOWED[this.loop].has(id)) this.notAllowed(seg);
    if (this.loop === '2320') this.order(seg, this.currentOther(), ORDER_2320);
    if (this.loop === '2430') this.order(seg, this.currentSvd(), ORDER_2430);
    this.onPartySegment(seg);
    switch (id) {
      case 'CAS':
        if (this.loop === '2320') {
          const o = this.currentOther();
          o.casTotal += this.readCas(seg, o.adjustments);
          if (++o.casCount > 5) this.fail(seg, 'more than 5 CAS segments in loop 2320', 'LOOP');
        } else {
          const v = this.currentSvd();
          v.casTotal += this.readCas(seg, v.adjustments);
          if (++v.casCount > 5) this.fail(seg, 'more than 5 CAS segments in loop 2430', 'LOOP');
        }
        return;
      case 'AMT':
        if (this.loop === '2320' && el(seg, 1) === 'D') {
          const o = this.currentOther();
          if (o.paid) this.fail(seg, 'AMT*D repeated in loop 2320', 'LOOP');
          o.paid = { cents: parseCents(el(seg, 2), seg, 'AMT02'), seg };
        }
        return;
      case 'OI':
        if (!['Y', 'N', 'W'].includes(el(seg, 3))) this.fail(seg, `OI03 benefits assignment "${el(seg, 3)}" is not Y, N or W`, 'CONTENT');
        if (!['I', 'Y'].includes(el(seg, 6))) this.fail(seg, `OI06 release of information "${el(seg, 6)}" is not I or Y`, 'CONTENT');
        this.currentOther().oi = true;
        return;
      case 'DMG':
        if (el(seg, 1) !== 'D8') this.fail(seg, 'DMG01 must be D8', 'SYNTAX');
        if (this.loop === '2010BA') {
          this.sub.birthDate = parseDate8(el(seg, 2), seg, 'DMG02');
          this.sub.sex = el(seg, 3);
        } else {
          this.pat = { birthDate: parseDate8(el(seg, 2), seg, 'DMG02'), sex: el(seg, 3) };
        }
        return;
      case 'REF':
        if (this.loop === '2300') {
          if (el(seg, 1) === 'G1') this.draft!.priorAuth = el(seg, 2);
          if (el(seg, 1) === 'F8') this.draft!.original = el(seg, 2);
          if (el(seg, 1) === 'EA') this.draft!.patientId = el(seg, 2);
        }
        return;
      case 'HI':
        if (this.loop === '2300') return this.onHi(seg);
        return;
      case 'SV5':
        return this.onSv5(seg);
      case 'DTP':
        if (this.loop === '2330' || this.loop === '2430') {
          if (el(seg, 1) !== '573' || (this.loop === '2330' && this.sub2330 !== 'B')) this.notAllowed(seg);
          if (el(seg, 2) !== 'D8') this.fail(seg, 'DTP02 must be D8 for DTP*573', 'SYNTAX');
          const date = parseDate8(el(seg, 3), seg, 'DTP03');
          const into = this.loop === '2330' ? this.currentOther() : this.currentSvd();
          if (into.date) this.fail(seg, `DTP*573 repeated in loop ${this.loop}`, 'LOOP');
          into.date = date;
          return;
        }
        if (el(seg, 1) === '472') {
          const { from, to } = this.serviceDates(seg);
          if (this.loop === '2400') {
            const line = this.draft!.lines[this.draft!.lines.length - 1];
            line.serviceDate = from;
            if (to !== from) line.serviceDateEnd = to;
          } else if (this.loop === '2300') this.draft!.claimServiceDate = from;
        }
        return;
    }
  }

  end(se: Segment): void {
    if (!this.bht) this.fail(se, 'the transaction set has no BHT', 'LOOP');
    this.closeClaim();
  }

  // ---- loops -------------------------------------------------------------------------------

  private inClaim(): boolean {
    return ['2300', '2310', '2320', '2330', '2400', '2410', '2420', '2430', '2440'].includes(this.loop);
  }
  private inLine(): boolean {
    return ['2400', '2410', '2420', '2430', '2440'].includes(this.loop);
  }

  private onHl(seg: Segment): void {
    const [hid, parent, level] = [el(seg, 1), el(seg, 2), el(seg, 3)];
    if (!hid || this.hl.has(hid)) this.fail(seg, `HL01 "${hid}" is missing or repeated`, 'LOOP');
    if (String(this.hl.size + 1) !== hid) this.fail(seg, `HL01 "${hid}" out of sequence (expected ${this.hl.size + 1})`, 'LOOP');
    const parentLevel = parent ? this.hl.get(parent) : undefined;
    if (parent && !parentLevel) this.fail(seg, `HL02 parent "${parent}" does not exist`, 'LOOP');
    if (this.loop === 'header' || this.loop === '1000A') this.fail(seg, 'HL before the receiver loop 1000B (NM1*40)', 'LOOP');
    const want: Record<string, string | undefined> = { '20': undefined, '22': '20', '23': '22' };
    if (!(level in want)) this.fail(seg, `HL03 "${level}" is not a 837P level (20, 22, 23)`, 'LOOP');
    if (parentLevel !== want[level]) {
      this.fail(seg, `HL level ${level} must have a ${want[level] ?? 'no'} parent, got ${parentLevel ?? 'none'}`, 'LOOP');
    }
    this.closeClaim();
    this.hl.set(hid, level);
    this.party = undefined;
    if (level === '20') this.loop = '2000A';
    else if (level === '22') {
      this.parties = { billing: this.parties.billing };
      this.loop = '2000B';
      this.sub = { priority: '', sbr01: '', memberId: '', birthDate: '', sex: '', payerId: '' };
      this.pat = undefined;
    } else {
      this.loop = '2000C';
      this.pat = undefined;
      this.parties.patient = undefined;
    }
  }

  private onNm1(seg: Segment): void {
    const q = el(seg, 1);
    const l = this.loop;
    const next = ((): Loop | undefined => {
      if (q === '41' && l === 'header') return '1000A';
      if (q === '40' && l === '1000A') return '1000B';
      if (l === '2000A' || l === '2010AA' || l === '2010AB' || l === '2010AC') {
        if (q === '85' && l === '2000A') return '2010AA';
        if (q === '87') return '2010AB';
        if (q === 'PE') return '2010AC';
      }
      if ((l === '2000B' || l === '2010BA') && q === 'IL') return '2010BA';
      if ((l === '2000B' || l === '2010BA' || l === '2010BB') && q === 'PR') return '2010BB';
      if (l === '2000C' && q === 'QC') return '2010CA';
      if (['2300', '2310'].includes(l) && ['DN', 'P3', '82', '77', 'DQ', 'PW', '45'].includes(q)) return '2310';
      if (l === '2320' && q === 'IL') return '2330';
      if (l === '2330' && this.sub2330 === 'A' && q === 'PR') return '2330';
      if (l === '2330' && this.sub2330 !== 'A' && OTHER_2330.includes(q)) return '2330';
      if (['2400', '2410', '2420'].includes(l) && ['82', 'QB', '77', 'DQ', 'DK', 'DN', 'P3', 'PW', '45'].includes(q)) return '2420';
      return undefined;
    })();
    if (!next) this.fail(seg, `NM1*${q} is not allowed in loop ${this.loop}`, 'LOOP');
    if (this.loop === 'header' && next !== '1000A') this.fail(seg, 'the submitter loop 1000A (NM1*41) must come first', 'LOOP');
    this.loop = next!;
    if (next === '2010AA') {
      if (el(seg, 8) !== 'XX') this.fail(seg, 'NM108 must be XX (NPI) for the billing provider', 'CONTENT');
      this.billingNpi = el(seg, 9);
    }
    this.party = undefined;
    const party = (): Party837P => ({
      lastName: el(seg, 3),
      ...(el(seg, 4) ? { firstName: el(seg, 4) } : {}),
      ...(el(seg, 5) ? { middleName: el(seg, 5) } : {}),
      ...(el(seg, 7) ? { suffix: el(seg, 7) } : {}),
      ...(el(seg, 9) ? { id: el(seg, 9) } : {}),
    });
    if (next === '2010AA') this.party = this.parties.billing = party();
    else if (next === '2010BA') {
      const subscriber: Party837P & { groupNumber?: string } = { ...party(), ...(this.parties.subscriber?.groupNumber ? { groupNumber: this.parties.subscriber.groupNumber } : {}) };
      this.party = this.parties.subscriber = subscriber;
    }
    else if (next === '2010BB') this.party = this.parties.payer = party();
    else if (next === '2010CA') {
      const patient = { ...party(), relationship: this.parties.relationship ?? '' };
      this.party = this.parties.patient = patient;
    }
    else if (next === '2310' && q === 'DN') this.party = this.draft!.referring = party();
    else if (next === '2310' && q === '82') this.party = this.draft!.rendering = party();
    if (next === '2010BA') this.sub.memberId = el(seg, 9);
    if (next === '2010BB') this.sub.payerId = el(seg, 9);
    if (next === '2310' && q === '82') this.draft!.renderingNpi = el(seg, 9);
    if (next === '2420' && q === '82' && el(seg, 9)) this.draft!.lines[this.draft!.lines.length - 1].renderingNpi = el(seg, 9);
    if (next === '2330') {
      const o = this.currentOther();
      if (q === 'IL') {
        this.sub2330 = 'A';
        o.memberId = el(seg, 9) || this.fail(seg, '2330A NM109 (other subscriber member id) is missing', 'CONTENT');
      } else if (q === 'PR') {
        this.sub2330 = 'B';
        o.payerId = el(seg, 9) || this.fail(seg, '2330B NM109 (other payer id) is missing', 'CONTENT');
        o.name = el(seg, 3);
        if (this.draft!.others.some((x) => x !== o && x.payerId === o.payerId)) {
          this.fail(seg, `other payer ${o.payerId} appears in two 2320 loops`, 'CONTENT');
        }
      } else {
        this.sub2330 = 'x';
      }
    }
  }

  private currentOther(): OtherDraft {
    return this.draft!.others[this.draft!.others.length - 1];
  }
  private currentSvd(): SvdDraft {
    const l = this.draft!.lines[this.draft!.lines.length - 1];
    return l.svd[l.svd.length - 1];
  }

  /** Segment order inside 2320 / 2430. */
  private order(seg: Segment, at: { rank: number }, order: string[]): void {
    const r = order.indexOf(seg.id);
    if (r < at.rank) this.fail(seg, `${seg.id} after ${order[at.rank]} in loop ${this.loop} (order: ${order.join(', ')})`, 'LOOP');
    at.rank = r;
  }

  private onOtherSbr(seg: Segment): void {
    this.loop = '2320';
    const sbr01 = el(seg, 1);
    if (!/^[PSTABCDEFGHU]$/.test(sbr01)) this.fail(seg, `SBR01 "${sbr01}" is not a payer responsibility code`, 'CONTENT');
    if (sbr01 === this.sub.sbr01) this.fail(seg, `2320 SBR01 ${sbr01} repeats this claim's own payer responsibility (2000B SBR01)`, 'CONTENT');
    if (!el(seg, 2)) this.fail(seg, 'SBR02 (individual relationship code) is required in loop 2320', 'CONTENT');
    if (!el(seg, 9)) this.fail(seg, 'SBR09 (claim filing indicator) is required in loop 2320', 'CONTENT');
    this.draft!.others.push({ seg, sbr01, filing: el(seg, 9), adjustments: [], casTotal: 0, casCount: 0, oi: false, rank: 0 });
  }

  private onSvd(seg: Segment): void {
    if (this.draft!.lines.length === this.lxLines) this.fail(seg, 'SVD before the SV1 of its service line', 'LOOP');
    this.loop = '2430';
    const payerId = el(seg, 1);
    if (!this.draft!.others.some((o) => o.payerId === payerId)) {
      this.fail(seg, `SVD01 "${payerId}" is not the id of an other payer of this claim (2330B NM109)`, 'CONTENT');
    }
    const c = el(seg, 3).split(this.d.component);
    if (c[0] !== 'HC') this.fail(seg, 'SVD03-1 must be HC', 'CONTENT');
    if (!c[1]) this.fail(seg, 'SVD03-2 procedure code is missing', 'CONTENT');
    if (!el(seg, 5)) this.fail(seg, 'SVD05 paid units are missing', 'CONTENT');
    this.draft!.lines[this.draft!.lines.length - 1].svd.push({
      seg,
      payerId,
      paidCents: parseCents(el(seg, 2), seg, 'SVD02'),
      cpt: c[1],
      modifiers: c.slice(2, 6).filter((m) => m !== ''),
      units: parseDecimal(el(seg, 5), seg, 'SVD05'),
      adjustments: [],
      casTotal: 0,
      casCount: 0,
      rank: 0,
    });
  }

  /** CAS*group*(reason*amount*quantity) x up to 6; returns the amount total. */
  private readCas(seg: Segment, into: CasAdjustment[]): number {
    return readCasSegment(seg, into);
  }

  private onSbr(seg: Segment): void {
    const p = el(seg, 1);
    const map: Record<string, string> = { P: 'primary', S: 'secondary', T: 'tertiary' };
    if (!map[p]) this.fail(seg, `SBR01 "${p}" is not P, S or T`, 'CONTENT');
    this.sub.priority = map[p];
    this.sub.sbr01 = p;
    if (el(seg, 3)) this.parties.subscriber = { lastName: '', groupNumber: el(seg, 3) };
  }

  /** N3, N4, DMG, REF*EI and PER of the party the last NM1 opened (billing provider, subscriber, payer, patient, 2310A/B). */
  private onPartySegment(seg: Segment): void {
    if (seg.id === 'PAT' && this.loop === '2000C') this.parties.relationship = el(seg, 1);
    if (seg.id === 'CLM' || seg.id === 'LX' || seg.id === 'SBR') this.party = undefined;
    const p = this.party;
    if (!p) return;
    switch (seg.id) {
      case 'N3':
        p.address = { ...(p.address ?? { city: '', state: '', zip: '' }), line1: el(seg, 1), ...(el(seg, 2) ? { line2: el(seg, 2) } : {}) };
        return;
      case 'N4':
        p.address = { ...(p.address ?? { line1: '' }), city: el(seg, 1), state: el(seg, 2), zip: el(seg, 3) };
        return;
      case 'DMG':
        if (el(seg, 2)) p.birthDate = parseDate8(el(seg, 2), seg, 'DMG02');
        if (el(seg, 3)) p.sex = el(seg, 3);
        return;
      case 'REF':
        if (el(seg, 1) === 'EI') p.taxId = el(seg, 2);
        return;
      case 'PER':
        if (p.contact) return;
        p.contact = { ...(el(seg, 2) ? { name: el(seg, 2) } : {}) };
        for (let i = 3; i + 1 <= 8; i += 2) {
          if (el(seg, i) === 'TE') p.contact.phone = el(seg, i + 1);
          if (el(seg, i) === 'EM') p.contact.email = el(seg, i + 1);
        }
        return;
    }
  }

  private openClaim(seg: Segment): void {
    const c5 = el(seg, 5).split(this.d.component);
    if (c5.length < 3 || c5[1] !== 'B') {
      const sep = this.d.component;
      this.fail(seg, `CLM05 "${el(seg, 5)}" must be place of service${sep}B${sep}frequency code (ISA16 declares "${sep}" as the component separator)`, 'SYNTAX');
    }
    this.loop = '2300';
    const clm01 = el(seg, 1);
    // CLM01 (patient control number) is free text up to 38 characters: spaces, '#', '/' are fine.
    if (clm01 === '' || clm01.length > 38) this.fail(seg, `CLM01 patient control number must be 1-38 characters (has ${clm01.length})`, 'SYNTAX');
    this.draft = {
      seg,
      claimId: clm01,
      diagnosisCodes: [],
      anesthesia: [],
      conditions: [],
      chargeCents: parseCents(el(seg, 2), seg, 'CLM02'),
      placeOfService: c5[0],
      frequencyCode: c5[2],
      lines: [],
      others: [],
    };
    if (!['1', '7', '8'].includes(c5[2])) this.fail(seg, `CLM05-3 frequency code "${c5[2]}" is not 1, 7 or 8`, 'CONTENT');
  }

  /**
   * 2300 HI segments: diagnoses (ABK principal / ABF other, ICD-10-CM; BK / BF, ICD-9-CM),
   * anesthesia related procedures (BP principal / BO other) and condition codes (BG). Each HI
   * holds one kind; the principal code comes first.
   */
  private onHi(seg: Segment): void {
    const dr = this.draft!;
    for (let i = 1; i < seg.elements.length; i++) {
      if (el(seg, i) === '') continue;
      const name = `HI${String(i).padStart(2, '0')}`;
      const [q, code] = el(seg, i).split(this.d.component);
      if (!code) this.fail(seg, `${name} has no code after the qualifier "${q}"`, 'SYNTAX');
      switch (q) {
        case 'ABK':
        case 'BK':
          if (dr.diagnosisCodes.length) this.fail(seg, `${name} a second principal diagnosis (${q})`, 'CONTENT');
          dr.diagnosisCodes.push({ qualifier: q, code, seg });
          break;
        case 'ABF':
        case 'BF':
          if (!dr.diagnosisCodes.length) this.fail(seg, `${name} other diagnosis (${q}) before the principal one (ABK/BK)`, 'CONTENT');
          dr.diagnosisCodes.push({ qualifier: q, code, seg });
          break;
        case 'BP':
          if (dr.anesthesia.length) this.fail(seg, `${name} a second principal anesthesia related procedure (BP)`, 'CONTENT');
          dr.anesthesia.push(code);
          break;
        case 'BO':
          if (!dr.anesthesia.length) this.fail(seg, `${name} other anesthesia related procedure (BO) before the principal one (BP)`, 'CONTENT');
          dr.anesthesia.push(code);
          break;
        case 'BG':
          dr.conditions.push(code);
          break;
        default:
          this.fail(seg, `${name} qualifier "${q}" is not one of ABK, ABF, BK, BF (diagnoses), BP, BO (anesthesia procedures), BG (conditions)`, 'CONTENT');
      }
    }
  }

  /** DTP*472 D8 CCYYMMDD or RD8 CCYYMMDD-CCYYMMDD. */
  private serviceDates(seg: Segment): { from: string; to: string } {
    const format = el(seg, 2);
    if (format === 'D8') {
      const d = parseDate8(el(seg, 3), seg, 'DTP03');
      return { from: d, to: d };
    }
    if (format === 'RD8') {
      const [a, b, ...rest] = el(seg, 3).split('-');
      if (rest.length || b === undefined) this.fail(seg, `DTP03 "${el(seg, 3)}" is not a CCYYMMDD-CCYYMMDD range`, 'SYNTAX');
      const from = parseDate8(a, seg, 'DTP03');
      const to = parseDate8(b, seg, 'DTP03');
      if (to < from) this.fail(seg, `DTP03 range ends (${to}) before it starts (${from})`, 'CONTENT');
      return { from, to };
    }
    return this.fail(seg, `DTP02 "${format}" is not D8 or RD8`, 'SYNTAX');
  }

  /** SV5 (2400, durable medical equipment): HC:procedure, unit (DA days), length, rental, purchase, frequency. */
  private onSv5(seg: Segment): void {
    const line = this.draft!.lines[this.draft!.lines.length - 1];
    if (!line || this.draft!.lines.length === this.lxLines) this.fail(seg, 'SV5 before the SV1 of its service line', 'LOOP');
    const c = el(seg, 1).split(this.d.component);
    if (c[0] !== 'HC' || !c[1]) this.fail(seg, 'SV501 must be HC:procedure code', 'CONTENT');
    if (el(seg, 2) !== 'DA') this.fail(seg, `SV502 "${el(seg, 2)}" is not DA (days)`, 'CONTENT');
    line.dme = {
      cpt: c[1],
      unit: el(seg, 2),
      length: parseDecimal(el(seg, 3), seg, 'SV503'),
      ...(el(seg, 4) ? { rentalCents: parseCents(el(seg, 4), seg, 'SV504') } : {}),
      ...(el(seg, 5) ? { purchaseCents: parseCents(el(seg, 5), seg, 'SV505') } : {}),
      ...(el(seg, 6) ? { frequency: el(seg, 6) } : {}),
    };
  }

  private onSv1(seg: Segment): void {
    const c = el(seg, 1).split(this.d.component);
    if (c[0] !== 'HC') this.fail(seg, 'SV101-1 must be HC', 'CONTENT');
    const basis = el(seg, 3);
    if (basis !== 'UN' && basis !== 'MJ') this.fail(seg, 'SV103 must be UN (units) or MJ (anesthesia minutes)', 'CONTENT');
    this.draft!.lines.push({
      seg,
      cpt: c[1] ?? '',
      modifiers: c.slice(2, 6).filter((m) => m !== ''),
      chargeCents: parseCents(el(seg, 2), seg, 'SV102'),
      unitBasis: basis,
      quantity: parseDecimal(el(seg, 4), seg, 'SV104'),
      pointers: el(seg, 7).split(this.d.component).filter((p) => p !== '').map(Number),
      svd: [],
    });
  }

  private closeClaim(): void {
    const dr = this.draft;
    if (!dr) return;
    this.draft = undefined;
    const total = dr.lines.reduce((s, l) => s + l.chargeCents, 0);
    if (total !== dr.chargeCents) {
      this.fail(dr.seg, `CLM02 ${dr.chargeCents / 100} is not the sum of the SV102 line charges (${total / 100})`, 'BALANCE');
    }
    if (dr.lines.length === 0) this.fail(dr.seg, `claim ${dr.claimId} has no service line (LX/SV1)`, 'LOOP');
    if (dr.diagnosisCodes.length === 0) this.fail(dr.seg, `claim ${dr.claimId} has no HI diagnosis`, 'CONTENT');
    if ((dr.frequencyCode === '7' || dr.frequencyCode === '8') && !dr.original) {
      this.fail(dr.seg, `frequency code ${dr.frequencyCode} needs REF*F8 (original payer claim control number)`, 'CONTENT');
    }
    // Each line has its own date of service (DTP*472); a claim-level one is the default.
    for (const l of dr.lines) {
      l.serviceDate ??= dr.claimServiceDate;
      if (!l.serviceDate) this.fail(l.seg, 'the service line has no DTP*472 service date', 'CONTENT');
    }
    this.checkOthers(dr);
    if (this.mode === 'validate') return;
    const lines = dr.lines.map(({ seg: _seg, svd: _svd, ...l }) => l);
    const otherCoverage = dr.others.filter((o) => !o.paid).map((o) => ({
      responsibility: o.sbr01,
      claimFilingIndicator: o.filing,
      memberId: o.memberId!,
      payerId: o.payerId!,
      name: o.name ?? '',
    }));
    if (this.mode === 'read') {
      this.read.push({
        segmentPosition: dr.seg.position,
        patientControlNumber: dr.claimId,
        chargeCents: dr.chargeCents,
        placeOfService: dr.placeOfService,
        frequencyCode: dr.frequencyCode,
        billingProviderNpi: this.billingNpi,
        ...(dr.renderingNpi ? { renderingNpi: dr.renderingNpi } : {}),
        payerId: this.sub.payerId,
        memberId: this.sub.memberId,
        coveragePriority: this.sub.priority,
        ...(dr.priorAuth ? { priorAuthNumber: dr.priorAuth } : {}),
        ...(dr.original ? { originalPayerClaimControlNumber: dr.original } : {}),
        diagnoses: dr.diagnosisCodes.map(({ qualifier, code }) => ({ qualifier, code })),
        anesthesiaProcedures: dr.anesthesia,
        conditionCodes: dr.conditions,
        lines,
        adjudicatedBy: dr.others.filter((o) => o.paid).map((o) => o.payerId!),
        otherCoverage,
      });
      return;
    }
    const icd9 = dr.diagnosisCodes.find((d) => d.qualifier === 'BK' || d.qualifier === 'BF');
    if (icd9) {
      this.fail(icd9.seg, `ICD-9-CM diagnosis codes (HI ${icd9.qualifier}) are not supported: the claim model holds ICD-10-CM codes (ABK/ABF)`, 'CONTENT');
    }
    const otherPayer = this.buildOtherPayer(dr);
    const patient = this.pat ?? { birthDate: this.sub.birthDate, sex: this.sub.sex };
    // The claim's date of service is its earliest line date; lines on other days carry their own.
    const serviceDate = lines.map((l) => l.serviceDate!).sort()[0];
    const doc = {
      claimId: claimIdFromClm01(dr.claimId),
      practiceId: this.opts.practiceId,
      payerId: this.opts.payerId ?? this.sub.payerId,
      coverage: { memberId: this.sub.memberId, priority: this.sub.priority },
      patient: { id: dr.patientId ?? this.sub.memberId, birthDate: patient.birthDate, sex: patient.sex },
      renderingNpi: dr.renderingNpi ?? this.billingNpi,
      serviceDate,
      placeOfService: dr.placeOfService,
      ...(dr.priorAuth ? { priorAuthNumber: dr.priorAuth } : {}),
      ...(dr.referring && /^\d{10}$/.test(dr.referring.id ?? '') && dr.referring.lastName
        ? { referringProvider: { npi: dr.referring.id!, lastName: dr.referring.lastName, ...(dr.referring.firstName ? { firstName: dr.referring.firstName } : {}) } }
        : {}),
      diagnoses: dr.diagnosisCodes.map(({ code }) => (code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code)),
      lines: lines.map((l) => ({
        cpt: l.cpt,
        ...(l.modifiers.length ? { modifiers: l.modifiers } : {}),
        units: l.quantity,
        ...(l.unitBasis === 'MJ' ? { unitBasis: 'MJ' as const } : {}),
        chargeCents: l.chargeCents,
        diagnosisPointers: l.pointers,
        ...(l.serviceDate !== serviceDate ? { serviceDate: l.serviceDate } : {}),
      })),
    };
    const parsed = ClaimDocument.safeParse(doc);
    if (!parsed.success) {
      const first = describeIssues(parsed.error)[0];
      this.fail(dr.seg, `claim ${dr.claimId} is not a valid ClaimDocument: ${first.path}: ${first.message}`, 'CONTENT');
    }
    const pp = this.parties;
    this.claims.push({
      claim: parsed.data!,
      parties: {
        billingProvider: pp.billing ?? { lastName: '' },
        subscriber: pp.subscriber ?? { lastName: '' },
        ...(pp.patient ? { patient: pp.patient } : {}),
        payer: pp.payer ?? { lastName: '' },
        ...(dr.referring ? { referringProvider: dr.referring } : {}),
        ...(dr.rendering ? { renderingProvider: dr.rendering } : {}),
      },
      patientControlNumber: dr.claimId,
      lineDetails: lines.map((l) => ({
        ...(l.serviceDateEnd ? { serviceDateEnd: l.serviceDateEnd } : {}),
        ...(l.renderingNpi ? { renderingNpi: l.renderingNpi } : {}),
        ...(l.dme ? { dme: l.dme } : {}),
      })),
      anesthesiaProcedures: dr.anesthesia,
      conditionCodes: dr.conditions,
      otherCoverage,
      frequencyCode: dr.frequencyCode,
      ...(dr.original ? { originalPayerClaimControlNumber: dr.original } : {}),
      billingProviderNpi: this.billingNpi,
      ...(otherPayer ? { otherPayer } : {}),
      segmentPosition: dr.seg.position,
    });
  }

  /** 2320/2330/2430 completeness and the prior payers' balances (both modes). */
  private checkOthers(dr: Draft): void {
    for (const o of dr.others) {
      if (o.memberId === undefined) this.fail(o.seg, 'loop 2320 has no 2330A other subscriber (NM1*IL)', 'LOOP');
      if (o.payerId === undefined) this.fail(o.seg, 'loop 2320 has no 2330B other payer (NM1*PR)', 'LOOP');
      if (!o.oi) this.fail(o.seg, 'loop 2320 has no OI segment (required)', 'CONTENT');
      const svds = dr.lines.flatMap((l) => l.svd.filter((v) => v.payerId === o.payerId));
      for (const v of svds) if (!v.date) this.fail(v.seg, 'loop 2430 has no DTP*573 adjudication date', 'CONTENT');
      dr.lines.forEach((l, i) => {
        const mine = l.svd.filter((v) => v.payerId === o.payerId);
        if (!mine.length) return;
        const paid = mine.reduce((s, v) => s + v.paidCents, 0);
        const cas = mine.reduce((s, v) => s + v.casTotal, 0);
        if (paid + cas !== l.chargeCents) {
          this.fail(mine[0].seg,
            `line ${i + 1} does not balance for other payer ${o.payerId}: SV102 ${formatCents(l.chargeCents)} is not SVD02 ${formatCents(paid)} + CAS ${formatCents(cas)}`, 'BALANCE');
        }
      });
      if (!o.paid) {
        if (svds.length || o.adjustments.length) this.fail(o.seg, `other payer ${o.payerId} has adjudication data but no AMT*D payer paid amount`, 'CONTENT');
        continue;
      }
      if (svds.length) {
        const lines = svds.reduce((s, v) => s + v.paidCents, 0);
        if (lines - o.casTotal !== o.paid.cents) {
          this.fail(o.paid.seg,
            `AMT*D ${formatCents(o.paid.cents)} is not the SVD02 total ${formatCents(lines)} minus claim CAS ${formatCents(o.casTotal)} for other payer ${o.payerId}`, 'BALANCE');
        }
      } else {
        if (dr.chargeCents - o.casTotal !== o.paid.cents) {
          this.fail(o.paid.seg,
            `AMT*D ${formatCents(o.paid.cents)} is not CLM02 ${formatCents(dr.chargeCents)} minus claim CAS ${formatCents(o.casTotal)} for other payer ${o.payerId}`, 'BALANCE');
        }
        if (!o.date) this.fail(o.seg, `other payer ${o.payerId} adjudicated the claim without 2430 lines: 2330B needs DTP*573`, 'CONTENT');
      }
    }
  }

  /** The one prior payer a Parsed837PClaim carries. */
  private buildOtherPayer(dr: Draft): OtherPayer837P | undefined {
    // Only a payer that adjudicated the claim (AMT*D) is a prior payer; the others are coverage only.
    const adjudicated = dr.others.filter((x) => x.paid);
    if (adjudicated.length > 1) this.fail(adjudicated[1].seg, 'a second adjudicating other payer (2320 with AMT*D): Parsed837PClaim.otherPayer holds one', 'CONTENT');
    const o = adjudicated[0];
    if (!o?.paid) return undefined;
    const priority = ({ P: 'primary', S: 'secondary' } as const)[o.sbr01 as 'P' | 'S'];
    if (!priority) this.fail(o.seg, `2320 SBR01 ${o.sbr01}: otherPayer.priority maps P or S only`, 'CONTENT');
    const lines = dr.lines.flatMap((l, i) => l.svd.map((v) => ({ v, lineNumber: i + 1 })));
    const dates = new Set([...lines.map(({ v }) => v.date!), ...(o.date ? [o.date] : [])]);
    if (dates.size > 1) this.fail(o.seg, `other payer ${o.payerId} lines carry different adjudication dates (DTP*573): otherPayer has one`, 'CONTENT');
    return {
      payerId: o.payerId!,
      name: o.name!,
      memberId: o.memberId!,
      priority,
      claimFilingIndicator: o.filing,
      paidCents: o.paid.cents,
      adjudicationDate: [...dates][0],
      claimAdjustments: o.adjustments.map(({ group, carc, amountCents }) => ({ group, carc, amountCents })),
      lines: lines.map(({ v, lineNumber }) => ({
        lineNumber,
        cpt: v.cpt,
        ...(v.modifiers.length ? { modifiers: v.modifiers } : {}),
        paidCents: v.paidCents,
        units: v.units,
        adjustments: v.adjustments,
      })),
    };
  }

  private notAllowed(seg: Segment): never {
    const what = ['NM1', 'REF', 'DTP', 'HL'].includes(seg.id) ? `${seg.id}*${el(seg, 1)}` : seg.id;
    return this.fail(seg, `${what} is not allowed in loop ${this.loop}`, 'LOOP');
  }

  private fail(seg: Segment, reason: string, code: X12Error['code']): never {
    throw new X12Error(seg.position, seg.id, reason, code);
  }
}

/**
 * The product's claim id for a CLM01: CLM01 itself when it is a safe business id (letters,
 * digits, '.', '_', '-'; it ends up in workflow ids), else CLM01 with every run of other
 * characters replaced by '-' ("R03996273 #01" -> "R03996273-01"). The CLM01 as sent stays in
 * Parsed837PClaim.patientControlNumber.
 */
export function claimIdFromClm01(clm01: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(clm01)) return clm01;
  const id = clm01.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '').slice(0, 64);
  return id || 'CLM';
}

/** An 837P claim as the file says it (no ClaimDocument mapping, so ICD-9 and free-text CLM01 are kept). */
export interface Read837PClaim {
  segmentPosition: number;
  patientControlNumber: string;
  chargeCents: number;
  placeOfService: string;
  frequencyCode: string;
  billingProviderNpi: string;
  /** 2310B NM109. */
  renderingNpi?: string;
  /** 2010BB NM109. */
  payerId: string;
  memberId: string;
  coveragePriority: string;
  priorAuthNumber?: string;
  originalPayerClaimControlNumber?: string;
  diagnoses: Array<{ qualifier: string; code: string }>;
  anesthesiaProcedures: string[];
  conditionCodes: string[];
  lines: Read837PLine[];
  /** 2330B payer ids of the other payers that adjudicated the claim (2320 with AMT*D). */
  adjudicatedBy: string[];
  otherCoverage: OtherCoverage837P[];
}

/** Read an 837P file claim by claim, with the same validation as parse837P but no ClaimDocument mapping. */
export function read837P(text: string): Read837PClaim[] {
  const m = new Claim837PMapper({}, 'read');
  readInterchange(text, EXPECT_837P, m);
  return m.read;
}

/** Parse an 837P file to ClaimDocuments (one per CLM). */
export function parse837P(text: string, opts: Parse837POptions): Parsed837PClaim[] {
  const m = new Claim837PMapper(opts, 'parse');
  readInterchange(text, EXPECT_837P, m);
  return m.claims;
}

/** Structure check only (envelope, loops, CLM02 = sum of lines); throws X12Error. */
export function validate837P(text: string): void {
  readInterchange(text, EXPECT_837P, new Claim837PMapper({}, 'validate'));
}
