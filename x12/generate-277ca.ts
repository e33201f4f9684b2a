/**
 * Claim acknowledgements -> X12 277CA (005010X214) text. Used by the payer simulator (and handy
 * for tests of a file-drop inbox). The output is checked with `parse277CA` before it is returned,
 * so it always reads back to the same claims, statuses and verdicts.
 *
 * Hierarchy written: HL 20 information source (NM1*PR, TRN*1, DTP*050/009) > HL 21 information
 * receiver (NM1*41, TRN*2 batch, STC batch status A1:19, QTY/AMT accepted / rejected totals) >
 * HL 19 billing provider (NM1*85 XX npi, TRN*1*0, REF*TJ) > one HL PT per claim (NM1*QC member id,
 * TRN*2 = CLM01 claimId, STC with up to three statuses per segment (STC01/10/11) and the free-text
 * message in STC12, REF*1K payer claim control number, REF*D9 clearinghouse trace, DTP*472).
 */
import { instantParts, openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { X12Error } from './errors';
import { parse277CA, type Status277 } from './parse-277ca';
import { formatCents, toDate8 } from './values';

export interface ClaimAck277Input {
  /** CLM01 of the acknowledged 837P (our claimId): written as the 2200D TRN02. */
  claimId: string;
  status: 'accepted' | 'rejected';
  /** Default: accepted → A2:20 (accepted for processing), rejected → A7:21 (missing or invalid information). */
  statuses?: Status277[];
  /** STC12 free-form text (delimiters are replaced by spaces). */
  message?: string;
  /** STC04 total claim charge. */
  chargeCents: number;
  /** STC02; default the date of `createdAt`. */
  statusDate?: string;
  /** REF*1K, accepted claims only. */
  payerClaimControlNumber?: string;
  /** REF*D9. */
  clearinghouseTraceNumber?: string;
  /** DTP*472 service date, YYYY-MM-DD. */
  serviceDate?: string;
  /** NM1*QC: subscriber member id, and the name when the caller has it. */
  patient?: { memberId: string; lastName?: string; firstName?: string };
}

export interface Generate277CAOptions {
  /** ISA/GS sender: the clearinghouse (or payer). */
  sender: Party;
  /** ISA/GS receiver: the practice / submitter. */
  receiver: Party;
  /** Information source (HL 20, NM1*PR). */
  payer: { name: string; id: string };
  /** Billing provider (HL 19, NM1*85). */
  provider: { name: string; npi: string; taxId?: string };
  controlNumbers: ControlNumbers;
  /** ISO instant: ISA/GS/BHT dates. No clock inside the module. */
  createdAt: string;
  /** BHT03 reference and HL 21 TRN02 batch id; default `277CA<st control number>`. */
  batchId?: string;
  usage?: 'P' | 'T';
}

const DEFAULT_STATUS: Record<ClaimAck277Input['status'], Status277> = {
  accepted: { category: 'A2', code: '20', entity: 'PR' },
  rejected: { category: 'A7', code: '21' },
};
const REJECT = new Set(['A3', 'A4', 'A6', 'A7', 'A8', 'E0', 'E1', 'E2', 'E3', 'E4']);

/** Free text safe for a simple element: no delimiter characters, at most 264 characters (STC12 max). */
function text(value: string): string {
  return value.replace(/[*~^:\r\n]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 264);
}

export function generate277CA(claims: ClaimAck277Input[], opts: Generate277CAOptions): string {
  if (claims.length === 0) throw new X12Error(1, 'ST', 'a 277CA needs at least one claim', 'CONTENT');
  const w = new SegmentWriter();
  const close = openEnvelope(w, {
    sender: opts.sender,
    receiver: opts.receiver,
    controlNumbers: opts.controlNumbers,
    createdAt: opts.createdAt,
    functionalId: 'HN',
    transactionSet: '277',
    version: '005010X214',
    usage: opts.usage,
  });
  const { date8, time4 } = instantParts(opts.createdAt);
  const batchId = opts.batchId ?? `277CA${opts.controlNumbers.st}`;
  w.add('BHT', '0085', '08', batchId, date8, time4, 'TH');

  const statusesOf = (c: ClaimAck277Input) => (c.statuses?.length ? c.statuses : [DEFAULT_STATUS[c.status]]);
  const rejected = (c: ClaimAck277Input) => statusesOf(c).some((s) => REJECT.has(s.category));
  for (const c of claims) {
    const says = rejected(c) ? 'rejected' : 'accepted';
    if (says !== c.status) {
      throw new X12Error(w.segments.length + 1, 'STC', `claim ${c.claimId} is ${c.status} but its statuses say ${says}`, 'CONTENT');
    }
  }
  const acc = claims.filter((c) => c.status === 'accepted');
  const rej = claims.filter((c) => c.status === 'rejected');
  const total = (cs: ClaimAck277Input[]) => cs.reduce((s, c) => s + c.chargeCents, 0);
  const totals = () => {
    if (acc.length) w.add('QTY', '90', String(acc.length));
    if (rej.length) w.add('QTY', 'AA', String(rej.length));
    if (acc.length) w.add('AMT', 'YU', formatCents(total(acc)));
    if (rej.length) w.add('AMT', 'YY', formatCents(total(rej)));
  };

  // 2000A / 2100A information source
  w.add('HL', '1', '', '20', '1');
  w.add('NM1', 'PR', '2', opts.payer.name, '', '', '', '', 'PI', opts.payer.id);
  w.add('TRN', '1', batchId);
  w.add('DTP', '050', 'D8', date8);
  w.add('DTP', '009', 'D8', date8);
  // 2000B / 2100B / 2200B information receiver
  w.add('HL', '2', '1', '21', '1');
  w.add('NM1', '41', '2', opts.receiver.name, '', '', '', '', '46', opts.receiver.id);
  w.add('TRN', '2', batchId);
  w.add('STC', w.comp('A1', '19', 'PR'), date8, 'WQ', formatCents(total(claims)));
  totals();
  // 2000C / 2100C / 2200C billing provider
  w.add('HL', '3', '2', '19', '1');
  w.add('NM1', '85', '2', opts.provider.name, '', '', '', '', 'XX', opts.provider.npi);
  w.add('TRN', '1', '0');
  if (opts.provider.taxId) w.add('REF', 'TJ', opts.provider.taxId);
  totals();
  // 2000D / 2100D / 2200D one patient loop per claim
  let hl = 3;
  for (const c of claims) {
    w.add('HL', String(++hl), '3', 'PT');
    w.add('NM1', 'QC', '1', c.patient?.lastName ?? '', c.patient?.firstName ?? '', '', '', '', c.patient ? 'MI' : '', c.patient?.memberId ?? '');
    w.add('TRN', '2', c.claimId);
    const statuses = statusesOf(c);
    const statusDate = c.statusDate ? toDate8(c.statusDate) : date8;
    const action = c.status === 'rejected' ? 'U' : 'WQ';
    for (let i = 0; i < statuses.length; i += 3) {
      const [s1, s10, s11] = statuses.slice(i, i + 3).map((s) => w.comp(s.category, s.code, s.entity));
      const message = i === 0 && c.message ? text(c.message) : '';
      w.add('STC', s1, statusDate, action, formatCents(c.chargeCents), '', '', '', '', '', s10 ?? '', s11 ?? '', message);
    }
    if (c.payerClaimControlNumber && c.status === 'accepted') w.add('REF', '1K', c.payerClaimControlNumber);
    if (c.clearinghouseTraceNumber) w.add('REF', 'D9', c.clearinghouseTraceNumber);
    if (c.serviceDate) {
      const d = toDate8(c.serviceDate);
      w.add('DTP', '472', 'RD8', `${d}-${d}`);
    }
  }
  close();
  const out = w.toString();
  parse277CA(out); // same structure checks as the reader: never hand out a file we would refuse
  return out;
}
