/**
 * `npm run bench:kpis [-- --practices 5 --claims 10000 --requests 100]`: the dashboard's figures for
 * one practice among several (issue 15's figure). Read-model rows are inserted directly for every
 * practice — claims over the last 14 months, first submissions (some rejected), payments with
 * contractual adjustments for most, denials for some — then `GET /api/dashboard?practiceId=` (KPIs,
 * AR aging, deadlines), `GET /api/dashboard/charts` (12-month trends, denials, per provider) and `GET /api/claim-search?q=` are sent through the real app (`inject`: auth,
 * scope, access log) by a biller of that practice. Prints p50/p95/p99 in ms and the server's own
 * SQL time. No assertion: a figure to compare, measured on this machine.
 */
import { attach, intArg, startServers } from './env';
import { analyzeReadModel, measureGet, seedPracticeReadModel } from './read-model';
import { createUser } from '../db/users';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const practices = intArg('practices', 5);
  const claimsPerPractice = intArg('claims', 10_000);
  const requests = intArg('requests', 100);
  const servers = await startServers('kpis');
  const env = await attach(servers, { worker: false });
  try {
    const t0 = Date.now();
    for (let p = 0; p < practices; p++) await seedPracticeReadModel(env.db, `bench-k${p}`, claimsPerPractice);
    await analyzeReadModel(env.db);
    log(`seeded ${practices} practices × ${claimsPerPractice} claims (with submissions, payments, adjustments, denials) in ${Date.now() - t0} ms`);
    const target = `bench-k${Math.floor(practices / 2)}`;
    const { token } = await createUser(env.db, { name: 'bench-kpi-biller', role: 'biller', practiceIds: [target] });
    const headers = { authorization: `Bearer ${token}` };

    const measure = (label: string, url: string, check: (body: any) => void) => measureGet(env.app, { label, url, headers, requests, check });
    await measure(`GET /api/dashboard?practiceId=${target} (${claimsPerPractice} claims)`, `/api/dashboard?practiceId=${target}`, (b) => {
      // Write-offs read claim events, which this seed has none of: no data there.
      if (b.kpis.length !== 9 || b.kpis.some((k: { key: string; value: unknown }) => k.value === null && k.key !== 'write_offs')) throw new Error(`dashboard: expected 9 KPIs with values, got ${JSON.stringify(b.kpis.map((k: { value: unknown }) => k.value))}`);
    });
    await measure(`GET /api/dashboard/charts?practiceId=${target} (trends, denials, providers)`, `/api/dashboard/charts?practiceId=${target}`, (b) => {
      if (b.trends.length !== 12 || !b.denials.length || !b.providers.length) throw new Error('charts: expected 12 months, denial cells and providers');
    });
    await measure(`GET /api/claim-search?q=PT-1234`, `/api/claim-search?q=PT-1234`, (b) => {
      if (!b.claims.length) throw new Error('search: expected claims of patient PT-1234');
    });
    await measure(`GET /api/claim-search?q=benchname1235 quintero (patient name)`, `/api/claim-search?q=${encodeURIComponent('benchname1235 quintero')}`, (b) => {
      if (!b.claims.length || b.claims.some((c: { patientName?: string }) => !c.patientName?.includes('Benchname1235'))) throw new Error('search: expected the claims of patient Benchname1235');
    });
    await measure(`GET /api/claim-search?q=64493`, `/api/claim-search?q=64493`, (b) => {
      if (b.claims.length !== 50) throw new Error('search: expected 50 claims with CPT 64493');
    });
  } finally {
    await env.close();
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:kpis: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
