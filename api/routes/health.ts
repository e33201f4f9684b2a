import type { FastifyInstance } from 'fastify';

/** Liveness plus dependencies: 200 when Postgres and Temporal answer, 503 naming what does not. */
export async function healthRoutes(app: FastifyInstance) {
  app.get('/health', async (_request, reply) => {
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
      check(() => app.temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = postgres.status === 'ok' && temporal.status === 'ok';
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', dependencies: { postgres, temporal } });
  });
}
