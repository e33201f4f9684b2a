/**
 * POST /api/claims/import: bulk import of open claims already submitted elsewhere, one JSON
 * object per line (`application/x-ndjson`), the same rows as `rcm import claims FILE.jsonl`
 * (ingest/claim-import.ts). Answers with counts and the refused rows (line numbers and fields,
 * never values); a row naming a practice outside the caller's is refused, the others still start.
 * Larger files: the CLI (no body limit, progress bar, resumable).
 */
import type { FastifyInstance } from 'fastify';
import { importClaims } from '../../ingest/claim-import';
import { HttpError } from '../errors';

/** ~4,000 claims of ~2 KiB: an import the caller can wait for; the CLI takes any size. */
export const CLAIM_IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

export async function claimImportRoutes(app: FastifyInstance) {
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl'], { parseAs: 'string', bodyLimit: CLAIM_IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.post(
    '/claims/import',
    { bodyLimit: CLAIM_IMPORT_BODY_LIMIT, config: { access: { level: 'write', phi: 'claim', handlerChecks: 'each row names its practice: rows outside the caller’s practices are refused in the report' } } },
    async (request) => {
      if (typeof request.body !== 'string') {
        throw new HttpError(415, 'unsupported_media_type', 'send the claims as application/x-ndjson: one JSON object per line', { issues: [{ path: 'Content-Type', message: 'expected application/x-ndjson' }] });
      }
      const user = request.user!;
      const report = await importClaims(
        { db: app.db, temporal: app.temporal, actor: user.name, ...(user.practiceIds === 'all' ? {} : { practiceIds: user.practiceIds }) },
        request.body.split(/\r?\n/),
      );
      return report;
    },
  );
}
