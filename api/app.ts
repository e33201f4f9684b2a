/**
 * The HTTP API as one Fastify plugin tree: config and dependencies are decorated on the instance,
 * one error handler, bearer-token auth on /api, and one route module per resource. Routes call
 * Temporal or read Postgres; business rules live in domain/ and workflows/.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import swagger from '@fastify/swagger';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import {
  jsonSchemaTransform,
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { HttpError } from './errors';
import { edgeGuard } from './edge';
import { userForToken, type ApiUser } from './tokens';
import type { Config } from '../lib/config';
import type { AesGcmCodec } from '../lib/codec';
import type { createInbound } from '../ingest/inbound';
import { healthRoutes } from './routes/health';
import { DEPENDENCY_NAMES, unavailableDependency } from '../lib/unavailable';
import { appointmentRoutes } from './routes/appointments';
import { authorizationRoutes } from './routes/authorizations';
import { claimRoutes } from './routes/claims';
import { claimImportRoutes } from './routes/claim-import';
import { codecRoutes } from './routes/codec';
import { providerRoutes } from './routes/providers';
import { claimActionRoutes } from './routes/claim-actions';
import { remittanceRoutes } from './routes/remittances';
import { workItemRoutes } from './routes/work-items';
import { depositRoutes } from './routes/deposits';
import { auditRoutes } from './routes/audit';
import { patientRoutes } from './routes/patients';
import { practiceRoutes } from './routes/practices';
import { userRoutes } from './routes/users';
import { accessLogRoutes, writeAccessLog } from './access-log';
import { Access, authorizeRoute, checkRouteRule, type AccessRoute } from './access';
import { registerWeb, sessionToken, WEB_HEADER } from './web';
import { dashboardRoutes } from './routes/dashboard';
import { metricsRoutes } from './routes/metrics';
import { createApiMetrics, instrumentRequests } from './metrics';

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex;
    temporal: Client;
    config: Pick<Config, 'temporalNamespace' | 'temporalUiOrigin'>;
    codec: AesGcmCodec;
    inbound: ReturnType<typeof createInbound>;
    /** Every /api route with its access rule, in registration order (the access matrix test reads it). */
    accessRoutes: AccessRoute[];
    /** Failed authentications allowed per client address and window (/api and /codec). */
    authFailureLimit: { max: number; timeWindowMs: number };
  }
  interface FastifyRequest {
    user?: ApiUser;
    /** Why authentication failed (answered 401 after the failure rate limit has counted it). */
    authFailure?: HttpError;
    /** The caller's rights on /api routes (see api/access.ts). */
    access: Access;
  }
}

export type AppDeps = {
  db: Knex;
  temporal: Client;
  codec: AesGcmCodec;
  inbound: ReturnType<typeof createInbound>;
  config: Pick<Config, 'temporalNamespace' | 'temporalUiOrigin'>;
  logger?: boolean | object;
  /** Failed authentications allowed per client address and window before 429 (default 30 a minute). */
  authFailureLimit?: { max: number; timeWindowMs: number };
};

/** Default request body limit; routes that need more or less say so (claims 256 KiB, remittances 50 MiB). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

function instancePathToDots(p: string): string {
  return p.replace(/^\//, '').split('/').filter(Boolean).join('.') || '(root)';
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Request logs name the route pattern (/api/claims/:claimId), never the URL: claim, patient and
    // member identifiers in paths and query strings stay out of the logs.
    logger:
      deps.logger && typeof deps.logger === 'object'
        ? {
            ...deps.logger,
            serializers: {
              req: (req: { method: string; id: string; routeOptions?: { url?: string } }) => ({ method: req.method, route: req.routeOptions?.url ?? '(unmatched)', reqId: req.id }),
            },
          }
        : deps.logger ?? false,
    // Request bodies are never logged (they carry PHI); fastify logs method, url and status only.
    // 1 MiB by default (a claim document is a few KiB; its route allows 256 KiB, far under
    // Temporal's 2 MB payload limit); only POST /api/remittances takes large 835 files.
    bodyLimit: DEFAULT_BODY_LIMIT,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('db', deps.db);
  app.decorate('temporal', deps.temporal);
  app.decorate('config', deps.config);
  app.decorate('codec', deps.codec);
  app.decorate('inbound', deps.inbound);
  app.decorate('accessRoutes', [] as AccessRoute[]);
  app.decorate('authFailureLimit', deps.authFailureLimit ?? { max: 30, timeWindowMs: 60_000 });
  app.decorateRequest('user', undefined);
  app.decorateRequest('authFailure', undefined);
  app.decorateRequest('access', undefined as unknown as Access);
  // Every params/query/JSON body value must be storable (no NUL, no lone surrogate, bounded nesting).
  app.addHook('preValidation', edgeGuard);

  // X12 files arrive as text/plain (and the occasional application/edi-x12).
  app.addContentTypeParser(['text/plain', 'application/edi-x12', 'application/edi'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.status(400).send({
        error: 'invalid_request',
        message: `invalid ${err.validationContext ?? 'request'}`,
        issues: err.validation.map((v) => ({ path: instancePathToDots(v.instancePath), message: v.message })),
      });
    }
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send({ error: err.code, message: err.message, ...err.details });
    }
    const down = unavailableDependency(err);
    if (down) {
      // An outage, not a bug: say which dependency and when to try again.
      request.log.warn({ dependency: down, route: request.routeOptions.url }, 'dependency unavailable');
      return reply.status(503).header('retry-after', '30').send({ error: 'service_unavailable', message: `${DEPENDENCY_NAMES[down]} is unavailable or not answering; try again shortly`, dependency: down, requestId: request.id });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) {
      const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
      return reply.status(413).send({ error: 'payload_too_large', message: `request body larger than ${limit} bytes for ${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}` });
    }
    if (status < 500) {
      return reply.status(status).send({ error: (err as { code?: string }).code ?? 'bad_request', message: (err as Error).message });
    }
    // Log the context, hide the detail: a 5xx message can carry internals.
    // Log what went wrong without the database's row detail or parameters (they can carry PHI).
    const e = err as Error & { code?: string };
    request.log.error({ err: { type: e.name, message: e.message, code: e.code, stack: e.stack }, route: request.routeOptions.url }, 'request failed');
    return reply.status(status).send({ error: 'internal_error', message: 'internal error; see server log', requestId: request.id });
  });

  // OpenAPI generated from the same zod schemas that validate the routes: GET /openapi.json.
  await app.register(swagger, {
    openapi: {
      info: { title: 'rcm-pain API', version: '0.1.0', description: 'Revenue-cycle workflows for interventional pain practices (see README and CONTRACTS.md).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Security headers on every answer (helmet: nosniff, frame and referrer policies, a CSP); nothing
  // under /api or /codec (PHI, tokens) is cached by a browser or proxy.
  await app.register(helmet, { global: true });
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/codec/')) reply.header('Cache-Control', 'no-store');
  });

  // Prometheus: every answer counted and timed by route pattern; GET /metrics (api/routes/metrics.ts).
  const metrics = createApiMetrics(deps.db);
  instrumentRequests(app, metrics);
  await app.register(healthRoutes);
  await app.register(codecRoutes);
  await app.register(metricsRoutes, { metrics });
  await app.register(async (api) => {
    // Every /api route declares its access rule; one without is refused here, at start-up.
    api.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        const rule = checkRouteRule(method, route.url, route.config?.access);
        app.accessRoutes.push({ method, url: route.url, rule });
      }
    });
    // Authentication: a valid token sets the user; a failure is answered 401 in preParsing, after the
    // rate limit below has counted it (valid callers are never counted).
    api.addHook('onRequest', async (request) => {
      const header = request.headers.authorization;
      const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
      // The web app's session cookie (api/web.ts) carries the same token: same resolution below.
      const cookie = bearer ? undefined : sessionToken(request);
      const token = bearer ?? cookie;
      if (!token) {
        request.authFailure = new HttpError(401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
        return;
      }
      // A change made with the cookie must come from the app's own scripts (SameSite=Strict plus a
      // header a cross-site form cannot set).
      if (cookie && request.method !== 'GET' && request.method !== 'HEAD' && request.headers[WEB_HEADER] !== '1') {
        request.authFailure = new HttpError(403, 'forbidden', `a change made with the session cookie needs the ${WEB_HEADER}: 1 header`);
        return;
      }
      const user = await userForToken(deps.db, token);
      if (!user) {
        request.authFailure = new HttpError(401, 'unauthorized', 'invalid, expired or revoked token');
        return;
      }
      request.user = user;
      request.access = new Access(user);
    });
    const limit = app.authFailureLimit;
    await api.register(rateLimit, {
      global: true,
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      allowList: (request) => request.user !== undefined,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, 'rate_limited', `too many failed authentications from this address; retry in ${Math.ceil(context.ttl / 1000)} s`),
    });
    api.addHook('preParsing', async (request) => {
      if (request.authFailure) throw request.authFailure;
    });
    // HIPAA access log: every answer of a route that reads or changes PHI, written before it is sent.
    api.addHook('onSend', async (request, reply, payload) => {
      const kind = request.routeOptions.config?.access?.phi;
      if (kind && request.user) await writeAccessLog(app, request, reply, kind);
      return payload;
    });
    // Role and practice scope, before the body is validated: another practice's object is 404 on a
    // read and 403 on a write whatever the body holds (api/access.ts).
    api.addHook('preValidation', async (request) => {
      const rule = request.routeOptions.config.access;
      if (!rule) throw new HttpError(403, 'forbidden', 'no access rule for this route');
      await authorizeRoute(app, request, rule);
    });
    await api.register(claimRoutes);
    await api.register(claimImportRoutes);
    await api.register(claimActionRoutes);
    await api.register(remittanceRoutes);
    await api.register(workItemRoutes);
    await api.register(depositRoutes);
    // One route module per resource, one line each.
    await api.register(auditRoutes);
    await api.register(appointmentRoutes);
    await api.register(authorizationRoutes);
    await api.register(providerRoutes);
    await api.register(practiceRoutes);
    await api.register(patientRoutes);
    await api.register(userRoutes);
    await api.register(accessLogRoutes);
    await api.register(dashboardRoutes);
  }, { prefix: '/api' });
  await registerWeb(app);
  return app;
}
