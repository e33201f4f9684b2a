/** POST /api/deposits: the bank deposit of a day (POST-7 reconciles posted payments against it). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NonNegativeCents, Text, WorkflowDate } from '../../domain/primitives';
import { IsoDate, BusinessId } from '../../domain/claim-document';
import { badRequest } from '../errors';

export async function depositRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/deposits',
    { schema: { body: z.object({ practiceId: BusinessId, depositDate: WorkflowDate, amountCents: NonNegativeCents, reference: Text(80).optional() }) } },
    async (request, reply) => {
      const d = request.body;
      if (!(await app.db('practices').where({ id: d.practiceId }).first('id'))) throw badRequest(`unknown practice "${d.practiceId}"`, 'practiceId');
      await app.db('deposits')
        .insert({ practice_id: d.practiceId, deposit_date: d.depositDate, amount_cents: d.amountCents, reference: d.reference ?? null })
        .onConflict(['practice_id', 'deposit_date'])
        .merge(['amount_cents', 'reference']);
      return reply.status(201).send(d);
    },
  );
}
