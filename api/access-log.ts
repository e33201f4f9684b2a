/**
 * The access log (HIPAA audit controls): every call of a route that reads or changes PHI — a claim,
 * an appointment, an authorization (the route's `access.phi`) — is recorded before its answer goes
 * out: who (user and role), when, what (route pattern, entity and its id, practice, action, answer
 * status), from which address. Ids only, never the PHI itself (no names, birth dates, member ids,
 * bodies). If the row cannot be written the caller gets a 500, not unlogged PHI.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ENTITIES, type PhiKind } from './access';
import { isStorableText } from '../domain/primitives';

/** Where a create request carries the new object's id. */
const CREATED_ID: Record<PhiKind, string> = { claim: 'claimId', appointment: 'appointmentId', authorization: 'authId' };

export async function writeAccessLog(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, kind: PhiKind): Promise<void> {
  const user = request.user;
  if (!user) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const fromParams = params[ENTITIES[kind].param];
  const fromBody = body[CREATED_ID[kind]];
  const rawId = typeof fromParams === 'string' ? fromParams : typeof fromBody === 'string' ? fromBody : null;
  // A request refused at the edge (a NUL or lone surrogate in its id) is logged too: its id escaped,
  // never looked up (PostgreSQL cannot hold or compare such text).
  const storable = rawId === null || isStorableText(rawId);
  const entityId = storable ? rawId : JSON.stringify(rawId).slice(1, -1).slice(0, 200);
  const practiceId = typeof body.practiceId === 'string' && isStorableText(body.practiceId) ? body.practiceId : null;
  const action = request.method === 'GET' ? 'read' : typeof fromParams === 'string' ? 'change' : 'create';
  await app.db('access_log').insert({
    user_name: user.name,
    role: user.role,
    action,
    method: request.method,
    route: request.routeOptions.url ?? '(unknown)',
    entity_type: kind,
    entity_id: entityId,
    practice_id: practiceId ?? (entityId && storable ? await practiceOf(app, kind, entityId) : null),
    status_code: reply.statusCode,
    ip: request.ip,
    request_id: request.id,
  });
}

async function practiceOf(app: FastifyInstance, kind: PhiKind, id: string): Promise<string | null> {
  return (await ENTITIES[kind].practiceOf(app.db, id)) ?? null;
}

const view = (r: Record<string, any>) => ({
  at: new Date(r.at).toISOString(),
  userName: r.user_name,
  role: r.role,
  action: r.action,
  method: r.method,
  route: r.route,
  entityType: r.entity_type,
  entityId: r.entity_id ?? undefined,
  practiceId: r.practice_id ?? undefined,
  statusCode: r.status_code,
  ip: r.ip ?? undefined,
  requestId: r.request_id ?? undefined,
});

/** GET /api/access-log?userName=&entityId=&entityType=&practiceId=&since=&limit= (admins), newest first. */
export async function accessLogRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/access-log',
    {
      schema: {
        querystring: z.object({
          userName: z.string().max(64).optional(),
          entityId: z.string().max(64).optional(),
          entityType: z.enum(['claim', 'appointment', 'authorization']).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      config: { access: { level: 'admin' } },
    },
    async (request) => {
      const { userName, entityId, entityType, since, limit } = request.query;
      const q = app.db('access_log');
      if (userName) q.where({ user_name: userName });
      if (entityId) q.where({ entity_id: entityId });
      if (entityType) q.where({ entity_type: entityType });
      if (since) q.where('at', '>=', since);
      const rows = await q.orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
      return { entries: rows.map(view) };
    },
  );
}
