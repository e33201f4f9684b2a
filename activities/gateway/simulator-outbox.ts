/**
 * Durable pending answers for the payer simulator. A real payer keeps its answers on its side; the
 * simulator used to keep them in worker memory, so a worker crash or a database outage lost them
 * (claims waited forever). Answers are stored with the 837P that caused them (in the same activity
 * attempt: no row, no acknowledged submission) and delivered by a poller, retried with a bounded
 * backoff until the inbound service takes them. Several workers may poll: rows are claimed with
 * `FOR UPDATE SKIP LOCKED`, and inbound ingestion is idempotent anyway.
 */
import type { Knex } from 'knex';

export type AnswerKind = '277CA' | '835';
export type PendingAnswer = { kind: AnswerKind; claimId: string; x12: string; dueAt: Date };
export type Deliver = (x12: string, kind: AnswerKind) => Promise<unknown>;

/** Wait before the next try of an answer that failed `attempts` times: 1 s doubling to 1 minute. */
export const retryDelayMs = (attempts: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));

export class SimulatorOutbox {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    private readonly db: Knex,
    private readonly deliver: Deliver,
    private readonly opts: { pollMs?: number; now?: () => Date; log?: (line: string) => void } = {},
  ) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async enqueue(answers: PendingAnswer[]): Promise<void> {
    if (!answers.length) return;
    await this.db('simulator_answers').insert(answers.map((a) => ({ kind: a.kind, claim_id: a.claimId, x12: a.x12, due_at: a.dueAt })));
    this.wake();
  }

  /** Deliver every due answer once (oldest first); returns how many were delivered. */
  async pumpOnce(): Promise<number> {
    const now = this.now();
    type Claimed = { id: number; kind: AnswerKind; x12: string; attempts: number };
    const claimed = await this.db.transaction(async (trx): Promise<Claimed[]> => {
      const due = await trx('simulator_answers')
        .whereNull('delivered_at')
        .where('due_at', '<=', now)
        .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<', now))
        .orderBy([{ column: 'due_at' }, { column: 'id' }])
        .limit(50)
        .forUpdate()
        .skipLocked()
        .select('id');
      if (!due.length) return [];
      return (await trx('simulator_answers')
        .whereIn('id', due.map((r) => r.id))
        .update({ claimed_until: new Date(now.getTime() + 120_000), attempts: trx.raw('attempts + 1') })
        .returning(['id', 'kind', 'x12', 'attempts'])) as Claimed[];
    });
    claimed.sort((a, b) => a.id - b.id);
    let delivered = 0;
    for (const [i, row] of claimed.entries()) {
      try {
        await this.deliver(row.x12, row.kind);
      } catch (err) {
        // Keep the order: this answer and the ones after it wait for the next try.
        const message = (err as Error).message.split('\n')[0].slice(0, 300);
        this.opts.log?.(`payer simulator: answer ${row.id} (${row.kind}) not delivered, attempt ${row.attempts}: ${message}`);
        const retryAt = new Date(this.now().getTime() + retryDelayMs(row.attempts));
        await this.db('simulator_answers')
          .whereIn('id', claimed.slice(i).map((r) => r.id))
          .update({ claimed_until: retryAt, last_error: message })
          .catch(() => undefined); // the database may be what is down: the claim expires by itself
        return delivered;
      }
      await this.db('simulator_answers').where({ id: row.id }).update({ delivered_at: this.now(), claimed_until: null, last_error: null });
      delivered++;
    }
    return delivered;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), ms);
  }

  private wake() {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private async loop() {
    if (this.stopped || this.running) return;
    this.running = this.pumpOnce().catch((err) => this.opts.log?.(`payer simulator: poll failed: ${(err as Error).message.split('\n')[0]}`));
    await this.running;
    this.running = undefined;
    this.schedule(this.opts.pollMs ?? 500);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
