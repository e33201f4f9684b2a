/** Exact conversions between X12 element values and the model: cents, dates, numbers. */
import { X12Error } from './errors';
import type { Segment } from './tokenize';

/**
 * What an error may say about a bad element value: its length and the kinds of characters in it,
 * never the value (an element in the wrong place can be a member id, a name or a birth date).
 */
export function describeValue(value: string): string {
  if (value === '') return 'empty';
  const kinds = [/[0-9]/.test(value) && 'digits', /[A-Za-z]/.test(value) && 'letters', /[^0-9A-Za-z]/.test(value) && 'other characters'].filter(Boolean);
  return `${value.length} characters: ${kinds.join(', ')}; value withheld`;
}

const AMOUNT = /^(-)?(\d{0,13})(?:\.(\d*))?$/;

/** Parse an X12 decimal (R) string into integer cents without floating point. */
export function parseCents(value: string, seg: Segment, element: string): number {
  const m = AMOUNT.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new X12Error(seg.position, seg.id, `${element} is not an amount (${describeValue(value)})`, 'SYNTAX');
  }
  const frac = m[3] ?? '';
  if (frac.length > 2 && /[^0]/.test(frac.slice(2))) {
    throw new X12Error(seg.position, seg.id, `${element} has fractions of a cent`, 'SYNTAX');
  }
  const cents = Number(m[2] || '0') * 100 + Number((frac + '00').slice(0, 2));
  return m[1] && cents !== 0 ? -cents : cents;
}

/** Integer cents as an X12 decimal: 15000 -> "150", 15050 -> "150.5", -1234 -> "-12.34". */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not integer cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  if (frac === 0) return `${sign}${whole}`;
  const f = String(frac).padStart(2, '0');
  return `${sign}${whole}.${f.endsWith('0') ? f[0] : f}`;
}

/** CCYYMMDD -> YYYY-MM-DD, refusing dates that do not exist. */
export function parseDate8(value: string, seg: Segment, element: string): string {
  if (!/^\d{8}$/.test(value)) {
    throw new X12Error(seg.position, seg.id, `${element} is not a date CCYYMMDD (${describeValue(value)})`, 'SYNTAX');
  }
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) {
    throw new X12Error(seg.position, seg.id, `${element} is not a calendar date`, 'SYNTAX');
  }
  return iso;
}

export function toDate8(iso: string): string {
  return iso.slice(0, 10).replace(/-/g, '');
}

/** Decimal number (units, quantities): plain decimal text only. */
export function parseDecimal(value: string, seg: Segment, element: string): number {
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(value)) {
    throw new X12Error(seg.position, seg.id, `${element} is not a number (${describeValue(value)})`, 'SYNTAX');
  }
  return Number(value);
}

export function formatDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const s = String(n);
  if (/e/i.test(s)) return n.toFixed(6).replace(/\.?0+$/, '');
  return s;
}

/** Claim filing indicator (837P SBR09, 835 CLP06) from the product's payer key: MB, MC, 16, else CI. */
export function filingIndicator(payerId: string): string {
  if (payerId === 'MEDICARE') return 'MB';
  if (payerId === 'MEDICAID') return 'MC';
  if (payerId === 'MEDICARE_ADVANTAGE') return '16';
  return 'CI';
}
