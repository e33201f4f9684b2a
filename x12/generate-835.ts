/**
 * Remittance -> X12 835 (005010X221A1) text. Used by the payer simulator and the bench. The
 * output always passes `parse835` (it checks the same balancing before writing a segment).
 */
import type { Adjustment, Remittance } from '../domain/remittance';
import { openEnvelope, SegmentWriter, type ControlNumbers, type Party } from './build';
import { X12Error } from './errors';
import { filingIndicator, formatCents, formatDecimal, toDate8 } from './values';

export interface Generate835Options {
  sender: Party;
  receiver: Party;
  payer: {
    name: string;
    /** TRN03: '1' followed by the payer's EIN (10 characters). */
    companyId: string;
    /** Written as REF*2U; defaults to remittance.payerId. */
    id?: string;
  };
  payee: { name: string; npi: string; taxId?: string };
  controlNumbers: ControlNumbers;
  /** ISO instant: GS/ISA dates. No clock inside the module. */
  createdAt: string;
  /** CLP06 claim filing indicator; default from payerId (MB, MC, 16, else CI). */
  claimFilingIndicator?: string;
  usage?: 'P' | 'T';
}

function sum(adjs: Adjustment[]): number {
  return adjs.reduce((s, a) => s + a.amountCents, 0);
}

export function generate835(r: Remittance, opts: Generate835Options): string {
  const w = new SegmentWriter();
  const close = openEnvelope(w, {
    sender: opts.sender,
    receiver: opts.receiver,
    controlNumbers: opts.controlNumbers,
    createdAt: opts.createdAt,
    functionalId: 'HP',
    transactionSet: '835',
    version: '005010X221A1',
    usage: opts.usage,
  });
  const bprPosition = w.segments.length + 1;
  const paid = r.claims.reduce((s, c) => s + c.paidCents, 0);
  const plb = (r.providerAdjustments ?? []).reduce((s, a) => s + a.amountCents, 0);
  if (paid - plb !== r.totalPaidCents) {
    throw new X12Error(
      bprPosition,
      'BPR',
      `totalPaidCents ${r.totalPaidCents} does not balance: claims paid ${paid} minus provider adjustments ${plb}`,
      'BALANCE',
    );
  }
  if (r.totalPaidCents < 0) throw new X12Error(bprPosition, 'BPR', 'BPR02 cannot be negative', 'BALANCE');
  const payment = toDate8(r.paymentDate);
  if (r.totalPaidCents > 0) {
    w.add('BPR', 'I', formatCents(r.totalPaidCents), 'C', 'ACH', 'CCP', '01', '999999999', 'DA', '000000000',
      opts.payer.companyId, '', '01', '999999999', 'DA', '000000001', payment);
  } else {
    const bpr: string[] = ['H', '0', 'C', 'NON'];
    while (bpr.length < 15) bpr.push('');
    w.add('BPR', ...bpr, payment);
  }
  w.add('TRN', '1', r.traceNumber, opts.payer.companyId);
  w.add('DTM', '405', toDate8(r.adjudicationDate));
  w.add('N1', 'PR', opts.payer.name);
  w.add('REF', '2U', opts.payer.id ?? r.payerId);
  w.add('N1', 'PE', opts.payee.name, 'XX', r.payeeNpi ?? opts.payee.npi);
  if (opts.payee.taxId) w.add('REF', 'TJ', opts.payee.taxId);
  const filing = opts.claimFilingIndicator ?? filingIndicator(r.payerId);
  if (r.claims.length) w.add('LX', '1');
  for (const c of r.claims) {
    const clpPosition = w.segments.length + 1;
    const casTotal = sum(c.adjustments ?? []) + (c.lines ?? []).reduce((s, l) => s + sum(l.adjustments ?? []), 0);
    if (c.chargedCents - c.paidCents !== casTotal) {
      throw new X12Error(clpPosition, 'CLP', `claim ${c.claimId} does not balance: charged - paid != adjustments`, 'BALANCE');
    }
    w.add('CLP', c.claimId, c.statusCode, formatCents(c.chargedCents), formatCents(c.paidCents),
      formatCents(c.patientResponsibilityCents ?? 0), filing, c.payerClaimControlNumber);
    writeCas(w, c.adjustments ?? []);
    const remarks = c.remarks ?? [];
    if (remarks.length > 5) throw new X12Error(w.segments.length + 1, 'MOA', 'more than 5 claim remarks', 'CONTENT');
    if (remarks.length) w.add('MOA', '', '', ...remarks);
    for (const l of c.lines ?? []) {
      if (l.chargedCents - l.paidCents !== sum(l.adjustments ?? [])) {
        throw new X12Error(w.segments.length + 1, 'SVC', `line ${l.cpt} of claim ${c.claimId} does not balance`, 'BALANCE');
      }
      w.add('SVC', w.comp('HC', l.cpt, ...(l.modifiers ?? [])), formatCents(l.chargedCents), formatCents(l.paidCents),
        '', formatDecimal(l.units ?? 1));
      if (l.serviceDate) w.add('DTM', '472', toDate8(l.serviceDate));
      writeCas(w, l.adjustments ?? []);
      if (l.lineNumber !== undefined) w.add('REF', '6R', String(l.lineNumber));
      if (l.allowedCents !== undefined) w.add('AMT', 'B6', formatCents(l.allowedCents));
      for (const rk of l.remarks ?? []) w.add('LQ', 'HE', rk);
    }
  }
  const adjs = r.providerAdjustments ?? [];
  const fiscal = `${r.paymentDate.slice(0, 4)}1231`;
  for (let i = 0; i < adjs.length; i += 6) {
    const pairs = adjs.slice(i, i + 6).flatMap((a) => [w.comp(a.reasonCode, a.reference), formatCents(a.amountCents)]);
    w.add('PLB', opts.payee.npi, fiscal, ...pairs);
  }
  close();
  return w.toString();
}

/** CAS segments: consecutive adjustments of one group share a segment, at most 6 per segment. */
function writeCas(w: SegmentWriter, adjs: Adjustment[]): void {
  let i = 0;
  while (i < adjs.length) {
    const group = adjs[i].group;
    const run: Adjustment[] = [];
    while (i < adjs.length && adjs[i].group === group && run.length < 6) run.push(adjs[i++]);
    w.add('CAS', group, ...run.flatMap((a) => [a.carc, formatCents(a.amountCents), a.quantity === undefined ? '' : formatDecimal(a.quantity)]));
  }
}
