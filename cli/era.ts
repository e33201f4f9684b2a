/**
 * `rcm era FILE|-`: ingest an X12 835. The file is parsed and validated here first (a malformed
 * file is rejected whole with the segment number, nothing sent), then posted to the running API
 * (`POST /api/remittances`), which matches claims by CLP01, posts through the claim workflows and
 * parks unmatched payments with a work item. Prints matched, unmatched and totals that reconcile
 * to BPR02.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIo, type Command } from './main';
import { parse835All, isX12Error } from '../x12';

const USAGE = `usage: rcm era FILE|- [--api URL] [--token TOKEN | --token-file PATH] [--payer PAYER_ID] [--dry-run]

Validates an X12 835 and posts it through the API (default http://localhost:3000, token from
RCM_API_TOKEN or .data/admin-token). --dry-run validates and prints totals without posting.
Exit codes: 0 posted (or valid with --dry-run), 1 some claim payments were unmatched and parked,
2 unreadable or malformed file (nothing posted), 3 internal error.`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new CliError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const dollars = (cents: number) => (cents / 100).toFixed(2);

export const eraCommand: Command = {
  name: 'era',
  summary: 'validate an X12 835 and post it to the matching claims',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = [...argv];
    const dryRun = args.includes('--dry-run');
    if (dryRun) args.splice(args.indexOf('--dry-run'), 1);
    const api = option(args, '--api') ?? process.env.RCM_API_URL ?? 'http://localhost:3000';
    const tokenFile = option(args, '--token-file');
    let token = option(args, '--token') ?? process.env.RCM_API_TOKEN;
    const payerId = option(args, '--payer');
    if (args.length !== 1) throw new CliError(`expected one FILE or -\n${USAGE}`);
    const file = args[0];
    let text: string;
    try {
      text = file === '-' ? await readAll(io.stdin) : await readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    let remittances;
    try {
      remittances = parse835All(text, { payerId });
    } catch (err) {
      if (isX12Error(err)) throw new CliError(`${file}: ${err.message} — nothing posted`);
      throw err;
    }
    const claims = remittances.reduce((s, r) => s + r.claims.length, 0);
    const paid = remittances.reduce((s, r) => s + r.claims.reduce((t, c) => t + c.paidCents, 0), 0);
    const plb = remittances.reduce((s, r) => s + r.providerAdjustments.reduce((t, p) => t + p.amountCents, 0), 0);
    const bpr = remittances.reduce((s, r) => s + r.totalPaidCents, 0);
    io.stdout.write(`${file}: ${remittances.length} remittance(s), ${claims} claim payment(s); paid ${dollars(paid)} − provider adjustments ${dollars(plb)} = BPR ${dollars(bpr)}\n`);
    if (dryRun) return EXIT_OK;

    if (!token) {
      const f = tokenFile ?? path.resolve(io.cwd, process.env.RCM_DATA_DIR ?? '.data', 'admin-token');
      try {
        token = (await readFile(f, 'utf8')).trim();
      } catch {
        throw new CliError(`no API token: pass --token, set RCM_API_TOKEN, or start the system once (npm start writes ${f})`);
      }
    }
    let res: Response;
    try {
      res = await fetch(`${api}/api/remittances${payerId ? `?payerId=${encodeURIComponent(payerId)}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
        body: text,
      });
    } catch (err) {
      throw new CliError(`cannot reach the API at ${api} (is \`npm start\` running?): ${(err as Error).message}`, 3);
    }
    const body = (await res.json().catch(() => ({}))) as { message?: string; remittances?: Array<{ remittanceKey: string; duplicate: boolean; matched: string[]; unmatched: string[] }> };
    if (!res.ok) throw new CliError(`API refused the file (${res.status}): ${body.message ?? 'no detail'}`);
    let unmatched = 0;
    for (const r of body.remittances ?? []) {
      unmatched += r.unmatched.length;
      io.stdout.write(
        `${r.remittanceKey}: ${r.duplicate ? 'already received — posted once, nothing new' : `matched ${r.matched.length}, unmatched ${r.unmatched.length} (parked with a work item)`}\n`,
      );
    }
    return unmatched > 0 ? EXIT_FINDINGS : EXIT_OK;
  },
};
