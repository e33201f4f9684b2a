/**
 * The API's Prometheus metrics (prom-client): HTTP requests by method, route pattern and status
 * (count and latency histogram), and, computed from the read model when scraped, claims by status
 * and open work items by kind, plus the Node process's own metrics. One registry per app, so
 * several apps in one process (tests) do not collide. Served by api/routes/metrics.ts.
 *
 * Issue 16: workflow starts by kind (counted by the Temporal client, lib/workflow-starts.ts); work
 * items opened and closed by kind (counters read from the work_items table at scrape: items are
 * opened by activities in the worker, by ingestion in the API and closed by staff and by
 * activities, so the table is the one place that sees every one, exactly once, across restarts
 * and API replicas: aggregate them with max(), not sum(), over replicas); the posting lag in
 * seconds is a histogram on the worker's exporter (activities/posting.ts), beside the business-day
 * gauge here.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { workflowStarts } from '../lib/workflow-starts';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

export type ApiMetrics = { registry: Registry };

/** Latency buckets (seconds): the read routes' targets sit at 50 ms p99. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createApiMetrics(db: Knex): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rcm_api_' });
  registry.registerMetric(workflowStarts);
  new Counter({
    name: 'rcm_work_items_opened_total',
    help: 'Work items ever opened, by kind (rows of work_items; identical on every API replica)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = (await db('work_items').select('kind').count({ n: '*' }).groupBy('kind')) as Array<{ kind: string; n: string | number }>;
      this.reset();
      for (const r of rows) this.inc({ kind: r.kind }, Number(r.n));
    },
  });
  new Counter({
    name: 'rcm_work_items_closed_total',
    help: 'Work items ever closed, by kind and how: completed (by staff, with an outcome) or closed (by the system: resolved, superseded)',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      const rows = (await db('work_items').whereIn('status', ['completed', 'closed']).select('kind', 'status').count({ n: '*' }).groupBy('kind', 'status')) as Array<{ kind: string; status: string; n: string | number }>;
      this.reset();
      for (const r of rows) this.inc({ kind: r.kind, status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: 'rcm_claims',
    help: 'Claims in the read model by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = (await db('claims').select('status').count({ n: '*' }).groupBy('status')) as Array<{ status: string; n: string | number }>;
      this.reset();
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: 'rcm_work_items_open',
    help: 'Open work items by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = (await db('work_items').where({ status: 'open' }).select('kind').count({ n: '*' }).groupBy('kind')) as Array<{ kind: string; n: string | number }>;
      this.reset();
      for (const r of rows) this.set({ kind: r.kind }, Number(r.n));
    },
  });
  new Gauge({
    name: 'rcm_work_items_completed_last_day',
    help: 'Work items completed in the last 24 hours, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const rows = (await db('work_items').where('completed_at', '>', db.raw(`now() - interval '1 day'`)).select('kind').count({ n: '*' }).groupBy('kind')) as Array<{ kind: string; n: string | number }>;
      this.reset();
      for (const r of rows) this.set({ kind: r.kind }, Number(r.n));
    },
  });
  new Gauge({
    name: 'rcm_posting_lag_business_days',
    help: 'Posting lag (ERA received to posted, business days, DOMAIN POST rules) of payments posted in the last 30 days: stat=avg|max',
    labelNames: ['stat'],
    registers: [registry],
    async collect() {
      const row = (await db('payments')
        .where('posted_at', '>', db.raw(`now() - interval '30 days'`))
        .whereNotNull('posting_lag_business_days')
        .first(db.raw('avg(posting_lag_business_days)::float as avg'), db.raw('max(posting_lag_business_days) as max'))) as { avg: number | null; max: number | null } | undefined;
      this.reset();
      if (row?.avg !== null && row?.avg !== undefined) {
        this.set({ stat: 'avg' }, Number(row.avg));
        this.set({ stat: 'max' }, Number(row.max));
      }
    },
  });
  return { registry };
}

/** Count and time every answer by its route pattern (never the URL: ids stay out of labels). */
export function instrumentRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'rcm_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames, registers: [metrics.registry] });
  const duration = new Histogram({ name: 'rcm_http_request_duration_seconds', help: 'HTTP request latency in seconds, by method, route pattern and status', labelNames, buckets: BUCKETS, registers: [metrics.registry] });
  app.addHook('onResponse', async (request, reply) => {
    // An unknown URL is one label value, not one per URL tried.
    const labels = { method: request.method, route: request.routeOptions.url ?? '(unmatched)', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
