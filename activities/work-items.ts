/**
 * Work items: the one table of human tasks (corrections, appeals, P2P, payer calls, disputes,
 * reconciliation, root cause…). Opening is idempotent on a key derived from the workflow id and
 * the step, so a retried activity never opens the same task twice.
 */
import { claimKey } from './claim-key';
import type { Knex } from 'knex';
import { openWorkItem, type OpenWorkItem } from '../db/work-items';

export { openWorkItem, type OpenWorkItem };

export function workItemActivities(db: Knex) {
  return {
    openWorkItem: (item: OpenWorkItem) => openWorkItem(db, item),

    /** Close open items of an entity that no longer need doing (e.g. the claim was paid), with the reason. */
    /** `practiceId`: the entity's practice — required to tell apart claims of two practices with the same id (issue 13). */
    async closeWorkItems(input: { entityType: string; entityId: string; practiceId?: string; kinds?: string[]; reason: string }): Promise<number> {
      const q = db('work_items').where({ entity_type: input.entityType, entity_id: input.entityId, status: 'open' });
      if (input.practiceId) q.where({ practice_id: input.practiceId });
      else if (input.entityType === 'claim') q.where({ practice_id: (await claimKey(db, { claimId: input.entityId })).practice_id });
      if (input.kinds?.length) q.whereIn('kind', input.kinds);
      return q.update({ status: 'closed', closed_reason: input.reason, completed_at: db.fn.now() });
    },
  };
}
