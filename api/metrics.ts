/**
 * The API's Prometheus metrics (prom-client): HTTP requests by method, route pattern and status
 * (count and latency histogram), and, computed from the read model when scraped, claims by status
 * and open work items by kind, plus the Node process's own metrics. One registry per app, so
 * several apps in one process (tests) do not collide. Served by api/routes/metrics.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';

export type ApiMetrics = { registry: Registry };

/** Latency buckets (seconds): the read routes' targets sit at 50 ms p99. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createApiMetrics(db: Knex): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rcm_api_' });
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
