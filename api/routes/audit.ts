/**
 * GET /api/audit?practiceId=&year=: the revenue-gap audit (DOMAIN.md §6) — per rule family, how
 * often a rule was not met in the year and the dollars attached, largest first. Figures come from
 * the read model (db/audit.ts, which says which date puts a figure in the year); ranking and
 * totals from domain/audit.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildAudit } from '../../domain/audit';
import { auditRows } from '../../db/audit';
import { badRequest } from '../errors';
import { Text } from '../../domain/primitives';

export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/audit',
    {
      schema: {
        querystring: z.object({
          practiceId: Text(64, 1),
          year: z.coerce.number().int().min(2000).max(2100).optional(),
        }),
      },
      config: { access: { level: 'read' } },
    },
    async (request) => {
      const now = new Date();
      const { practiceId } = request.query;
      const year = request.query.year ?? now.getUTCFullYear();
      if (!(await app.db('practices').where({ id: practiceId }).first('id'))) throw badRequest(`unknown practice "${practiceId}"`, 'practiceId');
      const rows = await auditRows(app.db, { practiceId, year, asOf: now.toISOString().slice(0, 10) });
      const audit = buildAudit(rows);
      return { practiceId, year, generatedAt: now.toISOString(), families: audit.families, findings: audit.findings, totals: audit.totals };
    },
  );

  // *Added (issue 15)*: the claims behind one figure of the audit (the dashboard's drill-down),
  // largest first: the same queries as GET /audit, so the list and the figure cannot disagree.
  app.get(
    '/audit/claims',
    {
      schema: {
        querystring: z.object({
          practiceId: Text(64, 1),
          year: z.coerce.number().int().min(2000).max(2100).optional(),
          /** Without ruleId / metric: the claims behind every claim figure of the year. */
          ruleId: Text(20, 1).optional(),
          metric: Text(100, 1).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      config: { access: { level: 'read', phi: 'claim' } },
    },
    async (request) => {
      const now = new Date();
      const { practiceId, ruleId, metric, limit } = request.query;
      const year = request.query.year ?? now.getUTCFullYear();
      if (!(await app.db('practices').where({ id: practiceId }).first('id'))) throw badRequest(`unknown practice "${practiceId}"`, 'practiceId');
      const rows = (await auditRows(app.db, { practiceId, year, asOf: now.toISOString().slice(0, 10) })).filter((r) => (!ruleId || r.ruleId === ruleId) && (!metric || r.metric === metric));
      const about = rows.some((r) => r.claimIds) ? 'claims' : rows.length ? 'not_claims' : 'no_such_figure';
      const ids = [...new Set(rows.flatMap((r) => r.claimIds ?? []))];
      const claims = ids.length
        ? await app.db('claims')
            .where({ practice_id: practiceId })
            .whereIn('claim_id', ids)
            .orderBy([{ column: 'billed_cents', order: 'desc' }, { column: 'claim_id' }])
            .limit(limit)
            .select('claim_id', 'payer_id', 'service_date', 'status', 'billed_cents', 'dollars_at_risk_cents')
        : [];
      return {
        practiceId,
        year,
        ruleId,
        metric,
        /** `claims`: the figure is about claims; `not_claims`: appointments, authorizations, credentials or deposits; `no_such_figure`: nothing found for this rule and metric. */
        about,
        total: ids.length,
        claims: claims.map((c: Record<string, any>) => ({ claimId: c.claim_id, payerId: c.payer_id, serviceDate: c.service_date, status: c.status, billedCents: c.billed_cents })),
      };
    },
  );
}
