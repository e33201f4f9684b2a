/**
 * `npm run bench:api [-- --practices 10 --claims 10000 --requests 300]`: p50/p95/p99 of the main
 * read routes for one practice among `practices`, each with `claims` claims in the read model (with
 * submissions, payments, adjustments, denials and an open work item for one claim in five not
 * closed), against a real embedded PostgreSQL and a Temporal dev server. Requests go through the
 * real app (`inject`: authentication, practice scope, access log) one after another, by a biller of
 * that practice: the claim list (`GET /api/claims?limit=100`), a claim's page (`GET
 * /api/claims/:id`, a different claim each time: closed ones answer from the read model alone, open
 * ones also try the live workflow query, here answered "not found" by the server since these rows
 * have no workflow), the worklist (`GET /api/work-items?practiceId=`) and the dashboard. No
 * assertion: figures to compare, measured on this machine (its load is printed).
 */
import { attach, intArg, loadLine, startServers } from './env';
import { analyzeReadModel, measureGet, seedPracticeReadModel, type Latency } from './read-model';
import { createUser } from '../db/users';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const practices = intArg('practices', 10);
  const claimsPerPractice = intArg('claims', 10_000);
  const requests = intArg('requests', 300);
  const servers = await startServers('api');
  const env = await attach(servers, { worker: false });
  try {
    const t0 = Date.now();
    for (let p = 0; p < practices; p++) await seedPracticeReadModel(env.db, `bench-a${p}`, claimsPerPractice, { workItemsEvery: 5 });
    await analyzeReadModel(env.db);
    log(`seeded ${practices} practices × ${claimsPerPractice} claims (submissions, payments, adjustments, denials, open work items) in ${Date.now() - t0} ms`);
    const target = `bench-a${Math.floor(practices / 2)}`;
    const { token } = await createUser(env.db, { name: 'bench-api-biller', role: 'biller', practiceIds: [target] });
    const headers = { authorization: `Bearer ${token}` };
    // Claim ids `<practice>-<g>`: status index g % 7 — 4 is closed.
    const claimId = (i: number, closed: boolean) => {
      const base = 7 * ((i * 37) % Math.floor(claimsPerPractice / 7 - 1)) + 7;
      return `${target}-${closed ? base + 4 : base + 1}`;
    };
    log(`${loadLine()} before measuring`);
    const results: Latency[] = [];
    const run = async (label: string, url: string | ((i: number) => string), check: (body: any) => void) => results.push(await measureGet(env.app, { label, url, headers, requests, check, log }));
    await run(`GET /api/claims?limit=100 (${target} of ${practices})`, '/api/claims?limit=100', (b) => {
      if (b.claims.length !== 100 || b.claims.some((c: { practiceId: string }) => c.practiceId !== target)) throw new Error(`claim list: expected 100 claims of ${target}`);
    });
    await run('GET /api/claims/:claimId (closed: read model only)', (i) => `/api/claims/${claimId(i, true)}`, (b) => {
      if (b.status !== 'closed' || b.liveState !== 'read_model') throw new Error(`claim get: expected a closed claim from the read model, got ${b.status}/${b.liveState}`);
    });
    await run('GET /api/claims/:claimId (open: read model + live query attempt)', (i) => `/api/claims/${claimId(i, false)}`, (b) => {
      if (b.status === 'closed') throw new Error('claim get: expected an open claim');
    });
    await run(`GET /api/work-items?practiceId=${target}`, `/api/work-items?practiceId=${target}`, (b) => {
      if (b.workItems.length !== 100) throw new Error(`worklist: expected 100 open work items, got ${b.workItems.length}`);
    });
    await run(`GET /api/dashboard?practiceId=${target}`, `/api/dashboard?practiceId=${target}`, (b) => {
      if (b.kpis.length !== 7) throw new Error('dashboard: expected 7 KPIs');
    });
    log(`${loadLine()} after measuring`);
    log('');
    log('| route | requests | p50 ms | p95 ms | p99 ms |');
    log('|---|---|---|---|---|');
    for (const r of results) log(`| ${r.label} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`);
  } finally {
    await env.close();
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:api: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
