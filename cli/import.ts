/**
 * `rcm import claims FILE.jsonl`: bulk import of open claims already submitted by another system
 * (ingest/claim-import.ts). Talks to PostgreSQL (practices, payers, existing claims) and Temporal
 * (starts the claim workflows) directly, so a migration of tens of thousands of claims does not go
 * through the API's body limit. Streams the file (constant memory), at most --concurrency starts in
 * flight, a progress line on stderr, resumable (a second run skips what exists), refused rows
 * reported by line number and field (never values) and written to --report.
 */
import { createReadStream, existsSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIo, type Command } from './main';
import { databaseUrl, take } from './users';
import { createDb, migrateLatest } from '../db/knex';
import { loadConfig } from '../lib/config';
import { resolveEncryptionKeys } from '../lib/codec';
import { createTemporalClient } from '../lib/temporal-client';
import { importClaims, type ImportProgress } from '../ingest/claim-import';

const USAGE = `usage: rcm import claims FILE.jsonl [--concurrency N] [--actor NAME] [--report PATH] [--database-url URL]

One JSON object per line: {"claim": <claim document>, "submittedAt": "<ISO instant>",
"payerClaimControlNumber": "…"}. Each valid row starts a claim workflow that records the
submission as it happened and plans the AR follow-up (AR-1/AR-2) from submittedAt; nothing is
scrubbed or sent again. A claim that already exists is skipped, so running the same file again
resumes an interrupted import. Refused rows are listed with their line number and the fields at
fault (never their values) and written as JSON to --report (default FILE.refused.json).

Connects to DATABASE_URL (else npm start's embedded PostgreSQL, RCM_EMBEDDED_PG_PORT) and to
TEMPORAL_ADDRESS (else npm start's dev server, 127.0.0.1:RCM_TEMPORAL_PORT) with the payload
keys of RCM_ENCRYPTION_KEYS (else RCM_DATA_DIR/encryption-key, which must exist). --concurrency: workflow starts in
flight (default 32). Exit codes: 0 every row imported or already there, 1 some rows refused,
2 bad usage or unreadable file, 3 internal error (an outage: run it again to resume).`;

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

export const importCommand: Command = {
  name: 'import',
  summary: 'import open claims already submitted elsewhere (rcm import claims FILE.jsonl)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = [...argv];
    const what = args.shift();
    if (what !== 'claims') throw new CliError(`expected "claims" after import${what ? `, got "${what}"` : ''}`);
    const concurrencyText = take(args, '--concurrency') ?? '32';
    const concurrency = Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 512) throw new CliError(`--concurrency: expected 1–512, got "${concurrencyText}"`);
    const actor = take(args, '--actor') ?? 'import';
    const reportOption = take(args, '--report');
    const dbUrl = take(args, '--database-url');
    const file = args.shift();
    if (!file) throw new CliError('FILE: the JSON Lines file to import is required');
    if (args.length) throw new CliError(`unexpected argument "${args[0]}"`);
    const filePath = path.resolve(io.cwd, file);
    const size = await stat(filePath).then(
      (s) => s.size,
      () => {
        throw new CliError(`FILE: cannot read ${file}`);
      },
    );

    const config = loadConfig();
    const { url, where } = databaseUrl(dbUrl);
    const db = createDb(url, { max: 4 });
    const temporalAddress = config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`;
    let client: Awaited<ReturnType<typeof createTemporalClient>> | undefined;
    try {
      try {
        await migrateLatest(db);
      } catch (err) {
        throw new CliError(`cannot use ${where}: ${(err as Error).message.split('\n')[0]}`);
      }
      if (!config.encryptionKeys?.length && !existsSync(path.join(config.dataDir, 'encryption-key'))) {
        // A new key here would encrypt the claims with a key the workers do not have.
        throw new CliError(`no payload key: set RCM_ENCRYPTION_KEYS, or RCM_DATA_DIR to the data directory of \`npm start\` (${config.dataDir} has no encryption-key)`);
      }
      try {
        client = await createTemporalClient(temporalAddress, config.temporalNamespace, resolveEncryptionKeys(config.encryptionKeys, config.dataDir));
      } catch (err) {
        throw new CliError(`cannot reach Temporal at ${temporalAddress} (is \`npm start\` running?): ${(err as Error).message.split('\n')[0]}`);
      }
      const input = createReadStream(filePath, { encoding: 'utf8' });
      const started = Date.now();
      let lastPrint = 0;
      const progress = (p: ImportProgress, final = false) => {
        const t = Date.now();
        if (!final && t - lastPrint < 500) return;
        lastPrint = t;
        const secs = Math.max((t - started) / 1000, 0.001);
        const pct = size ? Math.min(100, Math.round((input.bytesRead / size) * 100)) : 100;
        const line = `import: ${pct}% · ${plural(p.read, 'row')} read · ${p.started.toLocaleString('en-US')} started · ${p.existing.toLocaleString('en-US')} already there · ${p.refused.toLocaleString('en-US')} refused · ${(p.started / secs).toFixed(1)} claims/s`;
        io.stderr.write(io.stderr.isTTY ? `\r${line}\u001b[K${final ? '\n' : ''}` : `${line}\n`);
      };
      const report = await importClaims({ db, temporal: client, actor, concurrency, onProgress: (p) => progress(p) }, createInterface({ input, crlfDelay: Infinity }));
      progress(report, true);
      const seconds = (Date.now() - started) / 1000;
      io.stdout.write(`${plural(report.started, 'claim')} started, ${report.existing.toLocaleString('en-US')} already there, ${report.refused.toLocaleString('en-US')} refused, in ${seconds.toFixed(1)} s\n`);
      if (report.refused) {
        const reportPath = path.resolve(io.cwd, reportOption ?? `${file}.refused.json`);
        await writeFile(reportPath, JSON.stringify(report.refusedRows, null, 2), { mode: 0o600 });
        for (const r of report.refusedRows.slice(0, 20)) {
          io.stdout.write(`  line ${r.line}${r.claimId ? ` (${r.claimId})` : ''}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}\n`);
        }
        if (report.refused > 20) io.stdout.write(`  … ${report.refused - 20} more\n`);
        io.stdout.write(`refused rows: ${reportPath}\n`);
        return EXIT_FINDINGS;
      }
      return EXIT_OK;
    } finally {
      await client?.connection.close();
      await db.destroy();
    }
  },
};
