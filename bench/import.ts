/**
 * Bulk import of open claims (issue 16's target: 20,000 claims in under 15 minutes on the dev
 * server), end to end on real servers:
 *   npm run bench:import [-- --claims 20000 --concurrency 32]
 *
 * Starts a fresh embedded PostgreSQL and Temporal dev server and one worker (as `npm start` does),
 * writes a JSON Lines file of N claims submitted 10–80 days ago, runs `rcm import claims` on it
 * (the CLI, in this process), and prints: the import's wall time and claims/s (every workflow
 * started), then the time until every imported claim's workflow has recorded its submission and
 * planned its AR follow-up (the read model shows it as submitted), and the worker's peak RSS.
 * Then it runs the same file again and prints how long the resumed run took to skip everything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { attach, intArg, loadLine, MB, startServers } from './env';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import { importCommand } from '../cli/import';

const log = (m = '') => process.stdout.write(`${m}\n`);

async function main() {
  const claims = intArg('claims', 20_000);
  const concurrency = intArg('concurrency', 32);
  const servers = await startServers('import');
  const dir = mkdtempSync(path.join(tmpdir(), 'rcm-bench-import-'));
  try {
    const env = await attach(servers, { dbPool: { max: 20 } });
    const tag = Date.now().toString(36);
    const today = utcToday();
    const file = path.join(dir, 'open-claims.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < claims; i++) {
      const submittedOn = addCalendarDays(today, -(10 + (i % 70)));
      const c = tfesiClaim(`IMP-${tag}-${i}`, { serviceDate: addCalendarDays(submittedOn, -3) });
      lines.push(JSON.stringify({ claim: { ...c, patient: { ...c.patient, id: `PT-${tag}-${i}` } }, submittedAt: `${submittedOn}T14:00:00Z` }));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    process.env.DATABASE_URL = servers.databaseUrl;
    process.env.TEMPORAL_ADDRESS = servers.temporalAddress;
    process.env.RCM_ENCRYPTION_KEYS = servers.encryptionKeys;
    const run = async () => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      const t0 = Date.now();
      const code = await importCommand.run(['claims', file, '--concurrency', String(concurrency)], { stdin: new PassThrough(), stdout: out, stderr: process.stderr, cwd: dir });
      return { code, text, seconds: (Date.now() - t0) / 1000 };
    };
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
    const t0 = Date.now();
    const first = await run();
    log(`import: ${first.text.trim().split('\n')[0]} (exit ${first.code}); ${(claims / first.seconds).toFixed(1)} claims/s started`);
    for (;;) {
      const [{ n }] = await env.db('submissions').where({ gateway: 'imported' }).andWhere('claim_id', 'like', `IMP-${tag}-%`).count({ n: '*' });
      if (Number(n) >= claims) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const settled = (Date.now() - t0) / 1000;
    clearInterval(rssTimer);
    log(`every imported claim recorded as submitted with its AR plan: ${settled.toFixed(0)} s after the import began (${(claims / settled).toFixed(1)} claims/s end to end)`);
    log(`peak RSS of this process (CLI + worker + API): ${MB(peakRss)}; ${loadLine()}`);
    const second = await run();
    log(`second run of the same file (resume): ${second.text.trim().split('\n')[0]}`);
    await env.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
