/**
 * `npm run bench:claim-list [-- --practices 10 --claims 10000 --requests 500]`: the latency of a
 * claim list request for one practice among many (issue 13's figure). Read-model rows for every
 * practice are inserted directly (no workflows: the list reads only `claims`), then
 * `GET /api/claims?limit=100` is sent through the real app (`inject`: auth, practice scope, access
 * log) by a biller scoped to one practice, and by an admin filtering `?practiceId=`. Prints
 * p50/p95/p99 in ms. No assertion: a figure to compare, measured on this machine.
 */
import { attach, intArg, percentile, startServers } from './env';
import { createUser } from '../db/users';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const practices = intArg('practices', 10);
  const claimsPerPractice = intArg('claims', 10_000);
  const requests = intArg('requests', 500);
  const servers = await startServers('claim-list');
  const env = await attach(servers, { worker: false });
  try {
    const t0 = Date.now();
    for (let p = 0; p < practices; p++) {
      const id = `bench-p${p}`;
      await env.db('practices').insert({ id, name: `Bench Practice ${p}`, tax_id: '990000001', billing_npi: '1456789019', time_zone: 'America/Chicago' });
      // Dollars at risk vary so the list's ordering (highest first) has real work to do.
      await env.db.raw(
        `insert into claims (claim_id, practice_id, payer_id, rendering_npi, service_date, place_of_service, status, billed_cents, cpt_codes, document, workflow_id, dollars_at_risk_cents)
         select ? || '-' || g, ?, 'MEDICARE', '1234567893', date '2026-01-01' + (g % 300), '24',
                (array['submitted','paid','denied','closed'])[1 + g % 4], 100000 + g, array['64483'], '{}'::jsonb, 'claim:' || ? || '-' || g, (g * 7919) % 500000
         from generate_series(1, ?) g`,
        [id, id, id, claimsPerPractice],
      );
    }
    await env.db.raw('analyze claims');
    log(`seeded ${practices} practices × ${claimsPerPractice} claims in ${Date.now() - t0} ms`);
    const target = `bench-p${Math.floor(practices / 2)}`;
    const { token } = await createUser(env.db, { name: 'bench-scoped-biller', role: 'biller', practiceIds: [target] });

    const measure = async (label: string, url: string, headers: Record<string, string>) => {
      for (let i = 0; i < 20; i++) await env.app.inject({ method: 'GET', url, headers }); // warm-up
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const s = process.hrtime.bigint();
        const res = await env.app.inject({ method: 'GET', url, headers });
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
        const rows = res.json().claims as Array<{ practiceId: string }>;
        if (rows.length !== 100 || rows.some((r) => r.practiceId !== target)) throw new Error(`${label}: expected 100 claims of ${target}`);
      }
      ms.sort((a, b) => a - b);
      log(`${label}: ${requests} requests, p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`);
    };
    await measure(`scoped biller (${target} only) GET /api/claims?limit=100`, '/api/claims?limit=100', { authorization: `Bearer ${token}` });
    await measure(`admin GET /api/claims?practiceId=${target}&limit=100`, `/api/claims?practiceId=${target}&limit=100`, env.auth);
  } finally {
    await env.close();
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:claim-list failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
