/**
 * Credential read-model activities (CRED-1…7). Every write is idempotent: the `credentials` row is
 * an upsert on (npi, kind, payer_id) of the values the workflow computed, work items are opened on
 * a key derived from the workflow id and the milestone id, and re-signalling a claim only makes it
 * re-check its hold.
 */
import type { Knex } from 'knex';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { credentialChangedSignal } from '../contracts/claim';
import type { CredentialKind, CredentialStatus } from '../domain/credentials';
import { openWorkItem } from './work-items';

export type CredentialRow = {
  npi: string;
  kind: CredentialKind;
  /** '' except for enrollments. */
  payerId: string;
  identifier?: string;
  state?: string;
  status: CredentialStatus;
  effectiveDate?: string;
  expiryDate?: string;
  documentRef?: string;
};

/** The worker's own client when no client was injected (activity context), else none. */
function contextClient(): Client | undefined {
  try {
    return Context.current().client;
  } catch {
    return undefined;
  }
}

export function credentialActivities(db: Knex, temporal?: Client) {
  return {
    /** The provider row (created by the API; written again here so a replayed start is complete). */
    async recordProvider(input: { npi: string; practiceId: string; name: string; specialty?: string }): Promise<void> {
      await db('providers')
        .insert({ npi: input.npi, practice_id: input.practiceId, name: input.name, specialty: input.specialty ?? null })
        .onConflict('npi')
        .ignore();
    },

    /** Upsert each credential's status (read by the claim scrub: CHG-3, CRED-6, CRED-7). */
    async writeCredentialStatuses(input: { rows: CredentialRow[]; at: string }): Promise<number> {
      if (!input.rows.length) return 0;
      await db('credentials')
        .insert(
          input.rows.map((r) => ({
            npi: r.npi,
            kind: r.kind,
            payer_id: r.payerId,
            identifier: r.identifier ?? null,
            state: r.state ?? null,
            status: r.status,
            effective_date: r.effectiveDate ?? null,
            expiry_date: r.expiryDate ?? null,
            document_ref: r.documentRef ?? null,
            updated_at: input.at,
          })),
        )
        .onConflict(['npi', 'kind', 'payer_id'])
        .merge();
      return input.rows.length;
    },

    /** Open a credential work item; idempotent on the key. */
    async openCredentialWorkItem(input: {
      idempotencyKey: string;
      practiceId: string;
      npi: string;
      workflowId: string;
      kind: string;
      ruleId: string;
      title: string;
      dueDate: string;
      itemKey: string;
      milestoneId: string;
      priority: string;
    }): Promise<{ id: number; created: boolean }> {
      return openWorkItem(db, {
        idempotencyKey: input.idempotencyKey,
        practiceId: input.practiceId,
        kind: input.kind,
        ruleId: input.ruleId,
        entityType: 'provider',
        entityId: input.npi,
        workflowId: input.workflowId,
        title: input.title,
        dueDate: input.dueDate,
        detail: { itemKey: input.itemKey, milestoneId: input.milestoneId, priority: input.priority },
      });
    },

    /** Close a credential item's open work items of milestones no longer current (renewed, attested, effective, answered). */
    async closeCredentialWorkItems(input: { npi: string; itemKey: string; keepMilestoneIds: string[]; reason: string; at: string }): Promise<number> {
      const q = db('work_items')
        .where({ entity_type: 'provider', entity_id: input.npi, status: 'open' })
        .whereRaw(`detail->>'itemKey' = ?`, [input.itemKey]);
      if (input.keepMilestoneIds.length) q.whereRaw(`coalesce(detail->>'milestoneId', '') <> all(?::text[])`, [input.keepMilestoneIds]);
      return q.update({ status: 'closed', closed_reason: input.reason, completed_at: input.at });
    },

    /**
     * CRED-7: tell each of the provider's held claims that a credential changed, so it re-checks
     * (released when restored, stays held otherwise). Without a client nothing is signalled.
     */
    async signalHeldClaims(input: { npi: string; at: string }): Promise<{ held: number; signalled: number }> {
      const rows: Array<{ claim_id: string; workflow_id: string }> = await db('claims').where({ rendering_npi: input.npi, status: 'held' }).select('claim_id', 'workflow_id');
      const client = temporal ?? contextClient();
      if (!client) return { held: rows.length, signalled: 0 };
      let signalled = 0;
      for (const { workflow_id } of rows) {
        try {
          await client.workflow.getHandle(workflow_id).signal(credentialChangedSignal, { npi: input.npi, at: input.at });
          signalled++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err; // closed or never started: nothing to release
        }
      }
      return { held: rows.length, signalled };
    },
  };
}
