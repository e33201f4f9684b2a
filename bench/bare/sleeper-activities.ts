/** The floor workflow's one activity (bench/bare/sleeper.ts): a row per mark, stamped by PostgreSQL. */
import type { Knex } from 'knex';

export const SLEEPER_TABLE = 'bench_sleeper_marks';

export type SleeperActivities = ReturnType<typeof sleeperActivities>;

export function sleeperActivities(db: Knex) {
  return {
    async mark(kind: 'asleep' | 'woke', workflowId: string): Promise<void> {
      await db(SLEEPER_TABLE).insert({ kind, workflow_id: workflowId }).onConflict(['kind', 'workflow_id']).ignore();
    },
  };
}

export async function createSleeperTable(db: Knex): Promise<void> {
  await db.schema.createTable(SLEEPER_TABLE, (t) => {
    t.text('kind').notNullable();
    t.text('workflow_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.primary(['kind', 'workflow_id']);
  });
}
