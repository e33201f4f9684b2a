/**
 * npm run bench:queries [-- --claims 10]: PostgreSQL queries per clean claim, end to end (API POST,
 * worker, payer simulator's 277CA and 835 ingest), counted with knex's `query` event on the process's
 * pool (transactions included: BEGIN, COMMIT, SAVEPOINT are queries too). One claim warms up first;
 * then N clean Medicare TFESI claims one after another, each until its workflow completes. Prints
 * queries per claim and the most frequent statements. Not timed: every query is a round trip to
 * PostgreSQL and work on its side, so the count is what this bench tracks.
 */
import { startServers, attach, intArg, type Env } from './env';
import { tfesiClaim } from '../test/fixtures';
import { claimWorkflowId } from '../contracts/claim';
import { DEMO_PRACTICE_ID } from '../db/seed';

const log = (m = '') => process.stdout.write(`${m}\n`);

async function runClaim(env: Env, claimId: string) {
  const res = await env.app.inject({ method: 'POST', url: '/api/claims', headers: env.auth, payload: tfesiClaim(claimId) });
  if (res.statusCode !== 201) throw new Error(`POST /api/claims ${claimId}: ${res.statusCode} ${res.body}`);
  const final = (await env.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).result()) as { status: string };
  if (final.status !== 'closed') throw new Error(`${claimId} ended ${final.status}, not closed`);
}

async function main() {
  const n = intArg('claims', 10);
  const servers = await startServers('queries');
  let env: Env | undefined;
  try {
    env = await attach(servers, { simulator: { ackDelayMs: 0, remitDelayMs: 0 } });
    const statements = new Map<string, number>();
    let total = 0;
    let counting = false;
    env.db.on('query', (q: { sql: string }) => {
      if (!counting) return;
      total++;
      const key = q.sql.replace(/\s+/g, ' ').slice(0, 100);
      statements.set(key, (statements.get(key) ?? 0) + 1);
    });
    const tag = Date.now().toString(36).toUpperCase();
    await runClaim(env, `BQ-${tag}-WARM`);
    await new Promise((r) => setTimeout(r, 1000)); // the warm-up claim's last writes
    counting = true;
    for (let i = 0; i < n; i++) await runClaim(env, `BQ-${tag}-${i}`);
    await new Promise((r) => setTimeout(r, 1000)); // writes after the workflow returned (none expected)
    counting = false;
    log(`PostgreSQL queries per clean claim (API + worker + simulator, ${n} claims one after another): ${(total / n).toFixed(1)}`);
    for (const [sql, count] of [...statements].sort((a, b) => b[1] - a[1])) log(`${(count / n).toFixed(1).padStart(6)}  ${sql}`);
  } finally {
    await env?.close();
    await servers.stop();
  }
}

main().then(
  () => setTimeout(() => process.exit(0), 5_000).unref(),
  (err) => {
    process.stderr.write(`bench:queries failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
