/**
 * The web app's read routes (issue 15): the practice dashboard (KPIs, AR aging by payer, coming
 * deadlines) and "Find a claim". SQL in db/kpis.ts; both are scoped like every /api list.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { arAging, comingDeadlines, NOT_AR, OPEN_AR_SQL, practiceKpis, practiceToday, recentActivity, searchClaims } from '../../db/kpis';
import { denialMatrix, monthlyTrends, providerKpis } from '../../db/charts';
import { notFound } from '../errors';
import { dollars, sendCsv } from '../csv';
import { IsoDate } from '../../domain/primitives';

export async function dashboardRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  /** The practice asked for (without one: the caller's first), in scope, with its "today". */
  async function selectedPractice(request: FastifyRequest, asked: string | undefined) {
    const practiceId = asked ?? (await request.access.scoped(app.db('practices'), 'id').orderBy('id').first('id'))?.id;
    if (!practiceId) throw notFound('practice');
    request.access.assertPractice(practiceId, 'read', `practice ${practiceId}`);
    const practice = await app.db('practices').where({ id: practiceId }).first('id', 'name', 'time_zone');
    if (!practice) throw notFound(`practice ${practiceId}`);
    return { practice, today: practiceToday(practice.time_zone ?? 'America/New_York') };
  }

  app.get(
    '/dashboard',
    { schema: { querystring: z.object({ practiceId: z.string().min(1).max(64).optional() }) }, config: { access: { level: 'read', list: true } } },
    async (request) => {
      const { practice, today } = await selectedPractice(request, request.query.practiceId);
      const practiceId = practice.id;
      const started = process.hrtime.bigint();
      const [kpis, aging, deadlines, activity] = await Promise.all([practiceKpis(app.db, practiceId, today), arAging(app.db, practiceId, today), comingDeadlines(app.db, practiceId, today), recentActivity(app.db, practiceId)]);
      const queryMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { practiceId, practiceName: practice.name, asOf: today, computedAt: new Date().toISOString(), queryMs: Math.round(queryMs * 10) / 10, kpis, aging, deadlines, activity };
    },
  );

  // The dashboard's charts: 12-month trends, denials by CPT × payer × CARC (DEN-7), KPIs per provider.
  app.get(
    '/dashboard/charts',
    { schema: { querystring: z.object({ practiceId: z.string().min(1).max(64).optional() }) }, config: { access: { level: 'read', list: true } } },
    async (request) => {
      const { practice, today } = await selectedPractice(request, request.query.practiceId);
      const started = process.hrtime.bigint();
      const [trends, denials, providers] = await Promise.all([monthlyTrends(app.db, practice.id, today), denialMatrix(app.db, practice.id, today), providerKpis(app.db, practice.id, today, OPEN_AR_SQL, NOT_AR)]);
      const queryMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { practiceId: practice.id, asOf: today, queryMs: Math.round(queryMs * 10) / 10, trends, denials, providers };
    },
  );

  // CSV of the AR aging by payer and of the denials (issue 15: every list exports).
  app.get(
    '/dashboard/aging.csv',
    { schema: { querystring: z.object({ practiceId: z.string().min(1).max(64) }) }, config: { access: { level: 'read' } } },
    async (request, reply) => {
      const { practice, today } = await selectedPractice(request, request.query.practiceId);
      const rows = await arAging(app.db, practice.id, today);
      return sendCsv(
        reply,
        `ar-aging-${practice.id}-${today}`,
        ['practice_id', 'as_of', 'payer_id', 'days_0_30', 'days_31_60', 'days_61_90', 'days_over_90', 'total'],
        rows.map((r) => [practice.id, today, r.payerId, dollars(r.b0_30), dollars(r.b31_60), dollars(r.b61_90), dollars(r.b90plus), dollars(r.totalCents)]),
      );
    },
  );

  app.get(
    '/denials/export.csv',
    {
      schema: { querystring: z.object({ practiceId: z.string().min(1).max(64), status: z.string().max(40).optional(), since: IsoDate.optional() }) },
      config: { access: { level: 'read', phi: 'claim' } },
    },
    async (request, reply) => {
      const { practiceId, status, since } = request.query;
      // practiceId is checked against the caller's practices before the handler (404 otherwise).
      const q = app.db('denials as d').join('claims as c', (j) => j.on('c.practice_id', 'd.practice_id').andOn('c.claim_id', 'd.claim_id')).where('d.practice_id', practiceId);
      if (status) q.where('d.status', status);
      if (since) q.where('d.denial_date', '>=', since);
      const rows = await q
        .orderBy([{ column: 'd.denial_date', order: 'desc' }, { column: 'd.id' }])
        .limit(50_000)
        .select('d.claim_id', 'd.practice_id', 'd.payer_id', 'd.cpt_codes', 'd.carc', 'd.rarcs', 'd.category', 'd.kind', app.db.raw('d.denial_date::text as denial_date'), app.db.raw('d.action_due::text as action_due'), app.db.raw('d.appeal_deadline::text as appeal_deadline'), 'd.status', 'c.billed_cents');
      return sendCsv(
        reply,
        `denials-${practiceId}`,
        ['claim_id', 'practice_id', 'payer_id', 'cpt_codes', 'carc', 'rarcs', 'category', 'kind', 'denial_date', 'action_due', 'appeal_deadline', 'status', 'claim_billed'],
        rows.map((r: Record<string, any>) => [r.claim_id, r.practice_id, r.payer_id, r.cpt_codes, r.carc, r.rarcs, r.category, r.kind, r.denial_date, r.action_due, r.appeal_deadline, r.status, dollars(r.billed_cents)]),
      );
    },
  );

  app.get(
    '/claim-search',
    {
      schema: { querystring: z.object({ q: z.string().max(100).default(''), practiceId: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      config: { access: { level: 'read', list: true, phi: 'claim' } },
    },
    async (request) => {
      const { q, practiceId, limit } = request.query;
      const scope = practiceId ? [practiceId] : request.access.user.practiceIds;
      return { claims: await searchClaims(app.db, q, scope, limit) };
    },
  );
}
