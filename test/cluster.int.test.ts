/**
 * The production Temporal server (built from go.temporal.io/server by
 * scripts/build-temporal-server.sh, cached in .tools/) on PostgreSQL persistence and SQL
 * visibility, in an embedded PostgreSQL of its own with the schema applied by the server's
 * temporal-sql-tool: a claim runs end to end on it with the real worker and API, and claims in
 * flight survive a restart of the server (their payer answers fall due while it is down).
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeServerPorts, sqlTargetFor, startCluster, startTemporalServer, startTemporalUi, type SqlTarget, type TemporalServer, type TemporalServerPorts } from '../lib/temporal-server';
import { freePort } from '../lib/temporal-dev-server';
import { eventually, startHarness, uniqueId, type Harness } from './harness';
import { tfesiClaim } from './fixtures';
import { startOwnPostgres, type OwnPostgres } from './own-postgres';
import { claimWorkflowId } from '../contracts/claim';

let own: OwnPostgres | undefined;
let server: TemporalServer | undefined;
let sql: SqlTarget;
let ports: TemporalServerPorts;
let h: Harness | undefined;

async function startServer(): Promise<TemporalServer> {
  return startTemporalServer({ dir: path.join(own!.dir, 'temporal'), sql, ports, numHistoryShards: 4 });
}

beforeAll(async () => {
  own = await startOwnPostgres({ prefix: 'cluster', database: 'rcm_cluster', user: { name: 'cluster-biller', role: 'biller' } });
  ports = await freeServerPorts();
  server = await startCluster({ databaseUrl: own.pg.url, dir: path.join(own.dir, 'temporal'), ports, namespace: 'default', numHistoryShards: 4 });
  sql = sqlTargetFor(own.pg.url);
  // Answers come 3 s and 8 s after each 837P (stored in PostgreSQL by the simulator, delivered by its poller).
  h = await startHarness({ databaseUrl: own.pg.url, temporalAddress: server.address, durableSimulator: true, simulator: { ackDelayMs: 3000, remitDelayMs: 5000 } });
}, 900_000);

afterAll(async () => {
  await h?.close();
  await server?.stop();
  await own?.remove();
}, 120_000);

async function postClaim(harness: Harness, id: string) {
  const claim = tfesiClaim(id);
  const res = await harness.app.inject({
    method: 'POST',
    url: '/api/claims',
    headers: { authorization: `Bearer ${own!.token}` },
    payload: { ...claim, patient: { ...claim.patient, id: uniqueId('PTC') } },
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function waitClosed(harness: Harness, id: string, timeoutMs: number) {
  return eventually(
    async () => {
      const d = await harness.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, id)).describe();
      if (d.status.name !== 'RUNNING' && d.status.name !== 'COMPLETED') throw new Error(`claim ${id} ended ${d.status.name}`);
      return d.status.name === 'COMPLETED' ? d : undefined;
    },
    `claim ${id} closed`,
    timeoutMs,
  );
}

/** Each claim's read-model status, its payments and its payer answers not yet delivered. */
async function claimOutcomes(harness: Harness, ids: string[]) {
  const rows = await harness.db('claims as c')
    .whereIn('c.claim_id', ids)
    .orderBy('c.claim_id')
    .select(
      'c.claim_id as claimId',
      'c.status',
      harness.db.raw('(select count(*) from payments p where p.claim_id = c.claim_id)::int as payments'),
      harness.db.raw('(select count(*) from simulator_answers a where a.claim_id = c.claim_id and a.delivered_at is null)::int as "undeliveredAnswers"'),
    );
  return rows.sort((a, b) => ids.indexOf(a.claimId) - ids.indexOf(b.claimId));
}

async function temporalDbCount(database: string, query: string): Promise<number> {
  const c = new pg.Client({ host: sql.host, port: sql.port, user: sql.user, password: sql.password, database });
  await c.connect();
  try {
    const r = await c.query(query);
    return Number(r.rows[0].n);
  } finally {
    await c.end();
  }
}

describe('the production Temporal server on PostgreSQL', () => {
  it('a claim runs end to end: submitted, acknowledged, paid, posted, closed; history in PostgreSQL over 4 shards, found by its search attributes in SQL visibility and in the Web UI', async () => {
    const harness = h!;
    const id = uniqueId('CLUSTER');
    await postClaim(harness, id);
    await waitClosed(harness, id, 120_000);
    expect(await claimOutcomes(harness, [id])).toEqual([{ claimId: id, status: 'closed', payments: 1, undeliveredAnswers: 0 }]);
    const res = await harness.app.inject({ method: 'GET', url: `/api/claims/${id}`, headers: { authorization: `Bearer ${own!.token}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('closed');

    expect(await temporalDbCount(sql.database, 'select count(*) as n from shards')).toBe(4);
    expect(await temporalDbCount(sql.database, 'select count(*) as n from history_node')).toBeGreaterThan(0);
    // SQL visibility answers a query on our search attributes.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of harness.client.workflow.list({ query: `PracticeId = 'demo-pain' AND RcmKind = 'claim' AND WorkflowId = '${claimWorkflowId(DEMO_PRACTICE_ID, id)}'` })) ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    }, 'the claim in SQL visibility');
    expect(found).toEqual([claimWorkflowId(DEMO_PRACTICE_ID, id)]);

    // The Web UI (temporal-ui-server) pointed at this frontend lists the claim's workflow, completed.
    const ui = await startTemporalUi({ dir: path.join(own!.dir, 'temporal-ui'), frontendAddress: server!.address, port: await freePort(), namespace: 'default', codecEndpoint: 'http://localhost:3000/codec' });
    try {
      const res = await fetch(`${ui.url}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId = '${claimWorkflowId(DEMO_PRACTICE_ID, id)}'`)}`);
      expect(res.status).toBe(200);
      const { executions } = (await res.json()) as { executions: Array<{ execution: { workflowId: string }; status: string }> };
      expect(executions.map((e) => [e.execution.workflowId, e.status])).toEqual([[claimWorkflowId(DEMO_PRACTICE_ID, id), 'WORKFLOW_EXECUTION_STATUS_COMPLETED']]);
      const settings = (await (await fetch(`${ui.url}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe('http://localhost:3000/codec');
    } finally {
      await ui.stop();
    }
  }, 180_000);

  it('claims in flight survive a server restart: stopped while their payer answers are pending, restarted, every claim closes, paid once', async () => {
    const harness = h!;
    const ids = Array.from({ length: 3 }, (_, i) => uniqueId(`CLRESTART${i}`));
    for (const id of ids) await postClaim(harness, id);
    // Every 837P is out and both answers of each claim are stored, none delivered yet.
    await eventually(async () => {
      const [{ n }] = await harness.db('simulator_answers').whereIn('claim_id', ids).count({ n: '*' });
      return Number(n) === ids.length * 2 ? true : undefined;
    }, 'every claim submitted with its answers pending');
    const open = await harness.db('claims').whereIn('claim_id', ids).whereNot({ status: 'closed' });
    expect(open).toHaveLength(ids.length);

    await server!.stop();
    expect(server!.process.exitCode ?? server!.process.signalCode).not.toBeNull();
    // The answers fall due while the server is down: the simulator's poller keeps retrying them.
    await new Promise((r) => setTimeout(r, 10_000));
    server = await startServer();

    for (const id of ids) await waitClosed(harness, id, 240_000);
    expect(await claimOutcomes(harness, ids)).toEqual(ids.map((claimId) => ({ claimId, status: 'closed', payments: 1, undeliveredAnswers: 0 })));
  }, 420_000);
});
