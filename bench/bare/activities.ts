/** The bare workflow's activities (bench/bare/workflow.ts): no-ops, and `send`, which signals back like the payer simulator. */
import type { Client } from '@temporalio/client';

export type BareActivities = ReturnType<typeof bareActivities>;

export function bareActivities(client: Client) {
  return {
    async noop(_i: number): Promise<number> {
      return 1;
    },
    /** Returns at once; the acknowledgement and the remittance arrive right after, as from the simulator with no delay. */
    async send(workflowId: string): Promise<void> {
      setImmediate(() => {
        const h = client.workflow.getHandle(workflowId);
        void h.signal('ack').then(() => h.signal('remit')).catch((err) => process.stderr.write(`bare send ${workflowId}: ${(err as Error).message}\n`));
      });
    },
  };
}
