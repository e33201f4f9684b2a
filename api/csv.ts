/** CSV answers of the list routes (worklist, claims, denials, AR aging): RFC 4180, spreadsheet-safe. */
import type { FastifyReply } from 'fastify';

export const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
  // Text is always quoted (RFC 4180), numbers are not; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return typeof v === 'number' ? safe : `"${safe.replace(/"/g, '""')}"`;
};

/** Cents as dollars with two decimals, a number cell. */
export const dollars = (cents: unknown) => Number((Number(cents ?? 0) / 100).toFixed(2));

/** Sends `rows` under `header` as an attachment named `name`.csv. */
export function sendCsv(reply: FastifyReply, name: string, header: string[], rows: unknown[][]) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`)
    .send([header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\r\n') + '\r\n');
}
