/**
 * The web app (web/, built by scripts/build-web.ts into .web-dist/) and its sign-in.
 *
 * `POST /auth/session` `{ token }` checks an API token exactly as /api does (`userForToken`) and
 * answers with the `rcm_session` cookie (HttpOnly, SameSite=Strict, Path=/, 8 h): page scripts never
 * see the token again, it is never in a URL or in local storage. /api then accepts that cookie in
 * place of `Authorization: Bearer` through the same hook (same user, role, practice scope and
 * failed-authentication limit, see api/app.ts). `DELETE /auth/session` signs out (clears the cookie).
 * Every other GET outside /api, /codec, /auth and /health answers the app (index.html).
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import rateLimit from '@fastify/rate-limit';
import { HttpError } from './errors';
import { userForToken } from './tokens';

export const SESSION_COOKIE = 'rcm_session';
/** A working day. */
const SESSION_MAX_AGE_S = 8 * 3600;
/** Where scripts/build-web.ts writes the built app. */
export const WEB_DIST = path.resolve(__dirname, '..', '.web-dist');
/** The header the web app sends with every change it makes through the session cookie (CSRF). */
export const WEB_HEADER = 'x-rcm-web';

export function sessionToken(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE && rest.length) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const cookie = (request: FastifyRequest, value: string, maxAge: number) =>
  `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${request.protocol === 'https' ? '; Secure' : ''}`;

/** Registers on the root instance (the not-found handler answers the app's client-side routes). */
export async function registerWeb(app: FastifyInstance) {
  await app.register(async (auth) => {
    const verdicts = new WeakMap<FastifyRequest, boolean>();
    const tokenOf = (request: FastifyRequest) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return typeof body.token === 'string' && body.token.trim() ? body.token.trim() : undefined;
    };
    const valid = async (request: FastifyRequest) => {
      if (!verdicts.has(request)) {
        const token = tokenOf(request);
        verdicts.set(request, Boolean(token && (await userForToken(app.db, token))));
      }
      return verdicts.get(request)!;
    };
    // Failed sign-ins count against the address like failed /api authentications.
    const limit = app.authFailureLimit;
    await auth.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      allowList: async (request) => request.method !== 'POST' || (await valid(request)),
      errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited', `too many failed authentications from this address; retry in ${Math.ceil(context.ttl / 1000)} s`),
    });
    auth.post('/auth/session', async (request, reply) => {
      const token = tokenOf(request);
      if (!token) throw new HttpError(400, 'invalid_request', 'send { "token": "<API token>" }', { issues: [{ path: 'token', message: 'required' }] });
      const user = await userForToken(app.db, token);
      if (!user) throw new HttpError(401, 'unauthorized', 'invalid, expired or revoked token');
      reply.header('Cache-Control', 'no-store').header('Set-Cookie', cookie(request, token, SESSION_MAX_AGE_S));
      return { name: user.name, role: user.role };
    });
    auth.delete('/auth/session', async (request, reply) => {
      reply.header('Cache-Control', 'no-store').header('Set-Cookie', cookie(request, '', 0));
      return { signedOut: true };
    });
  });

  const built = existsSync(path.join(WEB_DIST, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'], maxAge: 0 });
    // Hashed assets can be cached for long; index.html is revalidated.
    app.addHook('onSend', async (request, reply) => {
      if (request.url.startsWith('/assets/')) reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
  }
  // Client-side routes (/claims/X, /worklist…) answer the app's page.
  app.setNotFoundHandler((request, reply) => {
    const url = request.url;
    const appRoute = request.method === 'GET' && !/^\/(api|codec|auth|health|assets|openapi\.json)(\/|$|\?)/.test(url);
    if (!appRoute) return reply.status(404).send({ message: `Route ${request.method}:${url} not found`, error: 'Not Found', statusCode: 404 });
    if (!built) return reply.status(503).type('text/plain; charset=utf-8').send('web app not built: run `npm run build:web` (npm start builds it)\n');
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
