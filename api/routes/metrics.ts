import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { HttpError } from '../errors';
import { userForToken, type ApiUser } from '../tokens';
import { mayReadMetrics } from '../access';
import type { ApiMetrics } from '../metrics';

/**
 * `GET /metrics`: Prometheus text format. Who may read it: api/access.ts `mayReadMetrics` (a token
 * of every practice); failed authentications count against the caller's address as on /api.
 */
export async function metricsRoutes(app: FastifyInstance, opts: { metrics: ApiMetrics }) {
  const verdicts = new WeakMap<FastifyRequest, ApiUser | HttpError>();
  const identify = async (request: FastifyRequest): Promise<ApiUser | HttpError> => {
    const known = verdicts.get(request);
    if (known) return known;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const user = token ? await userForToken(app.db, token) : undefined;
    const verdict = !token
      ? new HttpError(401, 'unauthorized', 'metrics require a token: Authorization: Bearer <token>')
      : !user
        ? new HttpError(401, 'unauthorized', 'invalid, expired or revoked token')
        : mayReadMetrics(user)
          ? user
          : new HttpError(403, 'forbidden', 'metrics sum every practice: a token of every practice may read them (admin, or a user granted "*")');
    verdicts.set(request, verdict);
    return verdict;
  };
  const limit = app.authFailureLimit;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    allowList: async (request) => {
      const v = await identify(request);
      return !(v instanceof HttpError && v.statusCode === 401);
    },
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited', `too many failed authentications from this address; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const verdict = await identify(request);
    if (verdict instanceof HttpError) throw verdict;
    const body = await opts.metrics.registry.metrics();
    return reply.header('Cache-Control', 'no-store').type(opts.metrics.registry.contentType).send(body);
  });
}
