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
 *
 * Load mode, `npm run bench:api -- --rate 100 --seconds 60` (issue 16's setup: one practice among
 * 10 with 10,000 claims each): the app listens on a loopback socket and a forked child process
 * (so the load generator does not share the app's event loop) sends requests OPEN-LOOP at a fixed
 * rate with undici (a pool of keep-alive connections, Node's own HTTP client project): request k is
 * due at start + k/rate whether or not earlier ones have answered, and its latency is counted from
 * when it was due (a slow server cannot slow the schedule down and hide its queueing, the
 * "coordinated omission" of closed-loop tools). A third each: a claim's page (a different claim
 * each time, alternately closed and open), the claim list, the work-item list. Prints p50/p95/p99
 * per route, errors and timeouts (10 s), the achieved rate and the machine's load.
 */
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { attach, cpuLine, cpuSample, intArg, loadLine, percentile, startServers } from './env';
import { analyzeReadModel, measureGet, seedPracticeReadModel, type Latency } from './read-model';
import { createUser } from '../db/users';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const practices = intArg('practices', 10);
  const claimsPerPractice = intArg('claims', 10_000);
  const requests = intArg('requests', 300);
  const rate = process.argv.includes('--rate') ? intArg('rate', 100) : undefined;
  const seconds = intArg('seconds', 60);
  const warmup = intArg('warmup', 5);
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
    if (process.argv.includes('--explain')) await explain(env.db, target, claimId(3, true), claimId(3, false));
    if (rate !== undefined) {
      await loadMode(env.app, { rate, seconds, warmup, token, target, practices, claimsPerPractice, claimId, servers });
      return;
    }
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
      if (!Array.isArray(b.kpis) || !b.kpis.length) throw new Error('dashboard: expected KPIs');
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

/**
 * `--explain`: EXPLAIN (ANALYZE, BUFFERS) of the SQL the three load routes run (the same
 * statements knex builds for them, with the practice scope), one line each: plan root and time.
 */
async function explain(db: Awaited<ReturnType<typeof attach>>['db'], practice: string, closedClaim: string, openClaim: string) {
  const statements: Array<[string, string, unknown[]]> = [
    ['claim list', `select claim_id, practice_id, payer_id, rendering_npi, service_date, status, version, billed_cents, dollars_at_risk_cents, next_deadline, next_deadline_rule from claims where practice_id in (?) order by dollars_at_risk_cents desc, claim_id limit 100`, [practice]],
    ['work-item list', `select * from work_items where practice_id in (?) and status = 'open' and (snoozed_until is null or snoozed_until <= current_date) order by dollars_at_risk_cents desc, due_date asc nulls last, id limit 100`, [practice]],
    ['claim row', 'select * from claims where claim_id = ? limit 1', [closedClaim]],
    ['claim events', 'select at, actor from claim_events where claim_id = ? order by id', [closedClaim]],
    ['claim open work items', `select id from work_items where entity_type = 'claim' and entity_id = ? and status = 'open' order by due_date`, [openClaim]],
    ['claim submissions', 'select id from submissions where claim_id = ? order by id', [closedClaim]],
    ['claim payments', 'select id from payments where claim_id = ? order by id', [closedClaim]],
    ['claim denials', 'select id from denials where claim_id = ? order by id', [openClaim]],
    ['claim paid lines', 'select l.line_number, sum(l.paid_cents) from payment_lines l join payments p on p.id = l.payment_id where p.claim_id = ? group by l.line_number', [closedClaim]],
    ['claim adjustments', 'select a.line_number from adjustments a join payments p on p.id = a.payment_id where p.claim_id = ? order by a.id', [closedClaim]],
    ['claim write-off', 'select * from write_off_requests where claim_id = ? order by id desc limit 1', [closedClaim]],
  ];
  log('EXPLAIN ANALYZE (execution time, plan root):');
  for (const [label, sql, bindings] of statements) {
    const rows = (await db.raw(`explain (analyze, buffers) ${sql}`, bindings as never[])).rows as Array<{ 'QUERY PLAN': string }>;
    const lines = rows.map((r) => r['QUERY PLAN']);
    const time = lines.find((l) => l.startsWith('Execution Time'));
    const scans = lines.filter((l) => /Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Sort Method/.test(l)).map((l) => l.trim().replace(/\s+\(cost=.*$/, '')).join(' | ');
    log(`  ${label}: ${time} — ${scans}`);
  }
}

type Plan = { origin: string; token: string; rate: number; seconds: number; warmup: number; routes: Array<{ label: string; urls: string[] }> };
type RouteResult = { label: string; sent: number; ok: number; errors: Record<string, number>; timeouts: number; latencies: number[] };

async function loadMode(
  app: Awaited<ReturnType<typeof attach>>['app'],
  o: { rate: number; seconds: number; warmup: number; token: string; target: string; practices: number; claimsPerPractice: number; claimId: (i: number, closed: boolean) => string; servers: Awaited<ReturnType<typeof startServers>> },
) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const perRoute = Math.ceil((o.rate * (o.seconds + o.warmup)) / 3);
  const plan: Plan = {
    origin,
    token: o.token,
    rate: o.rate,
    seconds: o.seconds,
    warmup: o.warmup,
    routes: [
      { label: 'GET /api/claims/:claimId (alternately closed and open)', urls: Array.from({ length: perRoute }, (_, i) => `/api/claims/${o.claimId(i >> 1, i % 2 === 0)}`) },
      { label: `GET /api/claims?limit=100 (${o.target} of ${o.practices})`, urls: ['/api/claims?limit=100'] },
      { label: `GET /api/work-items?practiceId=${o.target}`, urls: [`/api/work-items?practiceId=${o.target}`] },
    ],
  };
  log(`load: ${o.rate} requests/s for ${o.seconds} s (after ${o.warmup} s of warm-up at the same rate, not counted) over ${origin} (open loop, undici, a third per route), ${o.practices} practices × ${o.claimsPerPractice} claims`);
  log(`${loadLine()} before the load`);
  const before = cpuSample(o.servers);
  const t0 = Date.now();
  const child = fork(__filename, ['--load-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const results = await new Promise<{ results: RouteResult[]; wallMs: number; lateMs: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { results: RouteResult[]; wallMs: number; lateMs: number }));
    child.once('exit', (code) => reject(new Error(`load child exited with ${code}`)));
    child.send(plan);
  });
  const wall = Date.now() - t0;
  log(`${loadLine()} after the load`);
  log(cpuLine(o.servers, before, wall, `bench process (API app) ${(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 - before.self).toFixed(1)} s`));
  const total = results.results.reduce((n, r) => n + r.ok + r.timeouts + Object.values(r.errors).reduce((a, b) => a + b, 0), 0);
  log(`achieved: ${total} answered of ${results.results.reduce((n, r) => n + r.sent, 0)} sent in ${(results.wallMs / 1000).toFixed(1)} s = ${(total / (results.wallMs / 1000)).toFixed(1)} requests/s (scheduler's worst lateness ${results.lateMs.toFixed(0)} ms)`);
  log('');
  log('| route | sent | 200 | errors | timeouts | p50 ms | p95 ms | p99 ms | max ms |');
  log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results.results) {
    const l = r.latencies.sort((a, b) => a - b);
    const err = Object.entries(r.errors).map(([k, v]) => `${v}× ${k}`).join(', ') || '0';
    log(`| ${r.label} | ${r.sent} | ${r.ok} | ${err} | ${r.timeouts} | ${percentile(l, 50).toFixed(1)} | ${percentile(l, 95).toFixed(1)} | ${percentile(l, 99).toFixed(1)} | ${l[l.length - 1].toFixed(1)} |`);
  }
}

/** The load generator (child process): fires the plan open-loop and sends back per-route latencies. */
async function loadChild(plan: Plan) {
  const pool = new Pool(plan.origin, { connections: 64, headersTimeout: 10_000, bodyTimeout: 10_000, keepAliveTimeout: 30_000 });
  const fresh = (): RouteResult[] => plan.routes.map((r) => ({ label: r.label, sent: 0, ok: 0, errors: {}, timeouts: 0, latencies: [] }));
  // Warm-up requests (the first `warmup` seconds) are answered into a throw-away copy.
  const warm = fresh();
  const results = fresh();
  const warmCount = plan.rate * plan.warmup;
  const total = warmCount + plan.rate * plan.seconds;
  const headers = { authorization: `Bearer ${plan.token}` };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now() + 50;
  const measuredFrom = start + plan.warmup * 1000;
  let lateMs = 0;
  const fire = (k: number, due: number) => {
    const route = k % plan.routes.length;
    const r = (k < warmCount ? warm : results)[route];
    const urls = plan.routes[route].urls;
    const url = urls[Math.floor(k / plan.routes.length) % urls.length];
    r.sent++;
    const p = pool
      .request({ method: 'GET', path: url, headers })
      .then(async (res) => {
        await res.body.dump();
        // From when the request was due, not when it left: queueing counts.
        r.latencies.push(performance.now() - due);
        if (res.statusCode === 200) r.ok++;
        else r.errors[String(res.statusCode)] = (r.errors[String(res.statusCode)] ?? 0) + 1;
      })
      .catch((err: Error & { code?: string }) => {
        if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') r.timeouts++;
        else r.errors[err.code ?? err.name] = (r.errors[err.code ?? err.name] ?? 0) + 1;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  let k = 0;
  while (k < total) {
    const now = performance.now();
    // Every request due by now leaves now (a late timer sends the backlog at once).
    while (k < total && start + (k * 1000) / plan.rate <= now) {
      const due = start + (k * 1000) / plan.rate;
      if (k >= warmCount) lateMs = Math.max(lateMs, now - due);
      fire(k++, due);
    }
    if (k < total) await new Promise((r) => setTimeout(r, Math.max(0, start + (k * 1000) / plan.rate - performance.now())));
  }
  await Promise.all(inFlight);
  const wallMs = performance.now() - measuredFrom;
  await pool.close();
  process.send!({ results, wallMs, lateMs });
}

if (process.argv.includes('--load-child')) {
  process.once('message', (plan) =>
    loadChild(plan as Plan).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`bench:api load: ${(err as Error).stack}\n`);
        process.exit(1);
      },
    ),
  );
} else {
  main().catch((err) => {
    process.stderr.write(`bench:api: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
