/**
 * Codec endpoint for the Temporal Web UI (`--ui-codec-endpoint http://localhost:3000/codec`): the
 * browser posts encrypted payloads, we answer decrypted ones, so operators read workflow inputs
 * while the Temporal server stores only ciphertext. Decrypted payloads carry PHI, so a caller must
 * either hold an API token or be the configured Web UI origin calling from this machine (loopback).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { HttpError } from '../errors';
import { userForToken } from '../tokens';

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

const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';

export async function codecRoutes(app: FastifyInstance) {
  const origin = app.config.temporalUiOrigin;
  const cors = (reply: FastifyReply) =>
    reply
      .header('Access-Control-Allow-Origin', origin)
      .header('Access-Control-Allow-Credentials', 'true')
      .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization')
      .header('Vary', 'Origin');

  const authorize = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      if (await userForToken(app.db, header.slice(7).trim())) return;
      throw new HttpError(401, 'unauthorized', 'invalid or revoked token');
    }
    if (request.headers.origin === origin && isLoopback(request.ip)) return;
    throw new HttpError(401, 'unauthorized', 'codec requires a bearer token or the Temporal Web UI origin on loopback');
  };

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
