/**
 * Inbound 278 answers (clearinghouse, portal, POST /api/authorizations/payer-responses): ingestion
 * the API and the gateways share, like ingest/inbound.ts for 835/999/277CA.
 */
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { authorizationWorkflowId, payerAuthResponseSignal, type AuthorizationResponse278 } from '../contracts/authorization';

/**
 * A payer's 278 answer from outside (clearinghouse, portal, POST /api/authorizations/payer-responses):
 * delivered to the authorization workflow that sent the request, or — when no request of ours
 * matches — logged and parked, never applied and never an error for the workflow.
 */
export async function receivePayerAuthResponse(
  deps: { db: Knex; temporal: Client; log?: (msg: string, meta: Record<string, unknown>) => void },
  response: AuthorizationResponse278,
): Promise<{ delivered: boolean; parked: boolean; authId?: string }> {
  const sent = await deps.db('authorization_requests').where({ request_id: response.requestId }).first('auth_id');
  const park = async (reason: string) => {
    await deps.db('parked_payer_responses').insert({ kind: '278', payer_id: response.payerId ?? null, request_id: response.requestId ?? null, reason, body: response });
    deps.log?.('payer 278 answer parked', { requestId: response.requestId, payerId: response.payerId, reason });
    return { delivered: false, parked: true };
  };
  if (!sent) return park('no request with this trace number');
  try {
    await deps.temporal.workflow.getHandle(authorizationWorkflowId(sent.auth_id)).signal(payerAuthResponseSignal, response);
    return { delivered: true, parked: false, authId: sent.auth_id };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { ...(await park('authorization workflow is closed')), authId: sent.auth_id };
    throw err;
  }
}
