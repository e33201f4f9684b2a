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
