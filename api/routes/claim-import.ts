/**
 * POST /api/claims/import: bulk import of open claims already submitted elsewhere, the same rows as
 * `rcm import claims FILE.jsonl` (ingest/claim-import.ts): one JSON object per line
 * (`application/x-ndjson`), or `application/json` `{ rows: [ … ] }` (a row's "line" is then its
 * position, from 1). Answers with counts and the refused rows (line numbers and fields, never
 * values). A request naming a practice outside the caller's is refused whole (403 naming the
 * practice) before anything starts. Larger files: the CLI (no body limit, progress, resumable).
 */
import type { FastifyInstance } from 'fastify';
import { importClaims } from '../../ingest/claim-import';
import { HttpError } from '../errors';

/** ~4,000 claims of ~2 KiB: an import the caller can wait for; the CLI takes any size. */
export const CLAIM_IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

/** The practices the rows name (rows that are not JSON objects name none: the import refuses them by line). */
function practicesNamed(lines: string[]): string[] {
  const named = new Set<string>();
  for (const line of lines) {
    try {
      const p = (JSON.parse(line) as { claim?: { practiceId?: unknown } })?.claim?.practiceId;
      if (typeof p === 'string') named.add(p);
    } catch {
      // refused by line in the report
    }
  }
  return [...named].sort();
}

export async function claimImportRoutes(app: FastifyInstance) {
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl'], { parseAs: 'string', bodyLimit: CLAIM_IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.post(
    '/claims/import',
    { bodyLimit: CLAIM_IMPORT_BODY_LIMIT, config: { access: { level: 'write', phi: 'claim', handlerChecks: 'the practices are named inside the rows: any outside the caller’s refuses the request' } } },
    async (request) => {
      const body = request.body as unknown;
      let lines: string[];
      if (typeof body === 'string') lines = body.split(/\r?\n/);
      else if (body && typeof body === 'object' && Array.isArray((body as { rows?: unknown }).rows)) lines = (body as { rows: unknown[] }).rows.map((r) => JSON.stringify(r) ?? '');
      else throw new HttpError(400, 'invalid_request', 'send application/x-ndjson (one claim row per line) or application/json { "rows": [ … ] }', { issues: [{ path: 'rows', message: 'expected an array of claim rows' }] });
      if (!request.access.allPractices) for (const p of practicesNamed(lines)) request.access.assertPractice(p, 'write', `practice ${p}`);
      const user = request.user!;
      return importClaims({ db: app.db, temporal: app.temporal, actor: user.name, ...(user.practiceIds === 'all' ? {} : { practiceIds: user.practiceIds }) }, lines);
    },
  );
}
