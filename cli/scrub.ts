/**
 * `rcm scrub FILE|-`: scrub one case, an array of cases, or JSON lines (CONTRACTS.md "Scrub").
 * Output: JSON (one object for one case, an array for several), JSON lines with --jsonl, or a
 * table for people with --format table. Exit 1 if any case has errors, 2 on unreadable or
 * invalid input (the message names the case and the JSON path).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ScrubResult, scrubClaim, validateScrubCase } from '../domain/scrub';
import { type CliIo, type Command, CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './main';

const USAGE = `Usage: rcm scrub FILE|- [--jsonl] [--format json|jsonl|table]

Scrubs claims before submission: every CODE, CHG and SUB rule plus the claim-time AUTH-2/3/8 checks.

Input (FILE, or - for standard input), any of:
  one scrub case        { "claim": {...}, "context": {...} }
  an array of cases     [ { "claim": ... }, ... ]
  JSON lines            one case per line

Options:
  --jsonl               print one result per line
  --format FORMAT       json (default), jsonl, or table (readable, for people)
  -h, --help            show this help

Exit codes: 0 no case has errors, 1 some case has errors, 2 unreadable or invalid input.
The JSON Schema of a case is schemas/scrub-case.schema.json.
`;

/** Batches at least this large get a progress bar on stderr when it is a terminal. */
export const PROGRESS_MIN_CASES = 1000;
const MAX_REPORTED_ISSUES = 20;

type Format = 'json' | 'jsonl' | 'table';
type Shape = 'single' | 'array' | 'lines';

/** One input case and where it came from, for error messages. */
interface RawCase {
  value: unknown;
  /** `case 3` (array index), `line 7` (JSON lines), or empty for a single case. */
  where: string;
}

function parseArgs(args: string[]): { file: string; format: Format } {
  let file: string | undefined;
  let format: Format = 'json';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--jsonl') format = 'jsonl';
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (value !== 'json' && value !== 'jsonl' && value !== 'table') {
        throw new CliError(`--format must be json, jsonl or table (got ${value === undefined ? 'nothing' : `'${value}'`})`);
      }
      format = value;
    } else if (arg === '-' || !arg.startsWith('-')) {
      if (file !== undefined) throw new CliError(`one input only (got '${file}' and '${arg}')`);
      file = arg;
    } else throw new CliError(`unknown option '${arg}'\n\n${USAGE}`);
  }
  if (file === undefined) throw new CliError(`missing input FILE (or - for standard input)\n\n${USAGE}`);
  return { file, format };
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new CliError(`cannot read ${file}: ${reason}`);
  }
}

/** Node's JSON.parse messages carry "position N"; turn that into line:column. */
function describeJsonError(err: unknown, text: string, lineOffset = 0): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const position = Number(m[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length + lineOffset;
  const column = position - before.lastIndexOf('\n');
  return `${message.replace(/\s*\(line \d+ column \d+\)/, '')} (line ${line}, column ${column})`;
}

/** Split the input into cases: one JSON value (object or array) or JSON lines. */
export function parseCases(text: string): { shape: Shape; cases: RawCase[] } {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new CliError('the input is empty: expected a scrub case, an array of cases, or JSON lines');
  let whole: unknown;
  let wholeError: unknown;
  try {
    whole = JSON.parse(body);
  } catch (err) {
    wholeError = err;
  }
  if (wholeError === undefined) {
    if (Array.isArray(whole)) {
      if (whole.length === 0) throw new CliError('the input is an empty array: no cases to scrub');
      return { shape: 'array', cases: whole.map((value, i) => ({ value, where: `case ${i}` })) };
    }
    return { shape: 'single', cases: [{ value: whole, where: '' }] };
  }
  // Not one JSON value: JSON lines, if the first non-empty line is a value on its own.
  const lines = body.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== '');
  let firstValue: unknown;
  try {
    firstValue = JSON.parse(lines[first]);
  } catch {
    throw new CliError(`invalid JSON: ${describeJsonError(wholeError, body)}`);
  }
  const cases: RawCase[] = [{ value: firstValue, where: `line ${first + 1}` }];
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    try {
      cases.push({ value: JSON.parse(lines[i]), where: `line ${i + 1}` });
    } catch (err) {
      throw new CliError(`invalid JSON on line ${i + 1}: ${describeJsonError(err, lines[i], i)}`);
    }
  }
  return { shape: 'lines', cases };
}

function progressBar(io: CliIo, total: number): ((done: number) => void) & { finish(): void } {
  const enabled = io.stderr.isTTY === true && total >= PROGRESS_MIN_CASES;
  const width = 30;
  let lastPercent = -1;
  const update = (done: number) => {
    if (!enabled) return;
    const percent = Math.floor((done * 100) / total);
    if (percent === lastPercent) return;
    lastPercent = percent;
    const filled = Math.round((width * done) / total);
    io.stderr.write(`\rscrubbing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`);
  };
  return Object.assign(update, {
    finish() {
      if (enabled) io.stderr.write(`\r${' '.repeat(width + 40)}\r`);
    },
  });
}

function countBy(findings: ScrubResult['findings'], severity: string): number {
  return findings.filter((f) => f.severity === severity).length;
}

/** Readable table: one block per claim, one row per finding, fixes beneath. */
export function formatTable(results: ScrubResult[]): string {
  const out: string[] = [];
  const header = ['LINE', 'RULE', 'SEVERITY', 'MESSAGE'];
  for (const r of results) {
    const counts = [
      [countBy(r.findings, 'error'), 'error'],
      [countBy(r.findings, 'warning'), 'warning'],
      [countBy(r.findings, 'info'), 'info'],
    ]
      .filter(([n]) => (n as number) > 0)
      .map(([n, s]) => `${n} ${s}${n === 1 ? '' : 's'}`)
      .join(', ');
    out.push(`${r.claimId}  ${r.status.toUpperCase()}${counts ? `  (${counts})` : ''}`);
    if (r.findings.length === 0) {
      out.push('');
      continue;
    }
    const rows = r.findings.map((f) => [f.line === undefined ? '-' : String(f.line), f.ruleId, f.severity, f.message, f.fix]);
    const widths = [0, 1, 2].map((c) => Math.max(header[c].length, ...rows.map((row) => (row[c] as string).length)));
    const pad = (cells: string[]) => `  ${cells.slice(0, 3).map((c, i) => c.padEnd(widths[i])).join('  ')}  ${cells[3]}`;
    out.push(pad(header));
    const indent = ' '.repeat(2 + widths[0] + widths[1] + widths[2] + 6);
    for (const row of rows) {
      out.push(pad(row as string[]));
      if (row[4]) out.push(`${indent}fix: ${row[4]}`);
    }
    out.push('');
  }
  const statuses = ['clean', 'warnings', 'errors'].map((s) => `${results.filter((r) => r.status === s).length} ${s}`);
  out.push(`${results.length} claim${results.length === 1 ? '' : 's'}: ${statuses.join(', ')}`);
  return `${out.join('\n')}\n`;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  await new Promise<void>((resolveWrite, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolveWrite()));
  });
}

export const scrubCommand: Command = {
  name: 'scrub',
  summary: 'scrub claims before submission (FILE or - ; JSON, array, or JSON lines)',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { file, format } = parseArgs(args);
    const { shape, cases } = parseCases(await readInput(file, io));

    // Validate every case first: invalid input produces no results at all.
    const validated = cases.map((c) => ({ ...c, outcome: validateScrubCase(c.value) }));
    const invalid = validated.filter((c) => !c.outcome.ok);
    if (invalid.length > 0) {
      const messages: string[] = [];
      for (const c of invalid) {
        if (c.outcome.ok) continue;
        for (const issue of c.outcome.issues) messages.push(`  ${c.where ? `${c.where}: ` : ''}${issue.path}: ${issue.message}`);
      }
      const shown = messages.slice(0, MAX_REPORTED_ISSUES);
      if (messages.length > shown.length) shown.push(`  … and ${messages.length - shown.length} more`);
      const what = cases.length === 1 ? 'the input is not a valid scrub case' : `${invalid.length} of ${cases.length} cases are invalid`;
      io.stderr.write(`rcm scrub: ${what} (schema: schemas/scrub-case.schema.json)\n${shown.join('\n')}\n`);
      return EXIT_USAGE;
    }

    const progress = progressBar(io, validated.length);
    const results: ScrubResult[] = [];
    for (const c of validated) {
      if (!c.outcome.ok) continue;
      results.push(scrubClaim(c.outcome.value.claim, c.outcome.value.context));
      progress(results.length);
    }
    progress.finish();

    let text: string;
    if (format === 'table') text = formatTable(results);
    else if (format === 'jsonl') text = results.map((r) => `${JSON.stringify(r)}\n`).join('');
    else text = `${JSON.stringify(shape === 'single' ? results[0] : results, null, 2)}\n`;
    await write(io.stdout, text);
    return results.some((r) => r.status === 'errors') ? EXIT_FINDINGS : EXIT_OK;
  },
};
