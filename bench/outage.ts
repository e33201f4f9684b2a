/**
 * PostgreSQL outage under load (issue 11's target), end to end on real servers:
 *   npm run bench:outage [-- --claims 30 --freeze 420]
 *
 * Starts a fresh embedded PostgreSQL and Temporal dev server, one worker with the payer simulator
 * keeping its answers in PostgreSQL (as `npm start` does; 277CA after 5 s, 835 after 15 s), POSTs
 * N claims, and once every 837P is out freezes PostgreSQL (SIGSTOP on the postmaster and every
 * backend) for --freeze seconds. Meanwhile it samples GET /health and GET /api/claims every 30 s.
 * Then it thaws and waits until every claim is closed, and prints: claims closed, workflow
 * executions failed, payments per claim (duplicates), answers undelivered, the status codes seen
 * during the freeze, and the time from the thaw to the last claim closed.
 */
import { attach, eventually, intArg, startServers } from './env';
import { tfesiClaim } from '../test/fixtures';
import { freezePostgres } from '../test/outage';

const log = (m = '') => process.stdout.write(`${m}\n`);

async function main() {
  const claims = intArg('claims', 30);
  const freezeSeconds = intArg('freeze', 420);
  const servers = await startServers('outage');
  let thaw: (() => void) | undefined;
  try {
    const env = await attach(servers, { durableSimulator: true, simulator: { ackDelayMs: 5000, remitDelayMs: 10000 } });
    const tag = Date.now().toString(36);
    const ids = Array.from({ length: claims }, (_, i) => `OUT-${tag}-${i}`);
    for (const [i, id] of ids.entries()) {
      const c = tfesiClaim(id);
      const res = await env.app.inject({ method: 'POST', url: '/api/claims', headers: env.auth, payload: { ...c, patient: { ...c.patient, id: `PT-${tag}-${i}` } } });
      if (res.statusCode !== 201) throw new Error(`POST ${id}: ${res.statusCode} ${res.body}`);
    }
    await eventually(async () => {
      const [{ n }] = await env.db('simulator_answers').whereIn('claim_id', ids).count({ n: '*' });
      return Number(n) >= claims * 2 ? true : undefined;
    }, 'every 837P sent, answers pending', 300_000);
    log(`${claims} claims submitted; freezing PostgreSQL for ${freezeSeconds} s`);
    const frozenAt = Date.now();
    thaw = freezePostgres(servers.dataDir);
    const seen: Record<string, number> = {};
    while (Date.now() - frozenAt < freezeSeconds * 1000) {
      const [health, list] = await Promise.all([
        env.app.inject({ method: 'GET', url: '/health' }),
        env.app.inject({ method: 'GET', url: '/api/claims', headers: env.auth }),
      ]);
      seen[`/health ${health.statusCode}`] = (seen[`/health ${health.statusCode}`] ?? 0) + 1;
      seen[`/api/claims ${list.statusCode}`] = (seen[`/api/claims ${list.statusCode}`] ?? 0) + 1;
      const left = freezeSeconds * 1000 - (Date.now() - frozenAt);
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(30_000, left))));
    }
    thaw();
    const thawedAt = Date.now();
    log(`thawed after ${((thawedAt - frozenAt) / 1000).toFixed(0)} s; during the freeze: ${JSON.stringify(seen)}`);
    const failed: string[] = [];
    await eventually(async () => {
      let open = 0;
      for (const id of ids) {
        const d = await env.client.workflow.getHandle(`claim:demo-pain:${id}`).describe();
        if (d.status.name === 'RUNNING') open++;
        else if (d.status.name !== 'COMPLETED' && !failed.includes(id)) failed.push(id);
      }
      return open === 0 ? true : undefined;
    }, 'every claim closed', 30 * 60_000, 2000);
    const recoverySeconds = (Date.now() - thawedAt) / 1000;
    const closed = await env.db('claims').whereIn('claim_id', ids).where({ status: 'closed' }).count({ n: '*' });
    const payments = await env.db('payments').whereIn('claim_id', ids).select('claim_id');
    const perClaim = new Map<string, number>();
    for (const p of payments) perClaim.set(p.claim_id, (perClaim.get(p.claim_id) ?? 0) + 1);
    const undelivered = await env.db('simulator_answers').whereIn('claim_id', ids).whereNull('delivered_at').count({ n: '*' });
    log(`claims closed: ${closed[0].n} of ${claims}`);
    log(`workflow executions failed: ${failed.length}${failed.length ? ` (${failed.join(', ')})` : ''}`);
    log(`payments: ${payments.length} for ${perClaim.size} claims; claims paid twice: ${[...perClaim.values()].filter((n) => n > 1).length}`);
    log(`simulator answers undelivered: ${undelivered[0].n}`);
    log(`thaw → last claim closed: ${recoverySeconds.toFixed(1)} s`);
    await env.close();
  } finally {
    thaw?.();
    await servers.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:outage failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
