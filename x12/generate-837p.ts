/**
 * ClaimDocument -> X12 837P (005010X222A1). Control numbers and the creation instant are passed
 * in (the caller keeps a never-repeating sequence); the output is checked by the same loop
 * validator `parse837P` uses before it is returned.
 *
 * Loops written: ISA/GS/ST/BHT; 1000A submitter (NM1*41, PER); 1000B receiver (NM1*40);
 * 2000A HL*20 + 2010AA billing provider (NM1*85 XX npi, N3, N4, REF*EI, PER contact when given);
 * 2000B HL*22 SBR (SBR02 = 18 when the patient is the subscriber, SBR03 group number) + 2010BA
 * NM1*IL (name, MI member id) + N3/N4 + DMG + 2010BB NM1*PR (PI payer id as the clearinghouse knows
 * it); 2000C HL*23 PAT + 2010CA NM1*QC + N3/N4 + DMG when the patient is not the subscriber; 2300 CLM (CLM05 = POS:B:frequency), REF*G1 prior auth, REF*F8 original claim (7/8),
 * REF*EA patient id, HI (ABK then ABF, no decimal point); 2310A NM1*DN referring provider (when the
 * document or options have one); 2310B NM1*82 rendering provider (name when known);
 * 2400 LX / SV1 (HC:cpt:modifiers, charge, UN units or MJ anesthesia minutes, pointers) / DTP*472 (the
 * line's serviceDate, else the claim's) / REF*6R line number.
 *
 * Coordination of benefits (`opts.otherPayer`, POST-6 secondary claims): after 2310B,
 * 2320 SBR (other payer's responsibility P/S, SBR02 18, SBR09 filing indicator) / CAS claim-level
 * adjustments (one CAS per group code, up to 6 triplets) / AMT*D payer paid / OI***Y***Y;
 * 2330A NM1*IL (MI member id; names and address as in 2010BA); 2330B NM1*PR (PI payer id), with
 * DTP*573 only when no line was adjudicated (otherwise the date is in 2430); and inside each 2400,
 * after REF*6R, 2430 SVD (payer id, paid, HC:cpt:modifiers, units) / CAS / DTP*573.
 */
import { ClaimDocument, IsoDate } from '../domain/claim-document';
import { instantParts, openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { X12Error } from './errors';
import { validate837P } from './parse-837p';
import { filingIndicator, formatCents, formatDecimal, toDate8 } from './values';

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  zip: string;
}

export interface Generate837POptions {
  /** Submitter (1000A). PER contact is required by the guide. */
  sender: Party & { contactName: string; phone?: string; email?: string };
  /** Receiver / clearinghouse (1000B). */
  receiver: Party;
  billingProvider: {
    npi: string;
    name: string;
    taxId: string;
    address: Address;
    taxonomy?: string;
    /** 2010AA PER: the billing office's contact (name, phone and/or email). */
    contact?: { name?: string; phone?: string; email?: string };
  };
  /** Payer as the clearinghouse knows it (2010BB NM109), not the product's policy key. */
  payer: { id: string; name: string; claimFilingIndicator?: string };
  controlNumbers: ControlNumbers;
  frequencyCode?: '1' | '7' | '8';
  originalPayerClaimControlNumber?: string;
  /** ISO instant. */
  createdAt: string;
  /**
   * The subscriber (2010BA) from master data: name, address, and birth date / sex (2010BA DMG; when
   * absent the document's patient, who is then the subscriber). SBR03 group number.
   */
  subscriber?: PersonName837P & { address?: Address; birthDate?: string; sex?: 'F' | 'M' | 'U'; groupNumber?: string };
  /**
   * The patient when the patient is not the subscriber: loop 2000C (HL*23, PAT01 relationship) and
   * 2010CA (NM1*QC, N3/N4, DMG from the document's patient birth date and sex); 2000B SBR02 is then empty.
   */
  patient?: PersonName837P & { relationship: string; address: Address };
  /** Rendering provider name when known (the ClaimDocument has only the NPI). */
  renderingProvider?: PersonName837P & { taxonomy?: string };
  /** 2310A NM1*DN referring provider; default: the document's `referringProvider`. */
  referringProvider?: PersonName837P & { npi: string };
  usage?: 'P' | 'T';
  /** REF*D9 (2300): claim identifier for transmission intermediaries, echoed back in the 277CA. */
  claimTraceNumber?: string;
  /**
   * The payer that adjudicated this claim before the destination payer (coordination of
   * benefits, loops 2320/2330A/2330B/2430). Required by secondary payers on a secondary claim.
   */
  otherPayer?: OtherPayer837P;
}

export type CasGroup = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

/** A person's name as NM103 (last), NM104 (first), NM105 (middle), NM107 (suffix). */
export interface PersonName837P {
  lastName: string;
  firstName?: string;
  middleName?: string;
  suffix?: string;
}

const nameElements = (n: PersonName837P | undefined): Array<string | undefined> => [n?.lastName, n?.firstName, n?.middleName, '', n?.suffix];

/** A prior payer's adjudication of this claim, as its 835 reported it. */
export interface OtherPayer837P {
  /** The prior payer's id as the clearinghouse knows it: 2330B NM109 and every 2430 SVD01. */
  payerId: string;
  name: string;
  /** The patient's member id with the prior payer (2330A NM109). */
  memberId: string;
  /** The prior payer's responsibility (2320 SBR01 P/S); this claim is then S/T in 2000B. */
  priority: 'primary' | 'secondary';
  /** 2320 SBR09; default from the payer id like 2000B (MEDICARE -> MB, MEDICAID -> MC, ... else CI). */
  claimFilingIndicator?: string;
  /** 2320 AMT*D: what the prior payer paid on the claim. */
  paidCents: number;
  /** YYYY-MM-DD: 2430 DTP*573 on each adjudicated line (2330B DTP*573 when no line is given). */
  adjudicationDate: string;
  /** 2320 CAS: claim-level adjustments. */
  claimAdjustments: Array<{ group: CasGroup; carc: string; amountCents: number }>;
  /** 2430, one per adjudicated line (in claim line order); charge = paid + adjustments. */
  lines: Array<{
    /** 1-based claim line (the 2400 LX it belongs to). */
    lineNumber: number;
    cpt: string;
    modifiers?: string[];
    paidCents: number;
    units: number;
    adjustments: Array<{ group: CasGroup; carc: string; amountCents: number; quantity?: number }>;
  }>;
}

export function generate837P(input: ClaimDocument, opts: Generate837POptions): string {
  const claim = ClaimDocument.parse(input);
  const frequency = opts.frequencyCode ?? '1';
  const w = new SegmentWriter();
  const close = openEnvelope(w, {
    sender: opts.sender,
    receiver: opts.receiver,
    controlNumbers: opts.controlNumbers,
    createdAt: opts.createdAt,
    functionalId: 'HC',
    transactionSet: '837',
    version: '005010X222A1',
    usage: opts.usage,
  });
  const { date8, time4 } = instantParts(opts.createdAt);
  w.add('BHT', '0019', '00', claim.claimId, date8, time4, 'CH');
  // 1000A / 1000B
  w.add('NM1', '41', '2', opts.sender.name, '', '', '', '', '46', opts.sender.id);
  const contact: string[] = [];
  if (opts.sender.phone) contact.push('TE', opts.sender.phone);
  if (opts.sender.email) contact.push('EM', opts.sender.email);
  if (!contact.length) throw new X12Error(w.segments.length + 1, 'PER', 'the submitter needs a phone or email contact (1000A PER)', 'CONTENT');
  w.add('PER', 'IC', opts.sender.contactName, ...contact);
  w.add('NM1', '40', '2', opts.receiver.name, '', '', '', '', '46', opts.receiver.id);
  // 2000A / 2010AA
  const bp = opts.billingProvider;
  w.add('HL', '1', '', '20', '1');
  if (bp.taxonomy) w.add('PRV', 'BI', 'PXC', bp.taxonomy);
  w.add('NM1', '85', '2', bp.name, '', '', '', '', 'XX', bp.npi);
  writeAddress(w, bp.address);
  w.add('REF', 'EI', bp.taxId);
  const bc = bp.contact;
  if (bc && (bc.phone || bc.email)) {
    w.add('PER', 'IC', bc.name, ...(bc.phone ? ['TE', bc.phone] : []), ...(bc.email ? ['EM', bc.email] : []));
  }
  // 2000B / 2010BA / 2010BB (2000C / 2010CA when the patient is not the subscriber)
  const priority = { primary: 'P', secondary: 'S', tertiary: 'T' }[claim.coverage.priority];
  const pt = opts.patient && opts.patient.relationship !== '18' ? opts.patient : undefined;
  w.add('HL', '2', '1', '22', pt ? '1' : '0');
  const other = opts.otherPayer;
  if (other) checkPriority(w, claim, other, priority);
  const s = opts.subscriber;
  w.add('SBR', priority, pt ? '' : '18', s?.groupNumber, '', '', '', '', '', opts.payer.claimFilingIndicator ?? filingIndicator(claim.payerId));
  w.add('NM1', 'IL', '1', ...nameElements(s), 'MI', claim.coverage.memberId);
  if (s?.address) writeAddress(w, s.address);
  const subscriberBirth = s?.birthDate ?? (pt ? undefined : claim.patient.birthDate);
  if (subscriberBirth) w.add('DMG', 'D8', toDate8(subscriberBirth), s?.sex ?? claim.patient.sex);
  w.add('NM1', 'PR', '2', opts.payer.name, '', '', '', '', 'PI', opts.payer.id);
  if (pt) {
    w.add('HL', '3', '2', '23', '0');
    w.add('PAT', pt.relationship);
    w.add('NM1', 'QC', '1', ...nameElements(pt));
    writeAddress(w, pt.address);
    w.add('DMG', 'D8', toDate8(claim.patient.birthDate), claim.patient.sex);
  }
  // 2300
  const total = claim.lines.reduce((sum, l) => sum + l.chargeCents, 0);
  w.add('CLM', claim.claimId, formatCents(total), '', '', w.comp(claim.placeOfService, 'B', frequency), 'Y', 'A', 'Y', 'Y');
  if (claim.priorAuthNumber) w.add('REF', 'G1', claim.priorAuthNumber);
  if (frequency !== '1') {
    if (!opts.originalPayerClaimControlNumber) {
      throw new X12Error(w.segments.length + 1, 'REF', `frequency code ${frequency} needs originalPayerClaimControlNumber (REF*F8)`, 'CONTENT');
    }
    w.add('REF', 'F8', opts.originalPayerClaimControlNumber);
  }
  // REF*D9: our trace of this transmission; clearinghouses echo it in the 277CA, which ties the
  // acknowledgement to the exact submission (primary, secondary or resubmission).
  if (opts.claimTraceNumber) w.add('REF', 'D9', opts.claimTraceNumber);
  w.add('REF', 'EA', claim.patient.id);
  w.add('HI', ...claim.diagnoses.map((d, i) => w.comp(i === 0 ? 'ABK' : 'ABF', d.replace('.', ''))));
  // 2310A referring provider, 2310B rendering provider
  const ref = opts.referringProvider ?? claim.referringProvider;
  if (ref) w.add('NM1', 'DN', '1', ...nameElements(ref), 'XX', ref.npi);
  const rp = opts.renderingProvider;
  w.add('NM1', '82', '1', ...nameElements(rp), 'XX', claim.renderingNpi);
  if (rp?.taxonomy) w.add('PRV', 'PE', 'PXC', rp.taxonomy);
  // 2320 / 2330A / 2330B
  if (other) {
    checkOtherPayer(w, claim, other);
    writeOtherPayer(w, other, opts);
  }
  // 2400
  claim.lines.forEach((l, i) => {
    w.add('LX', String(i + 1));
    w.add('SV1', w.comp('HC', l.cpt, ...(l.modifiers ?? [])), formatCents(l.chargeCents), l.unitBasis ?? 'UN', String(l.units), '', '',
      w.comp(...l.diagnosisPointers.map(String)));
    // Each line's own date of service when it has one (multi-visit claims), else the claim's.
    w.add('DTP', '472', 'D8', toDate8(l.serviceDate ?? claim.serviceDate));
    w.add('REF', '6R', String(i + 1));
    // 2430
    for (const ol of other?.lines.filter((x) => x.lineNumber === i + 1) ?? []) {
      w.add('SVD', other!.payerId, formatCents(ol.paidCents), w.comp('HC', ol.cpt, ...(ol.modifiers ?? [])), '', formatDecimal(ol.units));
      writeCas(w, ol.adjustments);
      w.add('DTP', '573', 'D8', toDate8(other!.adjudicationDate));
    }
  });
  close();
  const text = w.toString();
  validate837P(text);
  return text;
}

const GROUPS = new Set<string>(['CO', 'PR', 'OA', 'PI', 'CR']);

/** The prior payer's responsibility decides this claim's: P -> S, S -> T (2000B SBR01). */
function checkPriority(w: SegmentWriter, claim: ClaimDocument, o: OtherPayer837P, sbr01: string): void {
  const sbrAt = w.segments.length + 1;
  const want = o.priority === 'primary' ? 'S' : o.priority === 'secondary' ? 'T' : undefined;
  if (!want) throw new X12Error(sbrAt, 'SBR', `otherPayer.priority "${String(o.priority)}" is not primary or secondary`, 'CONTENT');
  if (sbr01 !== want) {
    throw new X12Error(sbrAt, 'SBR',
      `otherPayer.priority ${o.priority} makes this claim SBR01 ${want}, but coverage.priority is ${claim.coverage.priority} (SBR01 ${sbr01})`, 'CONTENT');
  }
}

/**
 * Refuse an otherPayer the 837P cannot carry, before any of it is written; the position is the
 * 2320 SBR about to be written. Balances (per line SV102 = SVD02 + CAS; AMT*D = sum SVD02 - claim
 * CAS) are checked by validate837P on the finished text, at the SVD / AMT that does not balance.
 */
function checkOtherPayer(w: SegmentWriter, claim: ClaimDocument, o: OtherPayer837P): void {
  const sbrAt = w.segments.length + 1;
  const at = (id: string, reason: string): never => {
    throw new X12Error(sbrAt, id, reason, 'CONTENT');
  };
  for (const [k, v] of [['payerId', o.payerId], ['name', o.name], ['memberId', o.memberId]] as const) {
    if (typeof v !== 'string' || v.trim() === '') at('NM1', `otherPayer.${k} is empty`);
  }
  if (!Array.isArray(o.claimAdjustments) || !Array.isArray(o.lines)) at('SBR', 'otherPayer.claimAdjustments and otherPayer.lines must be arrays');
  if (!IsoDate.safeParse(o.adjudicationDate).success) at('DTP', `otherPayer.adjudicationDate "${o.adjudicationDate}" is not a YYYY-MM-DD date`);
  const cents = (v: unknown, path: string, id: string) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) at(id, `${path} ${String(v)} is not integer cents`);
  };
  const adjustments = (list: OtherPayer837P['claimAdjustments'], path: string) => {
    const perGroup = new Map<string, number>();
    list.forEach((a, i) => {
      if (!GROUPS.has(a.group)) at('CAS', `${path}[${i}].group "${a.group}" is not CO, PR, OA, PI or CR`);
      if (!/^[A-Z0-9]{1,5}$/.test(a.carc ?? '')) at('CAS', `${path}[${i}].carc "${a.carc}" is not a claim adjustment reason code`);
      cents(a.amountCents, `${path}[${i}].amountCents`, 'CAS');
      const q = (a as { quantity?: unknown }).quantity;
      if (q !== undefined && (typeof q !== 'number' || !Number.isFinite(q))) at('CAS', `${path}[${i}].quantity ${String(q)} is not a number`);
      perGroup.set(a.group, (perGroup.get(a.group) ?? 0) + 1);
      if (perGroup.get(a.group)! > 6) at('CAS', `${path}: more than 6 ${a.group} adjustments (one CAS per group code, 6 triplets)`);
    });
  };
  cents(o.paidCents, 'otherPayer.paidCents', 'AMT');
  adjustments(o.claimAdjustments, 'otherPayer.claimAdjustments');
  const n = claim.lines.length;
  o.lines.forEach((l, i) => {
    if (!Number.isInteger(l.lineNumber) || l.lineNumber < 1 || l.lineNumber > n) {
      at('SVD', `otherPayer.lines[${i}].lineNumber ${l.lineNumber} is not a service line of claim ${claim.claimId} (LX 1..${n}); its 2430 SVD has no 2400 loop`);
    }
    if (i > 0 && l.lineNumber < o.lines[i - 1].lineNumber) {
      at('SVD', `otherPayer.lines[${i}].lineNumber ${l.lineNumber} is out of claim line order (2430 loops are written inside their 2400)`);
    }
    if (!/^[A-Z0-9]{5}$/.test(l.cpt ?? '')) at('SVD', `otherPayer.lines[${i}].cpt "${l.cpt}" is not a 5-character code`);
    if ((l.modifiers ?? []).length > 4 || (l.modifiers ?? []).some((m) => !/^[A-Z0-9]{2}$/.test(m))) {
      at('SVD', `otherPayer.lines[${i}].modifiers must be up to 4 two-character modifiers`);
    }
    if (typeof l.units !== 'number' || !Number.isFinite(l.units) || l.units < 0) at('SVD', `otherPayer.lines[${i}].units ${String(l.units)} is not a number of units`);
    cents(l.paidCents, `otherPayer.lines[${i}].paidCents`, 'SVD');
    if (!Array.isArray(l.adjustments)) at('CAS', `otherPayer.lines[${i}].adjustments must be an array`);
    adjustments(l.adjustments, `otherPayer.lines[${i}].adjustments`);
  });
}

/** 2320 / 2330A / 2330B for one prior payer. */
function writeOtherPayer(w: SegmentWriter, o: OtherPayer837P, opts: Generate837POptions): void {
  // SBR02: the patient's relationship to the other subscriber (18 self; a dependant's code from 2000C PAT01).
  w.add('SBR', o.priority === 'primary' ? 'P' : 'S', opts.patient && opts.patient.relationship !== '18' ? opts.patient.relationship : '18', '', '', '', '', '', '', o.claimFilingIndicator ?? filingIndicator(o.payerId));
  writeCas(w, o.claimAdjustments.map(({ group, carc, amountCents }) => ({ group, carc, amountCents })));
  w.add('AMT', 'D', formatCents(o.paidCents));
  // OI03 benefits assignment and OI06 release of information, as CLM08 / CLM09 say.
  w.add('OI', '', '', 'Y', '', '', 'Y');
  const s = opts.subscriber;
  w.add('NM1', 'IL', '1', ...nameElements(s), 'MI', o.memberId);
  if (s?.address) writeAddress(w, s.address);
  w.add('NM1', 'PR', '2', o.name, '', '', '', '', 'PI', o.payerId);
  if (o.lines.length === 0) w.add('DTP', '573', 'D8', toDate8(o.adjudicationDate));
}

/** CAS: one segment per group code (in first-seen order), up to 6 reason/amount/quantity triplets. */
function writeCas(w: SegmentWriter, adjs: Array<{ group: string; carc: string; amountCents: number; quantity?: number }>): void {
  const groups = new Map<string, typeof adjs>();
  for (const a of adjs) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  for (const [group, run] of groups) {
    w.add('CAS', group, ...run.flatMap((a) => [a.carc, formatCents(a.amountCents), a.quantity === undefined ? '' : formatDecimal(a.quantity)]));
  }
}

function writeAddress(w: SegmentWriter, a: Address): void {
  w.add('N3', a.line1, a.line2);
  w.add('N4', a.city, a.state, a.zip);
}
