/**
 * `rcm contracts import FILE --practice P --payer X --year Y`: a fee-schedule CSV (the columns of
 * domain/contract-csv.ts) stored as a new version of the practice's contract with the payer for
 * the year, on the database directly (like `rcm users`). Prints a progress line as it reads and
 * stores; a file with an error stores nothing and every error names its row and column.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIo, type Command } from './main';
import { take, withDatabase } from './users';
import { describeCsvError, parseFeeScheduleCsv } from '../domain/contract-csv';
import { ContractError, saveFeeScheduleVersion } from '../db/contracts';
import { BusinessId } from '../domain/primitives';

const USAGE = `usage: rcm contracts import FILE --practice PRACTICE_ID --payer PAYER_ID --year YYYY [--database-url URL]

Stores FILE (CSV, header row: cpt,modifier,allowable[,kind]; allowable in dollars per unit,
modifier only where the payer prices the code with it apart, kind fee or imaging_guidance) as a new
version of the practice's contract with the payer for the year. The contract's other terms (MPR,
bilateral %, timely filing, appeal window, prior-auth families) are carried over from its latest
version. A file with any error stores nothing; each error names its row (the header is row 1) and
column. The same file imported twice stores one version. The database is DATABASE_URL, else the
embedded PostgreSQL of \`npm start\`.
Exit codes: 0 stored (or unchanged), 1 the file has errors, 2 bad usage, 3 internal error.`;

export const contractsCommand: Command = {
  name: 'contracts',
  summary: 'import a payer fee schedule (CSV) into a practice contract (on the database directly)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = [...argv];
    const sub = args.shift();
    if (sub !== 'import') throw new CliError(`expected import${sub ? `, got "${sub}"` : ''}\n${USAGE}`);
    const dbUrl = take(args, '--database-url');
    const practiceId = take(args, '--practice');
    const payerId = take(args, '--payer');
    const yearText = take(args, '--year');
    if (args.length !== 1 || args[0].startsWith('--')) throw new CliError(`expected one FILE${args.length > 1 ? `, got ${args.join(' ')}` : ''}\n${USAGE}`);
    if (!practiceId || !BusinessId.safeParse(practiceId).success) throw new CliError('--practice: a practice id is required');
    if (!payerId || !BusinessId.safeParse(payerId).success) throw new CliError('--payer: a payer id is required');
    if (!yearText || !/^\d{4}$/.test(yearText) || Number(yearText) < 2000 || Number(yearText) > 2100) throw new CliError('--year: a year 2000–2100 is required');
    const year = Number(yearText);
    const file = path.resolve(io.cwd, args[0]);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const started = Date.now();
    const progress = (line: string) => io.stderr.write(io.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
    const parsed = parseFeeScheduleCsv(text, (n) => {
      if (io.stderr.isTTY || n % 5000 === 0) progress(`rcm contracts: ${path.basename(file)}: ${n} rows read`);
    });
    if (!parsed.ok) {
      if (io.stderr.isTTY) io.stderr.write('\n');
      for (const e of parsed.errors) io.stderr.write(`${path.basename(file)}: ${describeCsvError(e)}\n`);
      io.stderr.write(`rcm contracts: ${parsed.errors.length} error(s); nothing stored\n`);
      return EXIT_FINDINGS;
    }
    progress(`rcm contracts: ${path.basename(file)}: ${parsed.rows} rows valid; storing ${practiceId} × ${payerId} × ${year}…`);
    if (io.stderr.isTTY) io.stderr.write('\n');
    const key = { practiceId, payerId, year };
    const result = await withDatabase(dbUrl, async (db) => {
      try {
        return await saveFeeScheduleVersion(db, key, parsed, { source: 'cli', createdBy: 'cli' });
      } catch (err) {
        if (err instanceof ContractError) throw new CliError(`--${err.field === 'practiceId' ? 'practice' : 'payer'}: ${err.message}`);
        throw err;
      }
    });
    const c = result.contract;
    io.stdout.write(
      result.created
        ? `stored version ${c.version} of the ${year} ${payerId} contract of ${practiceId}: ${c.feeCount} fees (${parsed.rows} rows) in ${((Date.now() - started) / 1000).toFixed(2)} s\n`
        : `unchanged: version ${c.version} of the ${year} ${payerId} contract of ${practiceId} already holds these ${c.feeCount} fees\n`,
    );
    return EXIT_OK;
  },
};
