/**
 * Work items: the one table of human tasks (corrections, appeals, P2P, payer calls, disputes,
 * reconciliation, root cause…). Opening is idempotent on a key derived from the workflow id and
 * the step, so a retried activity never opens the same task twice.
 */
import type { Knex } from 'knex';

export type OpenWorkItem = {
  idempotencyKey: string;
  practiceId: string;
  kind: string;
  ruleId?: string;
  entityType: 'claim' | 'authorization' | 'appointment' | 'provider' | 'remittance' | 'practice';
  entityId: string;
  workflowId?: string;
  title: string;
  detail?: Record<string, unknown>;
  dueDate?: string;
  dollarsAtRiskCents?: number;
  assignee?: string;
};

export async function openWorkItem(db: Knex, item: OpenWorkItem): Promise<{ id: number; created: boolean }> {
  const inserted = await db('work_items')
    .insert({
      idempotency_key: item.idempotencyKey,
      practice_id: item.practiceId,
      kind: item.kind,
      rule_id: item.ruleId ?? null,
      entity_type: item.entityType,
      entity_id: item.entityId,
      workflow_id: item.workflowId ?? null,
      title: item.title,
      detail: item.detail ?? {},
      due_date: item.dueDate ?? null,
      dollars_at_risk_cents: item.dollarsAtRiskCents ?? 0,
      assignee: item.assignee ?? null,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  if (inserted.length) return { id: inserted[0].id, created: true };
  const existing = await db('work_items').where({ idempotency_key: item.idempotencyKey }).first('id');
  return { id: existing.id, created: false };
}
