/**
 * The fee-schedule CSV of a contract (`PUT …/contracts/:payerId/:year` with `text/csv`, and
 * `rcm contracts import`). Columns (header row required, names case-insensitive, any order):
 *
 *   cpt        required  5 characters (64483, C1607)
 *   modifier   optional  2 characters when the payer prices the code with it apart (e.g. 50); empty otherwise
 *   allowable  required  dollars per unit, at most two decimals (812.40)
 *   kind       optional  `fee` (default) or `imaging_guidance` (POST-4 allowable of a guidance code)
 *
 * Rows are numbered as a spreadsheet numbers them: the header is row 1, the first fee row 2.
 * Every error names its row and column; a file with any error is refused whole. Tokenizing is
 * csv-parse's (quotes, CRLF, BOM); this module checks the values. No I/O.
 */
import { parse } from 'csv-parse/sync';
import { CPT_PATTERN, MODIFIER_PATTERN, type ContractBody } from './practice-contract';
import { unsafeTextReason } from './primitives';

export const CSV_COLUMNS = ['cpt', 'modifier', 'allowable', 'kind'] as const;
export const MAX_CSV_ROWS = 50_000;
const MAX_ERRORS = 50;

export interface CsvRowError {
  /** 1-based line of the file (the header is row 1). */
  row: number;
  /** The column at fault, by its header name; null for a row whose shape is wrong. */
  column: string | null;
  message: string;
}

export type FeeCsvResult =
  | { ok: true; rows: number; fees: NonNullable<ContractBody['fees']>; imagingGuidance: NonNullable<ContractBody['imagingGuidance']> }
  | { ok: false; errors: CsvRowError[] };

const AMOUNT = /^\d{1,10}(\.\d{1,2})?$/;

/** Dollars ("812.4", "812.40", "812") to integer cents without floating point. */
export function dollarsToCents(text: string): number {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function describeCsvError(e: CsvRowError): string {
  return `row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${e.message}`;
}

export function parseFeeScheduleCsv(text: string, onProgress?: (rowsRead: number) => void): FeeCsvResult {
  const unsafe = unsafeTextReason(text);
  if (unsafe) {
    const before = text.slice(0, text.search(/[\u0000\uD800-\uDFFF]/));
    return { ok: false, errors: [{ row: before.split('\n').length, column: null, message: `the file ${unsafe}` }] };
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as never;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return { ok: false, errors: [{ row: e.lines ?? 1, column: null, message: `not readable as CSV: ${(e.message ?? 'malformed').replace(/^Invalid Record Length: /, '').slice(0, 200)}` }] };
  }
  if (records.length === 0) return { ok: false, errors: [{ row: 1, column: null, message: `the file is empty: expected a header row (${CSV_COLUMNS.join(',')})` }] };

  const errors: CsvRowError[] = [];
  const header = records[0].record.map((h) => h.toLowerCase());
  const headerRow = records[0].info.lines;
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) errors.push({ row: headerRow, column: h || `#${i + 1}`, message: `unknown column "${h.slice(0, 40)}": expected ${CSV_COLUMNS.join(', ')}` });
    else if (header.indexOf(h) !== i) errors.push({ row: headerRow, column: h, message: `column ${h} appears twice` });
  });
  for (const required of ['cpt', 'allowable']) {
    if (!header.includes(required)) errors.push({ row: headerRow, column: required, message: `the header has no ${required} column (columns: ${CSV_COLUMNS.join(', ')}; modifier and kind optional)` });
  }
  if (errors.length) return { ok: false, errors };
  if (records.length - 1 > MAX_CSV_ROWS) return { ok: false, errors: [{ row: records[MAX_CSV_ROWS + 1].info.lines, column: null, message: `more than ${MAX_CSV_ROWS} fee rows` }] };

  const col = (name: string) => header.indexOf(name);
  const [iCpt, iMod, iAmt, iKind] = [col('cpt'), col('modifier'), col('allowable'), col('kind')];
  const fees: NonNullable<ContractBody['fees']> = [];
  const imagingGuidance: NonNullable<ContractBody['imagingGuidance']> = [];
  const seen = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const row = info.lines;
    const err = (column: string | null, message: string) => {
      if (errors.length < MAX_ERRORS) errors.push({ row, column, message });
    };
    if (r % 1000 === 0) onProgress?.(r);
    if (record.length !== header.length) {
      err(null, `${record.length} values, the header has ${header.length} columns`);
      continue;
    }
    const cpt = record[iCpt].toUpperCase();
    const modifier = iMod >= 0 ? record[iMod].toUpperCase() : '';
    const amount = record[iAmt].replace(/^\$/, '');
    const kind = iKind >= 0 ? record[iKind].toLowerCase() || 'fee' : 'fee';
    if (!CPT_PATTERN.test(cpt)) err('cpt', cpt ? `"${cpt.slice(0, 20)}" is not a CPT/HCPCS code (5 characters, e.g. 64483 or C1607)` : 'empty: a CPT/HCPCS code is required');
    if (modifier && !MODIFIER_PATTERN.test(modifier)) err('modifier', `"${modifier.slice(0, 20)}" is not a modifier (2 characters, e.g. 50)`);
    if (!AMOUNT.test(amount)) err('allowable', amount ? `"${amount.slice(0, 20)}" is not an amount in dollars with at most two decimals (e.g. 812.40)` : 'empty: an allowable in dollars is required');
    if (kind !== 'fee' && kind !== 'imaging_guidance') err('kind', `"${kind.slice(0, 20)}" is not a kind: fee or imaging_guidance`);
    if (kind === 'imaging_guidance' && modifier) err('modifier', 'an imaging_guidance row is priced without a modifier');
    const key = `${cpt}:${kind === 'imaging_guidance' ? '' : modifier}`;
    const first = seen.get(key);
    if (first !== undefined) err('cpt', `${cpt}${modifier ? ` with modifier ${modifier}` : ''} is already priced on row ${first}`);
    else seen.set(key, row);
    if (errors.length) continue;
    const allowableCents = dollarsToCents(amount);
    if (kind === 'imaging_guidance') imagingGuidance.push({ cpt, allowableCents });
    else fees.push({ cpt, ...(modifier ? { modifier } : {}), allowableCents });
  }
  if ((records.length - 1) % 1000 !== 0) onProgress?.(records.length - 1);
  if (errors.length) return { ok: false, errors };
  return { ok: true, rows: records.length - 1, fees, imagingGuidance };
}

/** A fee schedule as CSV, in the import's format (GET with `Accept: text/csv`, bench data). */
export function feeScheduleCsv(fees: Array<{ cpt: string; modifier?: string; allowableCents: number; imagingGuidance?: boolean }>): string {
  const money = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  return ['cpt,modifier,allowable,kind', ...fees.map((f) => `${f.cpt},${f.modifier ?? ''},${money(f.allowableCents)},${f.imagingGuidance ? 'imaging_guidance' : 'fee'}`)].join('\n') + '\n';
}
