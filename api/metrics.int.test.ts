/**
 * Prometheus metrics: the API's `GET /metrics` (requests by route and status, latency histogram,
 * claims by status, open work items; who may read it: api/access.ts `mayReadMetrics`) and the
 * worker's Temporal SDK metrics from the Core runtime's exporter (RCM_WORKER_METRICS_ADDRESS).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The worker's exporter address must be set before the harness installs the SDK runtime.
const workerMetrics = vi.hoisted(() => {
  const address = `127.0.0.1:${20_000 + Math.floor(Math.random() * 30_000)}`;
  process.env.RCM_WORKER_METRICS_ADDRESS = address;
  return address;
});

import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { openWorkItem } from '../db/work-items';
import { tfesiClaim } from '../test/fixtures';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(who: Parameters<Harness['auth']>[0] = 'admin'): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: h.auth(who) });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return res.body;
}

describe('GET /metrics (API)', () => {
  it('counts each answer by route pattern and status, times it, and reports claims by status and open work items', async () => {
    const listed = 'rcm_http_requests_total{method="GET",route="/api/claims",status="200"}';
    const missing = 'rcm_http_requests_total{method="GET",route="/api/claims/:claimId",status="404"}';
    const before = await scrape();

    const claimId = uniqueId('METRICS');
    const created = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: { ...tfesiClaim(claimId), patient: { ...tfesiClaim(claimId).patient, id: uniqueId('PTM') } } });
    expect(created.statusCode, created.body).toBe(201);
    for (let i = 0; i < 3; i++) expect((await h.app.inject({ method: 'GET', url: '/api/claims?limit=5', headers: h.auth() })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: `/api/claims/${uniqueId('NOPE')}`, headers: h.auth() })).statusCode).toBe(404);
    // The simulator pays it at once: its payment is posted, with a posting lag.
    await eventually(() => h.db('payments').where({ claim_id: claimId }).whereNotNull('posting_lag_business_days').first(), 'the claim paid and posted');

    const after = await scrape();
    // The route pattern, never the URL (ids stay out of labels).
    expect(sample(after, listed) - sample(before, listed)).toBe(3);
    expect(sample(after, missing) - sample(before, missing)).toBe(1);
    expect(after).not.toContain(claimId);
    expect(after).toContain('# TYPE rcm_http_request_duration_seconds histogram');
    expect(sample(after, 'rcm_http_request_duration_seconds_count{method="GET",route="/api/claims",status="200"}')).toBeGreaterThanOrEqual(3);
    expect(after).toMatch(/^rcm_http_request_duration_seconds_bucket\{le="0\.05",method="GET",route="\/api\/claims",status="200"\} \d+$/m);
    // Claims by status and open work items, from the read model at scrape time.
    const [{ n: claimsInReadModel }] = await h.db('claims').count({ n: '*' });
    const claimTotal = after.split('\n').filter((l) => l.startsWith('rcm_claims{')).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    expect(claimTotal).toBeGreaterThanOrEqual(Number(claimsInReadModel));
    expect(after).toContain('# TYPE rcm_work_items_open gauge');
    expect(after).toContain('rcm_api_process_resident_memory_bytes');
    expect(after).toContain('# TYPE rcm_work_items_completed_last_day gauge');
    const [{ max }] = await h.db('payments').where('posted_at', '>', h.db.raw(`now() - interval '30 days'`)).max({ max: 'posting_lag_business_days' });
    expect(sample(after, 'rcm_posting_lag_business_days{stat="max"}')).toBe(Number(max));
  });

  it('needs a token of every practice: none or a bad one 401, a one-practice token 403, a viewer of every practice 200', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer not-a-token' } })).statusCode).toBe(401);
    const scoped = await h.app.inject({ method: 'GET', url: '/metrics', headers: h.auth('demoBiller') });
    expect(scoped.statusCode).toBe(403);
    expect(scoped.json().message).toContain('every practice');
    expect(scoped.body).not.toContain('rcm_claims');
    await scrape('viewer');
  });
});

describe('issue 16: workflow starts, work items opened/closed, posting lag', () => {
  it('counts a claim workflow started through the API once (a refused duplicate is no start), by kind', async () => {
    const series = 'rcm_workflow_starts_total{kind="claim"}';
    const before = sample(await scrape(), series);
    const claimId = uniqueId('METRICSS');
    const claim = { ...tfesiClaim(claimId), patient: { ...tfesiClaim(claimId).patient, id: uniqueId('PTS') } };
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim })).statusCode).toBe(409);
    const after = await scrape();
    expect(sample(after, series) - before).toBe(1);
    expect(after).toContain('# TYPE rcm_workflow_starts_total counter');
    expect(after).not.toContain(claimId);
  });

  it('counts work items opened and closed by kind, as the work_items table has them', async () => {
    const kind = `metrics_check_${uniqueId('k').toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
    const opened = `rcm_work_items_opened_total{kind="${kind}"}`;
    const completed = `rcm_work_items_closed_total{kind="${kind}",status="completed"}`;
    expect(sample(await scrape(), opened)).toBe(0);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await openWorkItem(h.db, { idempotencyKey: `${kind}:${i}`, practiceId: 'demo-pain', kind, entityType: 'practice', entityId: 'demo-pain', title: 'Metrics check' });
      ids.push(id);
    }
    // The same item again (a retried activity) is not a second opening.
    await openWorkItem(h.db, { idempotencyKey: `${kind}:0`, practiceId: 'demo-pain', kind, entityType: 'practice', entityId: 'demo-pain', title: 'Metrics check' });
    const done = await h.app.inject({ method: 'POST', url: `/api/work-items/${ids[0]}/complete`, headers: h.auth('biller'), payload: { outcome: { note: 'done' } } });
    expect(done.statusCode, done.body).toBe(200);
    const after = await scrape();
    expect(sample(after, opened)).toBe(3);
    expect(sample(after, completed)).toBe(1);
    expect(after).toContain('# TYPE rcm_work_items_closed_total counter');
  });
});

describe('worker metrics (Temporal SDK runtime, RCM_WORKER_METRICS_ADDRESS)', () => {
  it('the worker observes the posting lag (ERA received → posted, seconds) when it posts a payment', async () => {
    const claimId = uniqueId('METRICSP');
    const created = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: { ...tfesiClaim(claimId), patient: { ...tfesiClaim(claimId).patient, id: uniqueId('PTP') } } });
    expect(created.statusCode, created.body).toBe(201);
    await eventually(() => h.db('payments').where({ claim_id: claimId }).first(), 'the claim paid and posted');
    const count = await eventually(async () => {
      const body = await (await fetch(`http://${workerMetrics}/metrics`)).text();
      // Summed over the exporter's labels (task queue, namespace, activity type…).
      const n = body
        .split('\n')
        .filter((l) => /^rcm_posting_lag_seconds_count[{ ]/.test(l))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      return n >= 1 ? { n, body } : undefined;
    }, 'a posting-lag observation on the worker exporter');
    expect(count.n).toBeGreaterThanOrEqual(1);
    // Buckets for minutes to days (workers/telemetry.ts), not the SDK's default that stops at 10 s.
    expect(count.body).toMatch(/^rcm_posting_lag_seconds_bucket\{.*le="86400".*\} [1-9]\d*$/m);
    // Claims since patched('claim-db-local') post inside their batched local activity; older ones in postClaimPayment.
    expect(count.body).toMatch(/^rcm_posting_lag_seconds_bucket\{.*activityType="(claimDbBatch|postClaimPayment)".*\}/m);
  });


  it('the worker exports its SDK metrics in Prometheus format once it has run workflow and activity tasks', async () => {
    const claimId = uniqueId('METRICSW');
    const created = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: tfesiClaim(claimId) });
    expect(created.statusCode, created.body).toBe(201);
    const text = await eventually(async () => {
      const res = await fetch(`http://${workerMetrics}/metrics`);
      const body = await res.text();
      return res.ok && body.includes('temporal_activity_execution_latency_seconds_bucket') && body.includes('temporal_workflow_task_execution_latency_seconds_bucket') ? body : undefined;
    }, 'workflow and activity task metrics on the worker exporter');
    expect(text).toMatch(/^temporal_worker_task_slots_available\{.*worker_type="WorkflowWorker".*\} \d+/m);
    expect(text).toContain('task_queue="rcm"');

    // Every series the Grafana dashboard charts exists in one of the two scrapes (failure counters
    // appear only once something has failed: their successful siblings must exist instead).
    const dashboard = readFileSync(path.resolve(__dirname, '../docs/grafana-dashboard.json'), 'utf8');
    const charted = new Set([...dashboard.matchAll(/\b((?:rcm|temporal)_[a-z0-9_]+)/g)].map((m) => m[1]));
    expect(charted.size).toBeGreaterThan(8);
    const scraped = `${await scrape()}\n${text}`;
    // A labelled gauge with no rows yet (no open work item) has its TYPE line and no sample.
    const missing = [...charted].map((name) => name.replace(/_failed_total$/, '_latency_seconds_bucket')).filter((name) => !new RegExp(`^(${name}[{ ]|# TYPE ${name} )`, 'm').test(scraped));
    expect(missing).toEqual([]);
  });
});
