/**
 * `npm run bench:contracts [-- --rows 10000 --runs 5]`: importing a fee schedule of N rows (CSV) into
 * a practice contract, three ways:
 *  - API: `PUT /api/practices/:practiceId/contracts/:payerId/:year` with `text/csv` through the real
 *    app (`inject`: auth, scope, parsing, validation, one transaction);
 *  - CLI in-process: `rcm contracts import` through the dispatcher (parse, validate, connect, migrate
 *    check, store), without the process start;
 *  - CLI process: `node bin/rcm.cjs contracts import …` as a shell runs it (tsx start included).
 * Each run changes the prices, so each stores a new version. Also the time to refuse a file whose
 * last row is bad (nothing stored). Prints the figures; no assertion.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { attach, intArg, percentile, startServers } from './env';
import { registerCommand, runCli } from '../cli/main';
import { contractsCommand } from '../cli/contracts';
import { DEMO_PRACTICE_ID } from '../db/seed';

const log = (line: string) => process.stdout.write(`${line}\n`);

function csv(rows: number, run: number, badLast = false): string {
  const lines = ['cpt,modifier,allowable,kind'];
  for (let i = 0; i < rows; i++) {
    const cpt = String(10000 + (i % 90000)).padStart(5, '0');
    const modifier = i >= 90000 ? 'RT' : '';
    lines.push(`${cpt},${modifier},${(100 + run + (i % 1000) / 100).toFixed(2)},fee`);
  }
  if (badLast) lines[lines.length - 1] = '99999,,12.345,fee';
  return `${lines.join('\n')}\n`;
}

const summary = (label: string, ms: number[], rows: number) => {
  const s = [...ms].sort((a, b) => a - b);
  log(`${label}: ${ms.length} runs of ${rows.toLocaleString('en-US')} rows: ${ms.map((m) => m.toFixed(0)).join(', ')} ms; median ${percentile(s, 50).toFixed(0)} ms (${Math.round((rows / percentile(s, 50)) * 1000).toLocaleString('en-US')} rows/s)`);
};

async function main() {
  const rows = intArg('rows', 10_000);
  const runs = intArg('runs', 5);
  const servers = await startServers('contracts');
  const env = await attach(servers, { worker: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'rcm-bench-contracts-'));
  registerCommand(contractsCommand);
  try {
    const year = 2030;
    let version = 0;
    const payerId = 'BENCH-PAYER';
    await env.db('payers').insert({ id: payerId, name: 'Bench payer', type: 'COMMERCIAL', policy: {} });
    const url = `/api/practices/${DEMO_PRACTICE_ID}/contracts/${payerId}/${year}`;
    const bytes = Buffer.byteLength(csv(rows, 0));
    log(`fee schedule: ${rows.toLocaleString('en-US')} rows, ${(bytes / 1024).toFixed(0)} KiB`);

    const api: number[] = [];
    for (let r = 0; r < runs; r++) {
      const body = csv(rows, r);
      const t0 = performance.now();
      const res = await env.app.inject({ method: 'PUT', url, headers: { ...env.auth, 'content-type': 'text/csv' }, payload: body });
      api.push(performance.now() - t0);
      if (res.statusCode !== 201) throw new Error(`PUT answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      version = res.json().contract.version;
    }
    summary('API PUT text/csv', api, rows);

    const bad = csv(rows, 99, true);
    const t0 = performance.now();
    const refused = await env.app.inject({ method: 'PUT', url, headers: { ...env.auth, 'content-type': 'text/csv' }, payload: bad });
    log(`API PUT of a file whose last row is bad: ${refused.statusCode} in ${(performance.now() - t0).toFixed(0)} ms (${refused.json().message})`);

    const inProcess: number[] = [];
    for (let r = 0; r < runs; r++) {
      const file = path.join(dir, `fees-${r}.csv`);
      writeFileSync(file, csv(rows, 100 + r));
      const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), cwd: dir };
      const t1 = performance.now();
      const code = await runCli(['contracts', 'import', file, '--practice', DEMO_PRACTICE_ID, '--payer', payerId, '--year', String(year), '--database-url', servers.databaseUrl], io);
      inProcess.push(performance.now() - t1);
      if (code !== 0) throw new Error(`rcm contracts import exited ${code}`);
    }
    summary('CLI in-process (rcm contracts import)', inProcess, rows);

    const processes: number[] = [];
    let progress = '';
    for (let r = 0; r < runs; r++) {
      const file = path.join(dir, `fees-p${r}.csv`);
      writeFileSync(file, csv(rows, 200 + r));
      const t2 = performance.now();
      const out = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/rcm.cjs'), 'contracts', 'import', file, '--practice', DEMO_PRACTICE_ID, '--payer', payerId, '--year', String(year), '--database-url', servers.databaseUrl], { encoding: 'utf8' });
      processes.push(performance.now() - t2);
      if (out.status !== 0) throw new Error(`rcm contracts import exited ${out.status}: ${out.stderr}`);
      progress = `${out.stderr.trim().split('\n').join(' | ')} | ${out.stdout.trim()}`;
    }
    summary('CLI process (node bin/rcm.cjs contracts import)', processes, rows);
    log(`last CLI output: ${progress}`);
    const versions = await env.db('payer_contracts').where({ practice_id: DEMO_PRACTICE_ID, payer_id: payerId, year }).count<{ n: string }[]>('* as n');
    const [fees] = await env.db('payer_contract_fees as f').join('payer_contracts as c', 'c.id', 'f.contract_id').where({ 'c.payer_id': payerId }).count<{ n: string }[]>('* as n');
    log(`versions stored: ${versions[0].n} (API ${version}, CLI ${runs * 2}); fee rows stored: ${Number(fees.n).toLocaleString('en-US')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await env.close();
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:contracts failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
