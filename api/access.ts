/**
 * Access control for every /api route, in one place.
 *
 * Each route declares an `access` rule in its route config (`config: { access: { … } }`); a route
 * without one is refused at start-up (see `accessRoutes` in api/app.ts), and the role × practice ×
 * route test is generated from the same table. Before a route's body is validated, `authorizeRoute`:
 *
 *  1. checks the role against the rule's level — `read` (every role), `write` (admin, biller,
 *     approver: viewer and provider only read), `admin`;
 *  2. resolves the object the URL addresses (`entity`: claim, appointment, authorization,
 *     provider, work item, practice, patient) to its practice — read model first, else the workflow's
 *     `PracticeId` search attribute — and answers 404 for a read and 403 naming the practice for a
 *     write when it is another practice's;
 *  3. checks every practice the request names: a `practiceId` query filter (outside the caller's
 *     practices → 404, as if the practice did not exist), a `practiceId` in the body or in the
 *     body's `claim` (→ 403 naming the practice).
 *
 * List routes narrow their queries with `request.access.scoped(query)`; routes whose practices are
 * only known inside the handler (an ERA names its claims) call `request.access.assertPractice`.
 * Admins (and users granted every practice) skip the practice checks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { WorkflowNotFoundError } from '@temporalio/client';
import { HttpError, notFound } from './errors';
import { WRITE_ROLES, type ApiUser, type Role } from './tokens';
import { resolveClaimRef } from './claim-ref';
import { eligibilityWorkflowId } from '../contracts/eligibility';
import { authorizationWorkflowId } from '../contracts/authorization';
import { credentialWorkflowId } from '../contracts/credential';
import { PracticeId } from '../contracts/search-attributes';

export const ENTITY_KINDS = ['claim', 'appointment', 'authorization', 'provider', 'workItem', 'practice', 'patient'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export type AccessLevel = 'read' | 'write' | 'admin';
export const PHI_KINDS = ['claim', 'appointment', 'authorization', 'patient'] as const;
export type PhiKind = (typeof PHI_KINDS)[number];
export type AccessRule = {
  /** `read`: every role; `write`: admin, biller, approver; `admin`: admins only. */
  level: AccessLevel;
  /** The practice-owned object named by the route's URL parameter (see ENTITIES). */
  entity?: EntityKind;
  /** The handler narrows its query to the caller's practices (`request.access.scoped`). */
  list?: boolean;
  /** Why the handler itself checks practices with `request.access.assertPractice` (the practices are inside the body). */
  handlerChecks?: string;
  /** The route reads or changes PHI of this kind: every call is written to the access log (api/access-log.ts). */
  phi?: PhiKind;
  /** *Added (issue 15)*: only these roles, on top of the level (e.g. raw X12 documents: not a provider), and why. */
  roles?: { allowed: readonly Role[]; why: string };
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
}

const LEVEL_ROLES: Record<AccessLevel, readonly Role[]> = {
  read: ['admin', 'biller', 'approver', 'viewer', 'provider'],
  write: WRITE_ROLES,
  admin: ['admin'],
};

type EntitySpec = {
  param: string;
  label: string;
  practiceOf(db: Knex, id: string): Promise<string | undefined>;
  /**
   * Ids unique only within a practice (patients: two practices may both have "PT-1001"): every
   * practice holding the id. The caller passes when it may see one of them; the handler picks it
   * (`?practiceId=` when it sees several).
   */
  practicesOf?(db: Knex, id: string): Promise<string[]>;
  workflowId?: (id: string) => string;
};
const column = (table: string, key: string) => async (db: Knex, id: string) => (await db(table).where({ [key]: id }).first('practice_id'))?.practice_id as string | undefined;

/** Where each kind of object keeps its practice. */
export const ENTITIES: Record<EntityKind, EntitySpec> = {
  // Claim ids are unique per practice (issue 13): resolved by api/claim-ref.ts (request.claimRef).
  claim: {
    param: 'claimId',
    label: 'claim',
    practiceOf: column('claims', 'claim_id'),
    practicesOf: async (db, id) => (await db('claims').where({ claim_id: id }).orderBy('practice_id').pluck('practice_id')) as string[],
  },
  appointment: { param: 'appointmentId', label: 'appointment', practiceOf: column('appointments', 'appointment_id'), workflowId: eligibilityWorkflowId },
  authorization: { param: 'authId', label: 'authorization', practiceOf: column('authorizations', 'auth_id'), workflowId: authorizationWorkflowId },
  provider: { param: 'npi', label: 'provider', practiceOf: column('providers', 'npi'), workflowId: credentialWorkflowId },
  workItem: {
    param: 'id',
    label: 'work item',
    practiceOf: async (db, id) => (/^\d{1,15}$/.test(id) ? ((await db('work_items').where({ id: Number(id) }).first('practice_id'))?.practice_id as string | undefined) : undefined),
  },
  practice: { param: 'practiceId', label: 'practice', practiceOf: async (db, id) => (await db('practices').where({ id }).first('id'))?.id as string | undefined },
  patient: {
    param: 'patientId',
    label: 'patient',
    practiceOf: column('patients', 'id'),
    practicesOf: async (db, id) => (await db('patients').where({ id }).orderBy('practice_id').pluck('practice_id')) as string[],
  },
};

export class Access {
  constructor(readonly user: ApiUser) {}

  get allPractices(): boolean {
    return this.user.practiceIds === 'all';
  }

  canSee(practiceId: string): boolean {
    return this.user.practiceIds === 'all' || this.user.practiceIds.includes(practiceId);
  }

  requireRole(roles: readonly Role[], message: string): void {
    if (!roles.includes(this.user.role)) throw new HttpError(403, 'forbidden', message);
  }

  /**
   * Refuses a practice outside the caller's scope: a read answers 404 (`what` not found, as if it
   * did not exist), a write 403 naming the practice.
   */
  assertPractice(practiceId: string, mode: 'read' | 'write', what: string): void {
    if (this.canSee(practiceId)) return;
    if (mode === 'read') throw notFound(what);
    const message = what === `practice ${practiceId}` ? `practice ${practiceId} is not one of this token's practices` : `${what} belongs to practice ${practiceId}, which this token may not change`;
    throw new HttpError(403, 'forbidden', message, { practiceId });
  }

  /** The query narrowed to the caller's practices (`column` holds the practice id). */
  scoped<T extends Knex.QueryBuilder>(query: T, column = 'practice_id'): T {
    const ids = this.user.practiceIds;
    return ids === 'all' ? query : (query.whereIn(column, ids) as T);
  }
}

async function practiceOfEntity(app: FastifyInstance, spec: EntitySpec, id: string): Promise<string | undefined> {
  const fromReadModel = await spec.practiceOf(app.db, id);
  if (fromReadModel || !spec.workflowId) return fromReadModel;
  // Just started: the workflow exists, its read-model row not yet. Its PracticeId search attribute
  // is set at start.
  try {
    const described = await app.temporal.workflow.getHandle(spec.workflowId(id)).describe();
    return described.typedSearchAttributes.get(PracticeId) ?? undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);

/**
 * The practice of the entity a request's URL names, as the scope check resolved it, so the access
 * log does not look it up a second time (one query less per claim page; bench:api, issue 16).
 */
export const entityPracticeOf = new WeakMap<FastifyRequest, { entity: string; id: string; practiceId: string }>();

/** The checks every /api route runs before its body is validated (see the module comment). */
export async function authorizeRoute(app: FastifyInstance, request: FastifyRequest, rule: AccessRule): Promise<void> {
  const access = request.access;
  const { role } = access.user;
  if (!LEVEL_ROLES[rule.level].includes(role)) {
    throw new HttpError(403, 'forbidden', rule.level === 'admin' ? 'only an admin may do this' : `a ${role} token can read, not change anything`);
  }
  if (rule.roles && !rule.roles.allowed.includes(role)) throw new HttpError(403, 'forbidden', `a ${role} token may not do this: ${rule.roles.why}`);
  const mode = rule.level === 'read' ? 'read' : 'write';
  const query = request.query as Record<string, unknown> | undefined;
  const filtered = str(query?.practiceId);
  if (filtered && !access.allPractices) access.assertPractice(filtered, 'read', `practice ${filtered}`);
  if (rule.entity === 'claim') {
    // Claim ids are unique per practice: which claim the URL names, among the caller's practices (api/claim-ref.ts).
    const id = str((request.params as Record<string, unknown> | undefined)?.claimId);
    if (id) request.claimRef = await resolveClaimRef(app, access, id, filtered, mode);
  }
  if (access.allPractices) return;
  if (rule.entity && rule.entity !== 'claim') {
    const spec = ENTITIES[rule.entity];
    const id = str((request.params as Record<string, unknown> | undefined)?.[spec.param]);
    if (id && spec.practicesOf) {
      const practices = await spec.practicesOf(app.db, id);
      if (practices.length && !practices.some((p) => access.canSee(p))) access.assertPractice(practices[0], mode, `${spec.label} ${id}`);
    } else if (id) {
      const practiceId = await practiceOfEntity(app, spec, id);
      if (practiceId) {
        entityPracticeOf.set(request, { entity: rule.entity, id, practiceId });
        access.assertPractice(practiceId, mode, `${spec.label} ${id}`);
      }
    }
  }
  if (mode === 'write' && request.body && typeof request.body === 'object') {
    const body = request.body as Record<string, unknown>;
    const named = [str(body.practiceId), str((body.claim as Record<string, unknown> | undefined)?.practiceId)].filter((p): p is string => Boolean(p));
    for (const p of named) access.assertPractice(p, 'write', `practice ${p}`);
  }
}

/** A route as the access table lists it (the matrix test is generated from these). */
export type AccessRoute = { method: string; url: string; rule: AccessRule };

/** Refuses, at registration, an /api route without an access rule or whose level contradicts its method. */
export function checkRouteRule(method: string, url: string, rule: AccessRule | undefined): AccessRule {
  if (!rule) throw new Error(`route ${method} ${url} has no access rule (config.access): every /api route declares who may call it`);
  if (method === 'GET' && rule.level === 'write') throw new Error(`route GET ${url}: a GET route cannot be a write`);
  if (method !== 'GET' && method !== 'HEAD' && rule.level === 'read') throw new Error(`route ${method} ${url}: a ${method} route changes something; declare level write or admin`);
  if (rule.entity && !url.includes(`:${ENTITIES[rule.entity].param}`)) throw new Error(`route ${method} ${url}: entity ${rule.entity} needs the URL parameter :${ENTITIES[rule.entity].param}`);
  // A URL that names a practice-owned object must say which kind, so the object's practice is checked.
  for (const [kind, spec] of Object.entries(ENTITIES)) {
    if (!rule.entity && new RegExp(`:${spec.param}(/|$)`).test(url)) throw new Error(`route ${method} ${url}: its :${spec.param} names a ${kind}; declare entity '${kind}' so its practice is checked`);
  }
  return rule;
}

/**
 * `GET /metrics` (Prometheus, outside /api): request counts and latencies by route, claims by
 * status and open work items by kind, summed over every practice — no PHI, but one practice's user
 * must not learn another's volumes. So: any valid token whose scope is every practice (an admin,
 * or a user granted `"*"`, e.g. a `viewer` made for the Prometheus scraper); a token of some
 * practices only is 403; no or a bad token 401 (counted by the failed-authentication limit).
 */
export function mayReadMetrics(user: ApiUser): boolean {
  return user.practiceIds === 'all';
}
