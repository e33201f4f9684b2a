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
import { auditRowsWithPricing } from '../../db/audit';
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
      const { rows, pricing } = await auditRowsWithPricing(app.db, { practiceId, year, asOf: now.toISOString().slice(0, 10) });
      const audit = buildAudit(rows);
      // *added*: which contract (version) or payer default priced the dollar figures.
      return { practiceId, year, generatedAt: now.toISOString(), families: audit.families, findings: audit.findings, totals: audit.totals, pricing };
    },
  );
}
