/**
 * The access log (HIPAA audit controls): every call of a route that reads or changes PHI — a claim,
 * an appointment, an authorization, a patient (the route's `access.phi`) — is recorded before its answer goes
 * out: who (user and role), when, what (route pattern, entity and its id, practice, action, answer
 * status), from which address. Ids only, never the PHI itself (no names, birth dates, member ids,
 * bodies). If the row cannot be written the caller gets a 500, not unlogged PHI.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ENTITIES, entityPracticeOf, type PhiKind } from './access';
import { isStorableText } from '../domain/primitives';

/** Where a create request carries the new object's id. */
const CREATED_ID: Record<PhiKind, string> = { claim: 'claimId', appointment: 'appointmentId', authorization: 'authId', patient: 'patientId' };

/**
 * An id from the request as the log may store it: a non-empty string PostgreSQL can hold. A refused
 * request (400 for a NUL in its body) is logged too, without the id it could not carry.
 */
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length && v.length <= 200 && isStorableText(v) ? v : undefined);

/** The patient whose PHI the call touched: the patient itself, or a claim's patient (its document). */
async function patientOf(app: FastifyInstance, kind: PhiKind, entityId: string | null, body: Record<string, unknown>, practiceId: string | null): Promise<string | null> {
  if (kind === 'patient') return entityId;
  if (kind !== 'claim') return null;
  const fromBody = str((body.patient as Record<string, unknown> | undefined)?.id) ?? str(((body.claim as Record<string, unknown> | undefined)?.patient as Record<string, unknown> | undefined)?.id);
  if (fromBody) return fromBody;
  if (!entityId) return null;
  const q = app.db('claims').where({ claim_id: entityId });
  if (practiceId) q.where({ practice_id: practiceId });
  return ((await q.first(app.db.raw(`document->'patient'->>'id' as patient_id`)))?.patient_id as string | undefined) ?? null;
}

export async function writeAccessLog(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, kind: PhiKind): Promise<void> {
  const user = request.user;
  if (!user) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
  const fromParams = str(params[ENTITIES[kind].param]);
  const fromBody = str(body[CREATED_ID[kind]]);
  // An id refused at the edge (a NUL or lone surrogate) is logged too: escaped, never looked up
  // (PostgreSQL cannot hold or compare such text).
  const rawParam = params[ENTITIES[kind].param];
  const unstorable = typeof rawParam === 'string' && !isStorableText(rawParam) ? JSON.stringify(rawParam).slice(1, -1).slice(0, 200) : undefined;
  const lookupId = fromParams ?? fromBody ?? null;
  const entityId = lookupId ?? unstorable ?? null;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const practiceId = str(body.practiceId) ?? str(params.practiceId) ?? str(query.practiceId) ?? null;
  const action = request.method === 'GET' ? 'read' : typeof params[ENTITIES[kind].param] === 'string' ? 'change' : 'create';
  // A claim id is unique per practice: the claim the route resolved (api/claim-ref.ts) names its practice;
  // otherwise the practice the scope check already found (no second lookup).
  const memo = entityPracticeOf.get(request);
  const checked = memo && memo.entity === kind && memo.id === lookupId ? memo.practiceId : undefined;
  const resolvedPractice = (kind === 'claim' ? request.claimRef?.practiceId : undefined) ?? practiceId ?? checked ?? (lookupId ? await practiceOf(app, request, kind, lookupId) : null);
  await app.db('access_log').insert({
    user_name: user.name,
    role: user.role,
    action,
    method: request.method,
    route: request.routeOptions.url ?? '(unknown)',
    entity_type: kind,
    entity_id: entityId,
    practice_id: resolvedPractice,
    patient_id: await patientOf(app, kind, lookupId, body, resolvedPractice),
    status_code: reply.statusCode,
    ip: request.ip,
    request_id: request.id,
  });
}

async function practiceOf(app: FastifyInstance, request: FastifyRequest, kind: PhiKind, id: string): Promise<string | null> {
  const spec = ENTITIES[kind];
  // A patient id is unique per practice: the one of the caller's practices that holds it.
  if (spec.practicesOf) return (await spec.practicesOf(app.db, id)).find((p) => request.access?.canSee(p)) ?? null;
  return (await spec.practiceOf(app.db, id)) ?? null;
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
  patientId: r.patient_id ?? undefined,
  statusCode: r.status_code,
  ip: r.ip ?? undefined,
  requestId: r.request_id ?? undefined,
});

/**
 * GET /api/access-log?userName=&entityId=&entityType=&practiceId=&patientId=&since=&limit= (admins),
 * newest first. `patientId`: every read or change of that patient's PHI — the patient routes and
 * its claims (add `practiceId` when two practices use the same patient id).
 */
export async function accessLogRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/access-log',
    {
      schema: {
        querystring: z.object({
          userName: z.string().max(64).optional(),
          entityId: z.string().max(64).optional(),
          entityType: z.enum(['claim', 'appointment', 'authorization', 'patient']).optional(),
          practiceId: z.string().max(64).optional(),
          patientId: z.string().max(80).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      config: { access: { level: 'admin' } },
    },
    async (request) => {
      const { userName, entityId, entityType, practiceId, patientId, since, limit } = request.query;
      const q = app.db('access_log');
      if (userName) q.where({ user_name: userName });
      if (entityId) q.where({ entity_id: entityId });
      if (entityType) q.where({ entity_type: entityType });
      if (practiceId) q.where({ practice_id: practiceId });
      if (patientId) q.where({ patient_id: patientId });
      if (since) q.where('at', '>=', since);
      const rows = await q.orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
      return { entries: rows.map(view) };
    },
  );
}
