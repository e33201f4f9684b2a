/**
 * Codec endpoint for the Temporal Web UI (`--ui-codec-endpoint http://localhost:3000/codec`): the
 * browser posts encrypted payloads, we answer decrypted ones, so operators read workflow inputs
 * while the Temporal server stores only ciphertext.
 *
 * Decrypted payloads carry PHI of every practice (a payload does not say its practice before it
 * is decrypted), so `/codec` answers only a token of a role that may read PHI (admin, biller,
 * approver, viewer — not provider) whose scope is every practice. The token comes as
 * `Authorization: Bearer …` (CLI `--codec-auth`, or the Web UI's "pass access token" when its
 * sign-in issues rcm tokens), or as the `rcm_codec` cookie that `POST /codec/session` sets for a
 * browser whose Web UI has "Include cross-origin credentials" on (docs/operations.md). No caller is
 * trusted for its Origin or address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import rateLimit from '@fastify/rate-limit';
import { HttpError } from '../errors';
import { userForToken, type ApiUser, type Role } from '../tokens';

const WirePayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});

const fromWire = (p: { metadata?: Record<string, string>; data?: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data !== undefined ? Buffer.from(p.data, 'base64') : undefined,
});
const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')])),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

/** Roles that may read PHI through the codec (provider: its own practice's dashboard and claims only). */
export const CODEC_ROLES: readonly Role[] = ['admin', 'biller', 'approver', 'viewer'];
export const CODEC_COOKIE = 'rcm_codec';
/** A browser's codec session lasts a working day. */
const COOKIE_MAX_AGE_S = 8 * 3600;

function cookieToken(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CODEC_COOKIE && rest.length) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const bearer = (request: FastifyRequest) => {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
};

export function mayDecode(user: ApiUser): boolean {
  return CODEC_ROLES.includes(user.role) && user.practiceIds === 'all';
}

const SESSION_PAGE = `<!doctype html><meta charset="utf-8"><title>rcm codec sign-in</title>
<h1>Decrypt payloads in the Temporal Web UI</h1>
<p>Paste an API token of a role that may read PHI (admin, or a biller/approver/viewer of every practice).
The browser keeps it in an HttpOnly cookie for /codec for 8 hours. Then turn on
"Include cross-origin credentials" in the Web UI's Codec Server settings.</p>
<form method="post" action="/codec/session"><label>Token <input name="token" type="password" autocomplete="off" required></label> <button>Sign in</button></form>`;

export async function codecRoutes(app: FastifyInstance) {
  const origin = app.config.temporalUiOrigin;
  const cors = (reply: FastifyReply) =>
    reply
      .header('Access-Control-Allow-Origin', origin)
      .header('Access-Control-Allow-Credentials', 'true')
      .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization')
      .header('Vary', 'Origin');

  /** Who may decode, or why not; computed once per request (the failed-auth limit asks first). */
  const verdicts = new WeakMap<FastifyRequest, ApiUser | HttpError>();
  const identify = async (request: FastifyRequest, token: string | undefined): Promise<ApiUser | HttpError> => {
    const known = verdicts.get(request);
    if (known) return known;
    let verdict: ApiUser | HttpError;
    if (!token) verdict = new HttpError(401, 'unauthorized', 'codec requires a token: Authorization: Bearer <token>, or sign in at /codec/session');
    else {
      const user = await userForToken(app.db, token);
      if (!user) verdict = new HttpError(401, 'unauthorized', 'invalid, expired or revoked token');
      else if (!mayDecode(user)) verdict = new HttpError(403, 'forbidden', `a ${user.role} token${user.practiceIds === 'all' ? '' : ' of some practices'} may not decrypt payloads (admin, or biller/approver/viewer of every practice)`);
      else verdict = user;
    }
    verdicts.set(request, verdict);
    return verdict;
  };
  const sessionToken = (request: FastifyRequest): string | undefined => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    return bearer(request) ?? (typeof form.token === 'string' && form.token.trim() ? form.token.trim() : undefined);
  };
  const tokenOf = (request: FastifyRequest) => (request.url.startsWith('/codec/session') ? sessionToken(request) : (bearer(request) ?? cookieToken(request)));
  const authorize = async (request: FastifyRequest): Promise<ApiUser> => {
    const verdict = await identify(request, tokenOf(request));
    if (verdict instanceof HttpError) throw verdict;
    request.user = verdict;
    return verdict;
  };

  // Failed authentications count against the caller's address, as on /api; checked after the body
  // is parsed (the sign-in form carries its token in the body). Valid tokens are never counted.
  const limit = app.authFailureLimit;
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    allowList: async (request) => request.method !== 'POST' || !((await identify(request, tokenOf(request))) instanceof HttpError),
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited', `too many failed authentications from this address; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });

  await app.register(async (session) => {
    session.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
    session.get('/codec/session', async (_request, reply) => reply.type('text/html; charset=utf-8').send(SESSION_PAGE));
    /** Sets the `rcm_codec` cookie (HttpOnly, SameSite=Strict, Path=/codec) for a token that may decrypt. */
    session.post('/codec/session', async (request, reply) => {
      const token = sessionToken(request);
      if (!token) throw new HttpError(400, 'invalid_request', 'send the token in the form field "token" or as Authorization: Bearer', { issues: [{ path: 'token', message: 'required' }] });
      const user = await authorize(request);
      const secure = request.protocol === 'https' ? '; Secure' : '';
      return reply
        .header('Set-Cookie', `${CODEC_COOKIE}=${encodeURIComponent(token)}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=${COOKIE_MAX_AGE_S}${secure}`)
        .type('text/plain; charset=utf-8')
        .send(`signed in as ${user.name} for /codec (8 hours)\n`);
    });
  });

  for (const op of ['encode', 'decode'] as const) {
    app.options(`/codec/${op}`, async (_req, reply) => cors(reply).status(204).send());
    app.post(`/codec/${op}`, async (request, reply) => {
      cors(reply);
      await authorize(request);
      const parsed = WirePayloads.safeParse(request.body);
      if (!parsed.success) throw new HttpError(400, 'invalid_request', 'expected { payloads: [{ metadata, data }] } with base64 values');
      const payloads = parsed.data.payloads.map(fromWire);
      let result: Payload[];
      try {
        result = op === 'encode' ? await app.codec.encode(payloads) : await app.codec.decode(payloads);
      } catch (err) {
        // A payload we cannot decrypt (unknown key id, tampered or truncated ciphertext) is the caller's input.
        throw new HttpError(400, 'invalid_payload', `cannot ${op} the payloads: ${(err as Error).name}`);
      }
      return { payloads: result.map(toWire) };
    });
  }
}
