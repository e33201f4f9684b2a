/**
 * POST /api/deposits: a bank deposit of a day (POST-7 reconciles posted payments against the day's
 * deposits). Several deposits on one day add up; a deposit sent again with the same `reference`
 * corrects that deposit instead of adding to the day.
 */
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
    { schema: { body: z.object({ practiceId: BusinessId, depositDate: WorkflowDate, amountCents: NonNegativeCents, reference: Text(80).optional() }) }, config: { access: { level: 'write' } } },
    async (request, reply) => {
      const d = request.body;
      if (!(await app.db('practices').where({ id: d.practiceId }).first('id'))) throw badRequest(`unknown practice "${d.practiceId}"`, 'practiceId');
      if (d.reference) {
        await app.db.raw(
          `insert into deposits (practice_id, deposit_date, amount_cents, reference) values (?, ?, ?, ?)
           on conflict (practice_id, deposit_date, reference) where reference is not null do update set amount_cents = excluded.amount_cents`,
          [d.practiceId, d.depositDate, d.amountCents, d.reference],
        );
      } else {
        await app.db('deposits').insert({ practice_id: d.practiceId, deposit_date: d.depositDate, amount_cents: d.amountCents, reference: null });
      }
      const [day] = await app.db('deposits').where({ practice_id: d.practiceId, deposit_date: d.depositDate }).sum<{ total: string }[]>('amount_cents as total').count('* as n');
      return reply.status(201).send({ ...d, dayTotalCents: Number(day.total), depositsThatDay: Number((day as unknown as { n: string }).n) });
    },
  );
}
