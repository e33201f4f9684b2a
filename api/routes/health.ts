import type { FastifyInstance } from 'fastify';
import { userForToken } from '../tokens';

/**
 * Liveness plus dependencies: 200 when Postgres and Temporal answer, 503 naming what does not. Why
 * a dependency is down (its error, which names internal hosts and ports) is told only to a caller
 * with a valid token; a load balancer's unauthenticated probe gets the statuses.
 */
export async function healthRoutes(app: FastifyInstance) {
  app.get('/health', async (request, reply) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout after 3s')), 3000))]);
        return { status: 'ok' as const };
      } catch (err) {
        return { status: 'down' as const, error: (err as Error).message.split('\n')[0] };
      }
    };
    const [postgres, temporal] = await Promise.all([
      check(() => app.db.raw('select 1')),
      // With a deadline the client stops retrying when the check gives up (a dead server's retries
      // would otherwise outlive the request, and the connection's close).
      check(() => app.temporal.connection.withDeadline(Date.now() + 3000, () => app.temporal.workflowService.getSystemInfo({}))),
    ]);
    const ok = postgres.status === 'ok' && temporal.status === 'ok';
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const trusted = token !== undefined && postgres.status === 'ok' && (await userForToken(app.db, token)) !== undefined;
    const shown = (d: { status: 'ok' | 'down'; error?: string }) => (trusted ? d : { status: d.status });
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', dependencies: { postgres: shown(postgres), temporal: shown(temporal) } });
  });
}
