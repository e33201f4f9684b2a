/**
 * ClaimDocument -> X12 837P (005010X222A1). Control numbers and the creation instant are passed
 * in (the caller keeps a never-repeating sequence); the output is checked by the same loop
 * validator `parse837P` uses before it is returned.
 *
 * Loops written: ISA/GS/ST/BHT; 1000A submitter (NM1*41, PER); 1000B receiver (NM1*40);
 * 2000A HL*20 + 2010AA billing provider (NM1*85 XX npi, N3, N4, REF*EI); 2000B HL*22 SBR (patient
 * is the subscriber, SBR02 = 18) + 2010BA NM1*IL (MI member id) + DMG + 2010BB NM1*PR (PI payer
 * id); 2300 CLM (CLM05 = POS:B:frequency), REF*G1 prior auth, REF*F8 original claim (7/8),
 * REF*EA patient id, HI (ABK then ABF, no decimal point); 2310B NM1*82 rendering provider;
 * 2400 LX / SV1 (HC:cpt:modifiers, charge, UN, units, pointers) / DTP*472 / REF*6R line number.
 */
import { ClaimDocument } from '../domain/claim-document';
import { instantParts, openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { X12Error } from './errors';
import { validate837P } from './parse-837p';
import { filingIndicator, formatCents, toDate8 } from './values';

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
  billingProvider: { npi: string; name: string; taxId: string; address: Address; taxonomy?: string };
  /** Payer as the clearinghouse knows it (2010BB NM109), not the product's policy key. */
  payer: { id: string; name: string; claimFilingIndicator?: string };
  controlNumbers: ControlNumbers;
  frequencyCode?: '1' | '7' | '8';
  originalPayerClaimControlNumber?: string;
  /** ISO instant. */
  createdAt: string;
  /** Subscriber name/address when the caller has them (the ClaimDocument does not). */
  subscriber?: { lastName: string; firstName?: string; address?: Address };
  /** Rendering provider name when known (the ClaimDocument has only the NPI). */
  renderingProvider?: { lastName: string; firstName?: string; taxonomy?: string };
  usage?: 'P' | 'T';
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
  // 2000B / 2010BA / 2010BB
  const priority = { primary: 'P', secondary: 'S', tertiary: 'T' }[claim.coverage.priority];
  w.add('HL', '2', '1', '22', '0');
  w.add('SBR', priority, '18', '', '', '', '', '', '', opts.payer.claimFilingIndicator ?? filingIndicator(claim.payerId));
  const s = opts.subscriber;
  w.add('NM1', 'IL', '1', s?.lastName, s?.firstName, '', '', '', 'MI', claim.coverage.memberId);
  if (s?.address) writeAddress(w, s.address);
  w.add('DMG', 'D8', toDate8(claim.patient.birthDate), claim.patient.sex);
  w.add('NM1', 'PR', '2', opts.payer.name, '', '', '', '', 'PI', opts.payer.id);
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
  w.add('REF', 'EA', claim.patient.id);
  w.add('HI', ...claim.diagnoses.map((d, i) => w.comp(i === 0 ? 'ABK' : 'ABF', d.replace('.', ''))));
  // 2310B
  const rp = opts.renderingProvider;
  w.add('NM1', '82', '1', rp?.lastName, rp?.firstName, '', '', '', 'XX', claim.renderingNpi);
  if (rp?.taxonomy) w.add('PRV', 'PE', 'PXC', rp.taxonomy);
  // 2400
  claim.lines.forEach((l, i) => {
    w.add('LX', String(i + 1));
    w.add('SV1', w.comp('HC', l.cpt, ...(l.modifiers ?? [])), formatCents(l.chargeCents), 'UN', String(l.units), '', '',
      w.comp(...l.diagnosisPointers.map(String)));
    w.add('DTP', '472', 'D8', toDate8(claim.serviceDate));
    w.add('REF', '6R', String(i + 1));
  });
  close();
  const text = w.toString();
  validate837P(text);
  return text;
}

function writeAddress(w: SegmentWriter, a: Address): void {
  w.add('N3', a.line1, a.line2);
  w.add('N4', a.city, a.state, a.zip);
}
