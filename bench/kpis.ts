/**
 * `npm run bench:kpis [-- --practices 5 --claims 10000 --requests 100]`: the dashboard's figures for
 * one practice among several (issue 15's figure). Read-model rows are inserted directly for every
 * practice — claims over the last 14 months, first submissions (some rejected), payments with
 * contractual adjustments for most, denials for some — then `GET /api/dashboard?practiceId=` (KPIs,
 * AR aging, deadlines), `GET /api/dashboard/charts` (12-month trends, denials, per provider) and `GET /api/claim-search?q=` are sent through the real app (`inject`: auth,
 * scope, access log) by a biller of that practice. Prints p50/p95/p99 in ms and the server's own
 * SQL time. No assertion: a figure to compare, measured on this machine.
 */
import { attach, intArg, percentile, startServers } from './env';
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
    await env.db('remittances').insert({ remittance_key: 'BENCH:1', payer_id: 'MEDICARE', trace_number: '1', payment_date: env.db.raw('current_date'), adjudication_date: env.db.raw('current_date'), total_paid_cents: 0, claim_count: 0, source: 'api-json', received_at: new Date() });
    for (let p = 0; p < practices; p++) {
      const id = `bench-k${p}`;
      await env.db('practices').insert({ id, name: `Bench Practice ${p}`, tax_id: '990000001', billing_npi: '1456789019', time_zone: 'America/Chicago' });
      await env.db.raw(
        `insert into claims (claim_id, practice_id, payer_id, rendering_npi, service_date, place_of_service, status, billed_cents, cpt_codes, document, workflow_id, dollars_at_risk_cents, charge_lag_days, created_at)
         select ? || '-' || g, ?, (array['MEDICARE','COMMERCIAL','MEDICAID','MEDICARE_ADVANTAGE'])[1 + g % 4], '1234567893', current_date - (g % 420), '24',
                (array['submitted','acknowledged','posted','denied','closed','partially_paid','charge_entered'])[1 + g % 7], 100000 + (g % 5000) * 10,
                array[(array['64483','64484','64493','62323'])[1 + g % 4]], jsonb_build_object('patient', jsonb_build_object('id', 'PT-' || (g % 3000))), 'claim:' || ? || '-' || g,
                (g * 7919) % 500000, g % 9, now() - ((g % 420) || ' days')::interval + interval '2 days'
         from generate_series(1, ?) g`,
        [id, id, id, claimsPerPractice],
      );
      await env.db.raw(
        `insert into patients (practice_id, id, name, birth_date)
         select ?, 'PT-' || g, (array['Avery','Blake','Casey','Devon','Emery'])[1 + g % 5] || ' Benchname' || g || ' ' || (array['Nguyen','Okafor','Petrov','Quintero'])[1 + g % 4], date '1950-01-01' + g
           from generate_series(0, 2999) g`,
        [id],
      );
      await env.db.raw(
        `insert into submissions (claim_id, claim_version, payer_id, interchange_control_number, gateway, status, submitted_at, idempotency_key)
         select claim_id, 1, payer_id, 1, 'bench', case when random() < 0.08 then 'rejected' else 'accepted' end, service_date + 3, 'bench:' || claim_id
           from claims where practice_id = ? and status <> 'charge_entered'`,
        [id],
      );
      await env.db.raw(
        `insert into payments (claim_id, remittance_key, claim_status_code, charged_cents, paid_cents, patient_responsibility_cents, payment_date, posted_at, posting_lag_business_days)
         select claim_id, 'BENCH:1', '1', billed_cents, billed_cents * 45 / 100, billed_cents / 10, service_date + 25, service_date + 26, (random() * 2)::int
           from claims where practice_id = ? and status in ('posted', 'closed', 'partially_paid')`,
        [id],
      );
      await env.db.raw(
        `insert into adjustments (payment_id, line_number, group_code, carc, amount_cents)
         select p.id, 1, 'CO', '45', p.charged_cents * 40 / 100 from payments p join claims c on c.claim_id = p.claim_id where c.practice_id = ?`,
        [id],
      );
      await env.db.raw(
        `insert into denials (claim_id, practice_id, payer_id, remittance_key, cpt_codes, carc, category, kind, denial_date, received_at, appeal_deadline)
         select claim_id, practice_id, payer_id, 'BENCH:' || claim_id, cpt_codes, '50', 'soft', 'medical_necessity', service_date + 25, now(), service_date + 85
           from claims where practice_id = ? and status = 'denied'`,
        [id],
      );
    }
    for (const t of ['claims', 'patients', 'submissions', 'payments', 'adjustments', 'denials']) await env.db.raw(`analyze ${t}`);
    log(`seeded ${practices} practices × ${claimsPerPractice} claims (with submissions, payments, adjustments, denials) in ${Date.now() - t0} ms`);
    const target = `bench-k${Math.floor(practices / 2)}`;
    const { token } = await createUser(env.db, { name: 'bench-kpi-biller', role: 'biller', practiceIds: [target] });
    const headers = { authorization: `Bearer ${token}` };

    const measure = async (label: string, url: string, check: (body: any) => void) => {
      for (let i = 0; i < 5; i++) await env.app.inject({ method: 'GET', url, headers }); // warm-up
      const ms: number[] = [];
      const sql: number[] = [];
      for (let i = 0; i < requests; i++) {
        const s = process.hrtime.bigint();
        const res = await env.app.inject({ method: 'GET', url, headers });
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
        const body = res.json();
        check(body);
        if (typeof body.queryMs === 'number') sql.push(body.queryMs);
      }
      ms.sort((a, b) => a - b);
      sql.sort((a, b) => a - b);
      log(`${label}: ${requests} requests, p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms${sql.length ? `; SQL p50 ${percentile(sql, 50).toFixed(1)} ms, p95 ${percentile(sql, 95).toFixed(1)} ms` : ''}`);
    };
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
