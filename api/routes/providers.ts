/**
 * /api/providers: POST adds a provider and starts its never-ending credential workflow
 * (`credential:<npi>`, CRED-1…7); GET answers from the workflow Query plus the `credentials` read
 * model and open work items; POST …/actions/:action runs a staff action as a Temporal Update
 * (200 with the new state; 422 for a credential the provider does not hold or impossible dates;
 * 409 when it conflicts with the current state).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { Text, X12Text } from '../../domain/primitives';
import { IsoDate } from '../../domain/claim-document';
import { isValidNpi } from '../../domain/npi';
import { TASK_QUEUE } from '../../contracts/claim';
import {
  CREDENTIAL_ACTIONS,
  CREDENTIAL_REFUSALS,
  ProviderCredentialsInput,
  credentialStateQuery,
  credentialWorkflowId,
  type CredentialActionName,
  type CredentialWorkflowState,
  type ProviderCredentialWorkflowInput,
} from '../../contracts/credential';
import { PracticeId, ProviderNpi, RcmKind, RcmStatus } from '../../contracts/search-attributes';
import { HttpError, badRequest, conflict, notFound } from '../errors';

const Npi = z.string().refine(isValidNpi, 'not a valid NPI (10 digits with a Luhn check digit, prefix 80840)');

export const ProviderBody = z.object({
  npi: Npi,
  practiceId: Text(64, 1),
  /** Goes into NM1*82 (rendering provider) of every 837P: no X12 delimiter. */
  name: X12Text(200, 1),
  specialty: Text(100).optional(),
  /** CRED-6: enrollments without an effective date start 90–120 days before this date. */
  firstBillingDate: IsoDate.optional(),
  credentials: ProviderCredentialsInput.default({ licenses: [], enrollments: [] }),
});

const NpiParams = z.object({ npi: Text(20, 1) });
const ActionParams = z.object({
  npi: Text(20, 1),
  action: z.enum(Object.keys(CREDENTIAL_ACTIONS) as [CredentialActionName, ...CredentialActionName[]]),
});

const utcToday = () => new Date().toISOString().slice(0, 10);

/** A refused Update → 422 (not held / impossible dates) or 409 (conflicts with the state), with the reason. */
function refusal(err: unknown): HttpError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && (cause.type === CREDENTIAL_REFUSALS.NotHeld || cause.type === CREDENTIAL_REFUSALS.InvalidDates)) {
    return new HttpError(422, 'refused', cause.message, { reason: cause.type });
  }
  return new HttpError(409, 'refused', cause?.message ?? err.message, cause instanceof ApplicationFailure ? { reason: cause.type } : undefined);
}

export async function providerRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/providers', { schema: { body: ProviderBody }, config: { access: { level: 'write' } } }, async (request, reply) => {
    const body = request.body;
    const today = utcToday();
    if (body.credentials.caqh && body.credentials.caqh.lastAttestationDate > today) {
      throw badRequest(`CAQH attestation date ${body.credentials.caqh.lastAttestationDate} is in the future`, 'credentials.caqh.lastAttestationDate');
    }
    const practice = await app.db('practices').where({ id: body.practiceId }).first('id');
    if (!practice) throw badRequest(`unknown practice "${body.practiceId}"`, 'practiceId');
    const payerIds = body.credentials.enrollments.map((e) => e.payerId);
    const known = new Set(payerIds.length ? (await app.db('payers').whereIn('id', payerIds).select('id')).map((p: { id: string }) => p.id) : []);
    const unknownAt = payerIds.findIndex((p) => !known.has(p));
    if (unknownAt >= 0) throw badRequest(`unknown payer "${payerIds[unknownAt]}"`, `credentials.enrollments.${unknownAt}.payerId`);
    const existing = await app.db('providers').where({ npi: body.npi }).first('practice_id');
    const workflowId = credentialWorkflowId(body.npi);
    if (existing && existing.practice_id !== body.practiceId) throw conflict(`provider ${body.npi} belongs to another practice`, { npi: body.npi });

    const input: ProviderCredentialWorkflowInput = {
      npi: body.npi,
      practiceId: body.practiceId,
      name: body.name,
      specialty: body.specialty,
      firstBillingDate: body.firstBillingDate,
      credentials: body.credentials,
      actor: request.user!.name,
    };
    try {
      await app.temporal.workflow.start('providerCredentialWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        // A provider whose workflow failed can be added again; a running or completed one is 409.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        // NPI is not PHI; the provider's name stays out of search attributes and summaries.
        staticSummary: `Credentials of NPI ${body.npi} · practice ${body.practiceId}`,
        typedSearchAttributes: [
          { key: RcmKind, value: 'credential' },
          { key: RcmStatus, value: 'pending' },
          { key: PracticeId, value: body.practiceId },
          { key: ProviderNpi, value: body.npi },
        ],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(`provider ${body.npi} is already credentialed`, { npi: body.npi, workflowId });
      throw err;
    }
    await app.db('providers')
      .insert({ npi: body.npi, practice_id: body.practiceId, name: body.name, specialty: body.specialty ?? null })
      .onConflict('npi')
      .merge(['name', 'specialty']);
    return reply.status(201).header('Location', `/api/providers/${body.npi}`).send({ npi: body.npi, workflowId, status: 'pending' });
  });

  app.get('/providers/:npi', { schema: { params: NpiParams }, config: { access: { level: 'read', entity: 'provider' } } }, async (request) => {
    const { npi } = request.params;
    let live: CredentialWorkflowState | undefined;
    try {
      live = await app.temporal.workflow.getHandle(credentialWorkflowId(npi)).query(credentialStateQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const provider = await app.db('providers').where({ npi }).first();
    if (!live) throw notFound(`credential workflow for provider ${npi}`);
    const [credentials, workItems] = await Promise.all([
      app.db('credentials').where({ npi }).orderBy(['kind', 'payer_id']).select(),
      app.db('work_items')
        .where({ entity_type: 'provider', entity_id: npi, status: 'open' })
        .orderBy([{ column: 'due_date' }, { column: 'id' }])
        .select('id', 'kind', 'rule_id', 'title', 'due_date', 'detail', 'created_at'),
    ]);
    return {
      npi,
      workflowId: credentialWorkflowId(npi),
      practiceId: live.practiceId ?? provider?.practice_id,
      name: provider?.name ?? live.name,
      status: live.status,
      nextDeadline: live.nextDeadline,
      waitingFor: live.waitingFor,
      items: live.items,
      history: live.history,
      version: live.version,
      readModel: credentials.map((c: Record<string, unknown>) => ({
        kind: c.kind,
        payerId: c.payer_id || undefined,
        state: c.state ?? undefined,
        identifier: c.identifier ?? undefined,
        status: c.status,
        effectiveDate: c.effective_date ?? undefined,
        expiryDate: c.expiry_date ?? undefined,
        documentRef: c.document_ref ?? undefined,
      })),
      workItems,
    };
  });

  app.post('/providers/:npi/actions/:action', { schema: { params: ActionParams }, config: { access: { level: 'write', entity: 'provider' } } }, async (request) => {
    const { npi, action } = request.params;
    const spec = CREDENTIAL_ACTIONS[action];
    const parsed = spec.body.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new HttpError(400, 'invalid_request', `invalid body for action ${action}`, {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
      });
    }
    const args = { ...parsed.data, actor: request.user!.name };
    if ('payerId' in args && action === 'record-enrollment') {
      const payer = await app.db('payers').where({ id: args.payerId }).first('id');
      if (!payer) throw badRequest(`unknown payer "${args.payerId}"`, 'payerId');
    }
    if (action === 'record-caqh-attestation' && 'attestationDate' in args && args.attestationDate > utcToday()) {
      throw badRequest(`attestation date ${args.attestationDate} is in the future`, 'attestationDate');
    }
    const handle = app.temporal.workflow.getHandle(credentialWorkflowId(npi));
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const state = await handle.executeUpdate(spec.update as any, { args: [args] });
      return { npi, action, state };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`credential workflow for provider ${npi}`);
      const refused = refusal(err);
      if (refused) throw refused;
      throw err;
    }
  });
}
