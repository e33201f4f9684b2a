/**
 * POST /api/remittances: an X12 835 (text/plain) or a JSON remittance, posted to the matching
 * claims through their workflows. A malformed file is rejected whole (400 with the segment
 * position); each claim payment posts once (payer in the file + TRN + CLP01/CLP07/occurrence). Unmatched and payer-mismatched claim payments are parked
 * with a work item, never dropped.
 */
import type { FastifyInstance } from 'fastify';
import { isX12Error } from '../../x12';
import { RemittanceRejected, type IngestReport } from '../../ingest/inbound';
import { read835ForPosting } from '../../ingest/x12-inbound';
import { HttpError } from '../errors';
import type { Access } from '../access';

/**
 * A scoped caller may post an ERA only when every practice it touches is theirs: the practices of
 * the claims it pays (CLP01) and the payee's practice (N1*PE), where unmatched payments are
 * worked. Checked before anything is stored: a refused file posts nothing.
 */
async function assertRemittancePractices(app: FastifyInstance, access: Access, remittances: unknown[]): Promise<void> {
  if (access.allPractices) return;
  const list = remittances as Array<{ claims?: Array<{ claimId?: unknown }>; payeeNpi?: unknown }>;
  const claimIds = [...new Set(list.flatMap((r) => (Array.isArray(r?.claims) ? r.claims.map((c) => c?.claimId) : [])).filter((id): id is string => typeof id === 'string'))];
  for (let i = 0; i < claimIds.length; i += 1000) {
    const rows = await app.db('claims').whereIn('claim_id', claimIds.slice(i, i + 1000)).orderBy(['claim_id', 'practice_id']).select('claim_id', 'practice_id');
    // Claim ids are unique per practice (issue 13): an id one of the caller's practices holds is theirs
    // (the ERA is matched within the payee's practice); only an id held by other practices alone is refused.
    const visible = new Set(rows.filter((row) => access.canSee(row.practice_id)).map((row) => row.claim_id));
    for (const row of rows) if (!visible.has(row.claim_id)) access.assertPractice(row.practice_id, 'write', `claim ${row.claim_id}`);
  }
  for (const npi of new Set(list.map((r) => r?.payeeNpi).filter((n): n is string => typeof n === 'string'))) {
    const practices: string[] = await app.db('practices').where({ billing_npi: npi }).orderBy('id').pluck('id');
    if (practices.length && !practices.some((p) => access.canSee(p))) access.assertPractice(practices[0], 'write', `the payee of this remittance (NPI ${npi})`);
  }
}

export async function remittanceRoutes(app: FastifyInstance) {
  // A 10,000-claim 835 is a few MB; each claim payment reaches its workflow on its own.
  app.post('/remittances', { bodyLimit: 50 * 1024 * 1024, config: { access: { level: 'write', handlerChecks: 'an ERA names its claims and its payee: each of their practices must be the caller\'s' } } }, async (request, reply) => {
    const body = request.body;
    const rawPayerId = (request.query as Record<string, unknown>)?.payerId;
    if (rawPayerId !== undefined && (typeof rawPayerId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(rawPayerId))) {
      throw new HttpError(400, 'invalid_request', 'payerId: a payer key (letters, digits, ".", "_", "-"; at most 64)', { issues: [{ path: 'payerId', message: 'not a payer key' }] });
    }
    const payerId = rawPayerId as string | undefined;
    let remittances: unknown[];
    let source: string;
    if (typeof body === 'string') {
      try {
        // Without ?payerId=, the payer is REF*2U, N1*PR N104 or TRN03 mapped through payer_identifiers.
        const resolvePayer = payerId ? undefined : await app.inbound.payerResolver();
        remittances = read835ForPosting(body, payerId, resolvePayer);
      } catch (err) {
        if (isX12Error(err)) {
          throw new HttpError(400, 'invalid_x12', err.message, { segmentPosition: err.segmentPosition, segmentId: err.segmentId, reason: err.reason });
        }
        throw err;
      }
      source = 'api-835';
    } else if (body && typeof body === 'object' && !Array.isArray(body)) {
      remittances = [body];
      source = 'api-json';
    } else {
      throw new HttpError(400, 'invalid_request', 'send an X12 835 as text/plain or a remittance as application/json');
    }
    await assertRemittancePractices(app, request.access, remittances);
    // Every transaction set is validated before any is posted: a bad one rejects the file whole.
    for (const r of remittances) {
      try {
        app.inbound.validateRemittance(r);
      } catch (err) {
        if (err instanceof RemittanceRejected) throw new HttpError(400, 'invalid_remittance', err.message, err.field ? { issues: [{ path: err.field, message: err.message }] } : undefined);
        throw err;
      }
    }
    const reports: IngestReport[] = [];
    for (const r of remittances) {
      try {
        reports.push(await app.inbound.ingestRemittance(r, source));
      } catch (err) {
        if (err instanceof RemittanceRejected) throw new HttpError(400, 'invalid_remittance', err.message, err.field ? { issues: [{ path: err.field, message: err.message }] } : undefined);
        throw err;
      }
    }
    const created = reports.some((r) => !r.duplicate);
    return reply.status(created ? 201 : 200).send({ remittances: reports });
  });

  /**
   * Operators: signal every stored claim payment that has not reached its claim workflow yet
   * (after a crash between storing a file and signalling). Safe to repeat: workflows de-duplicate.
   */
  app.post('/remittances/redeliver', { config: { access: { level: 'admin' } } }, async () => {
    return { delivered: await app.inbound.redeliverPending() };
  });
}
