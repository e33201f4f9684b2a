/**
 * Checks on an inbound 835 that sit beside the 835 reader (parse-835.ts) rather than inside it:
 * - every element storable as text (no NUL, no lone surrogate), else an X12Error with the segment
 *   position, so such a file is rejected whole like any malformed file;
 * - the payer each transaction set names itself (REF*2U, else N1*PR N104, else TRN03), whatever
 *   payer id the caller maps it to: half of the idempotency key of a claim payment.
 */
import { X12Error } from './errors';
import { el, tokenize, type Segment } from './tokenize';
import { unsafeTextReason } from '../domain/primitives';

/** Throw an X12Error at the first segment with an element PostgreSQL or Temporal cannot hold. */
export function assertStorableX12(text: string): void {
  // Fast path: nothing to look for.
  if (!/[\u0000\uD800-\uDFFF]/.test(text)) return;
  let last: Segment | undefined;
  for (const seg of tokenize(text)) {
    last = seg;
    for (let i = 1; i < seg.elements.length; i++) {
      const reason = unsafeTextReason(seg.elements[i]);
      if (reason) throw new X12Error(seg.position, seg.id, `${seg.id}${String(i).padStart(2, '0')} ${reason}`, 'SYNTAX');
    }
    const idReason = unsafeTextReason(seg.id);
    if (idReason) throw new X12Error(seg.position, '(unreadable)', `segment id ${idReason}`, 'SYNTAX');
  }
  // A NUL or surrogate used as a delimiter: the tokenizer accepted it, the text cannot be stored.
  throw new X12Error(last?.position ?? 1, last?.id ?? 'ISA', 'the file contains a NUL character or a lone surrogate', 'SYNTAX');
}

/**
 * The payer each transaction set (in file order) names itself: REF*2U, else N1*PR N104, else
 * TRN03 (the payer's originating company id), else '' when it says nothing, with the position of
 * its ST segment. Call after the file has parsed (the envelope is valid).
 */
export function payersInFile835(text: string): Array<{ payerInFile: string; stPosition: number }> {
  const out: Array<{ payerInFile: string; stPosition: number }> = [];
  let stPosition = 0;
  let ref2u = '';
  let n1pr = '';
  let trn03 = '';
  let inHeader = false;
  for (const seg of tokenize(text)) {
    switch (seg.id) {
      case 'ST':
        ref2u = n1pr = trn03 = '';
        inHeader = true;
        stPosition = seg.position;
        break;
      case 'TRN':
        if (inHeader) trn03 = el(seg, 3);
        break;
      case 'REF':
        if (inHeader && el(seg, 1) === '2U') ref2u = el(seg, 2);
        break;
      case 'N1':
        if (inHeader && el(seg, 1) === 'PR' && el(seg, 3) && el(seg, 4)) n1pr = el(seg, 4);
        if (el(seg, 1) === 'PE') inHeader = false;
        break;
      case 'LX':
      case 'CLP':
        inHeader = false;
        break;
      case 'SE':
        out.push({ payerInFile: ref2u || n1pr || trn03, stPosition });
        break;
    }
  }
  return out;
}
