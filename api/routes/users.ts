/**
 * /api/users (admin): add a user with a role and practices (its token answered once, stored only
 * as a hash), list users, revoke a user and every token it has. The CLI `rcm users` does the same
 * on the database directly (db/users.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BusinessId } from '../../domain/claim-document';
import { ROLES, USER_NAME_PATTERN, UserError, createUser, listUsers, revokeUser } from '../../db/users';
import { HttpError, badRequest, conflict, notFound } from '../errors';

const UserName = z.string().regex(USER_NAME_PATTERN, 'letters, digits, ".", "_", "@" and "-" only (1-64)');
const NewUserBody = z.object({
  name: UserName,
  role: z.enum(ROLES),
  /** Practice ids, or "*" for every practice (present and future). Admins always have every practice. */
  practiceIds: z.union([z.literal('*'), z.array(BusinessId).min(1)]).optional(),
  /** When the token stops working: an instant, or a date (00:00 UTC of that day). */
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
});

const mapUserError = (err: unknown): HttpError | undefined => {
  if (!(err instanceof UserError)) return undefined;
  if (err.kind === 'exists') return conflict(err.message);
  if (err.kind === 'not_found') return notFound(`user ${err.message.replace(/^user (.*) not found$/, '$1')}`);
  return badRequest(err.message, err.field);
};

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/users', { schema: { body: NewUserBody }, config: { access: { level: 'admin' } } }, async (request, reply) => {
    const b = request.body;
    try {
      const { user, token, expiresAt } = await createUser(app.db, {
        name: b.name,
        role: b.role,
        practiceIds: b.practiceIds === '*' ? 'all' : b.practiceIds,
        expiresAt: b.expiresAt,
        createdBy: request.user!.name,
      });
      return reply
        .status(201)
        .header('Cache-Control', 'no-store')
        .send({ name: user.name, role: user.role, practiceIds: user.practiceIds === 'all' ? '*' : user.practiceIds, expiresAt, token });
    } catch (err) {
      throw mapUserError(err) ?? err;
    }
  });

  /** Who the token belongs to (the web app shows it after sign-in): name, role, practices, and expiry. */
  app.get('/me', { config: { access: { level: 'read' } } }, async (request) => {
    const user = request.user!;
    const practices = await request.access.scoped(app.db('practices'), 'id').orderBy('id').select('id', 'name', 'time_zone');
    return {
      name: user.name,
      role: user.role,
      practiceIds: user.practiceIds === 'all' ? '*' : user.practiceIds,
      practices: practices.map((p: Record<string, string>) => ({ practiceId: p.id, name: p.name, timeZone: p.time_zone })),
    };
  });

  app.get('/users', { config: { access: { level: 'admin' } } }, async () => {
    return { users: await listUsers(app.db) };
  });

  app.post('/users/:name/revoke', { schema: { params: z.object({ name: UserName }) }, config: { access: { level: 'admin' } } }, async (request) => {
    try {
      return await revokeUser(app.db, request.params.name);
    } catch (err) {
      throw mapUserError(err) ?? err;
    }
  });
}
