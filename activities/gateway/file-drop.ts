/**
 * File-drop clearinghouse: the PayerGateway for a practice whose clearinghouse exchanges files
 * through folders (usually kept in sync with the clearinghouse's SFTP server by a sync tool).
 *
 *   <dir>/outbox/     837P files we send: `<ICN>-<claimId>.x12`, written atomically (temp file in
 *                     <dir>/tmp, fsync, rename), so a sync tool never sees half a file; also the
 *                     270 / 276 / 278 requests, `<270|276|278>-<trace>.x12` (`exchange`)
 *   <dir>/sent/       our copy of every 837P handed over (audit, and the ledger that resolves a 999's
 *                     group control number back to the claim; a retried submission is not re-sent)
 *   <dir>/inbox/      999 / 277CA / 835 files from the clearinghouse, and 271 / 277 / 278 answers to
 *                     our requests (found by their TRN02 trace in the processed/ reports); polled every `pollMs`
 *   <dir>/processing/ a file being ingested (claimed by rename: two pollers never read one file)
 *   <dir>/processed/  ingested files, each with `<name>.report.json` (what was posted / signalled)
 *   <dir>/failed/     malformed files, each with `<name>.error.txt` naming the segment and reason;
 *                     nothing from a failed file is posted
 *
 * A file whose ingestion fails for a passing reason (database or Temporal unavailable) goes back to
 * the inbox and is retried on the next poll; re-ingesting is harmless (835s are idempotent on payer +
 * TRN, claim workflows ignore repeated acknowledgements). Files still being written are skipped:
 * names starting with `.` or ending in .tmp/.part/.partial/.filepart, and files modified less than
 * `settleMs` ago.
 */
import { unavailableDependency } from '../../lib/unavailable';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isX12Error } from '../../x12';
import { RemittanceRejected } from '../../ingest/inbound';
import type { ClaimSubmission, InboundSink, PayerGateway, StatusInquiryRequest, StatusInquiryResult } from './types';
import { ingestX12, type InterchangeLookup, type X12InboundResult } from '../../ingest/x12-inbound';
import { envelopeId, request276, resultFrom277, traceNumberOf, unusableStatusExchange } from './claim-status-x12';

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export type FileDropConfig = {
  /** Root folder; the sub-folders are created on start / first use. */
  dir: string;
  sink: InboundSink;
  /** Inbox poll interval (default 2000 ms). */
  pollMs?: number;
  /** A file must be unmodified this long before it is read (default 1000 ms; the sync may still be writing). */
  settleMs?: number;
  /** Failed ingestions of one inbox file, other than outages, before it goes to failed/ (default 5). */
  maxTries?: number;
  /** First wait before a failed inbox file is tried again, doubling to a minute (default 1000). */
  retryBaseMs?: number;
  /** Resolve a 999's group control number to claims; default: the `sent/` ledger. */
  lookupInterchange?: InterchangeLookup;
  now?: () => Date;
  /** Operational log lines (default stderr). */
  log?: (line: string) => void;
};

export type InboxOutcome =
  | { file: string; outcome: 'processed'; result: X12InboundResult }
  | { file: string; outcome: 'failed'; error: string; segmentPosition?: number }
  | { file: string; outcome: 'retry'; error: string };

const IN_PROGRESS = /^\.|\.(tmp|part|partial|filepart)$/i;
const FOLDERS = ['outbox', 'sent', 'inbox', 'processing', 'processed', 'failed', 'tmp'] as const;

/** A claim id as part of a file name: letters, digits, `.`, `_`, `-` only. */
export function fileSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class FileDropClearinghouse implements PayerGateway {
  readonly name = 'file-drop';
  readonly folders: Record<(typeof FOLDERS)[number], string>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private starting?: Promise<void>;
  private stopped = true;
  private halting = false;
  private ready?: Promise<void>;
  /** ICN -> claim ids, from the sent/ ledger. */
  private readonly ledger = new Map<number, Set<string>>();
  private tmpSeq = 0;
  /** Inbox files whose ingestion failed: tries that count toward `maxTries` (outages do not), and when to try again. */
  private readonly retries = new Map<string, { tries: number; failures: number; nextTryAt: number }>();
  private get maxTries(): number {
    return this.config.maxTries ?? 5;
  }

  constructor(private readonly config: FileDropConfig) {
    this.folders = Object.fromEntries(FOLDERS.map((f) => [f, path.join(config.dir, f)])) as FileDropClearinghouse['folders'];
  }

  private log(line: string): void {
    (this.config.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`file-drop clearinghouse: ${line}`);
  }

  private now(): Date {
    return this.config.now?.() ?? new Date();
  }

  /** Create the folders (idempotent). */
  init(): Promise<void> {
    return (this.ready ??= (async () => {
      for (const dir of Object.values(this.folders)) await fs.mkdir(dir, { recursive: true });
    })().catch((err) => {
      this.ready = undefined;
      throw err;
    }));
  }

  /** Start polling the inbox. Files left in processing/ by a crash go back to the inbox first. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    this.stopped = false;
    const starting = (async () => {
      await this.init();
      for (const name of await fs.readdir(this.folders.processing)) {
        await moveTo(path.join(this.folders.processing, name), this.folders.inbox, name).catch(() => undefined);
      }
      await this.loadLedger();
      await this.sweepTmp();
      if (this.stopped) return; // stop() was called meanwhile
      const loop = async () => {
        if (this.stopped) return;
        this.running = this.pollOnce().catch((err) => this.log(`poll failed: ${(err as Error).message}`));
        await this.running;
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.config.pollMs ?? 2000);
      };
      this.timer = setTimeout(loop, 0);
    })();
    this.starting = starting;
    return starting.catch((err) => {
      this.starting = undefined;
      throw err;
    });
  }

  /** Stop polling; resolves when a start or a poll in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true; // a poll in progress finishes the file in hand, not the whole backlog
    await this.starting?.catch(() => undefined);
    this.starting = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.halting = false;
  }

  // ---- out: 837P ----

  async submitClaim(submission: ClaimSubmission): Promise<{ trackingId: string }> {
    await this.init();
    const name = `${submission.interchangeControlNumber}-${fileSafe(submission.claim.claimId)}.x12`;
    const trackingId = `file-drop:${name}`;
    const sentCopy = path.join(this.folders.sent, name);
    // A retried activity (crash after the hand-over) must not drop the same interchange twice.
    if (await exists(sentCopy)) return { trackingId };
    await this.writeAtomic(this.folders.outbox, name, submission.x12);
    await this.writeAtomic(this.folders.sent, name, submission.x12);
    this.remember(submission.interchangeControlNumber, submission.claim.claimId);
    return { trackingId };
  }

  /**
   * AR-3 over files: with a member id the inquiry is written as a 276 (`276-<trace>.x12` in the
   * outbox, once: sent/ keeps it) and the answer is the 277 the clearinghouse dropped in the inbox
   * for that trace, when it has arrived (read from processed/). Until then, and without a member
   * id, the answer is what we know locally: pending when an 837P was handed over, else not_found.
   */
  async statusInquiry(q: StatusInquiryRequest): Promise<StatusInquiryResult> {
    await this.init();
    const checkedAt = this.now().toISOString();
    const suffix = `-${fileSafe(q.claimId)}.x12`;
    const sent = (await fs.readdir(this.folders.sent)).filter((n) => n.endsWith(suffix) && /^\d+-/.test(n));
    if (sent.length === 0) {
      return { category: 'not_found', detail: 'no 837P for this claim was handed to the file-drop clearinghouse', checkedAt };
    }
    if (q.memberId) {
      try {
        const trace = traceNumberOf(q);
        const control = (hash32(`276:${trace}`) % 999_999_999) + 1;
        const x276 = request276(q, {
          sender: { id: envelopeId(q.practiceId ?? '', 'PRACTICE'), name: q.practiceId ?? 'PRACTICE' },
          receiver: { id: envelopeId(q.payerId, 'PAYER'), name: q.payerId },
          controlNumbers: { isa: control, gs: control, st: 1 },
          createdAt: checkedAt,
        });
        const answer = await this.exchange({ kind: '276', traceNumber: trace, x12: x276 });
        if (answer) return resultFrom277(answer, q, checkedAt);
        return {
          category: 'pending',
          detail: `837P handed to the file-drop clearinghouse (${sent.sort().at(-1)}); 276 ${this.requestName('276', trace)} sent, no 277 answer in the inbox yet`,
          checkedAt,
        };
      } catch (err) {
        return unusableStatusExchange(err, checkedAt);
      }
    }
    return {
      category: 'pending',
      detail: `837P handed to the file-drop clearinghouse (${sent.sort().at(-1)}); it answers 276 status inquiries asynchronously and without a member id no 276 is written: check the clearinghouse portal`,
      checkedAt,
    };
  }

  private requestName(kind: string, traceNumber: string): string {
    return `${kind}-${fileSafe(traceNumber)}.x12`;
  }

  /**
   * A 270 / 276 / 278 request through the folders: written to outbox/ (atomically, once — a copy in
   * sent/ stops a retry from dropping it twice), and its answer looked up among the processed inbox
   * files (their report lists the trace numbers each 271 / 277 / 278 answers). Undefined while the
   * answer has not arrived: the caller (an activity) fails and is retried until it does.
   */
  async exchange(req: { kind: '270' | '276' | '278'; traceNumber: string; x12: string }): Promise<string | undefined> {
    await this.init();
    const name = this.requestName(req.kind, req.traceNumber);
    if (!(await exists(path.join(this.folders.sent, name)))) {
      await this.writeAtomic(this.folders.outbox, name, req.x12);
      await this.writeAtomic(this.folders.sent, name, req.x12);
    }
    const answerKind = req.kind === '270' ? '271' : req.kind === '276' ? '277' : '278';
    for (const report of (await fs.readdir(this.folders.processed)).filter((n) => n.endsWith('.report.json')).sort()) {
      const parsed = JSON.parse(await fs.readFile(path.join(this.folders.processed, report), 'utf8').catch(() => '{}')) as X12InboundResult;
      if (parsed.responses?.some((r) => r.kind === answerKind && r.traceNumber === req.traceNumber)) {
        return fs.readFile(path.join(this.folders.processed, report.slice(0, -'.report.json'.length)), 'utf8');
      }
    }
    return undefined;
  }

  private async writeAtomic(dir: string, name: string, text: string): Promise<void> {
    const tmp = path.join(this.folders.tmp, `${name}.${process.pid}.${++this.tmpSeq}.tmp`);
    try {
      const handle = await fs.open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, path.join(dir, name));
    } catch (err) {
      // A half-written 837P carries PHI: never leave it behind (the activity retries the write).
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Temp files a crashed process left (older than a minute: another process may be writing its own). */
  private async sweepTmp(): Promise<void> {
    const cutoff = Date.now() - 60_000;
    for (const name of await fs.readdir(this.folders.tmp)) {
      const file = path.join(this.folders.tmp, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat?.isFile() && stat.mtimeMs < cutoff) await fs.rm(file, { force: true }).catch(() => undefined);
    }
  }

  // ---- the sent/ ledger (999 group control number -> claims) ----

  private remember(icn: number, claimId: string): void {
    const set = this.ledger.get(icn) ?? new Set<string>();
    set.add(claimId);
    this.ledger.set(icn, set);
  }

  private async loadLedger(): Promise<void> {
    for (const name of await fs.readdir(this.folders.sent)) {
      const m = /^(\d+)-(.+)\.x12$/.exec(name);
      if (m) this.remember(Number(m[1]), m[2]);
    }
  }

  /** 837P GS06 = the interchange control number the submission allocated; one claim (ST 0001) per interchange. */
  readonly lookupInterchange: InterchangeLookup = async (groupControlNumber) => {
    if (!/^\d+$/.test(groupControlNumber)) return [];
    const icn = Number(groupControlNumber);
    if (!this.ledger.has(icn)) await this.loadLedger(); // another process may have sent it
    return [...(this.ledger.get(icn) ?? [])].map((claimId) => ({ claimId, interchangeControlNumber: icn }));
  };

  // ---- in: 999 / 277CA / 835 ----

  /** Ingest every settled file in the inbox once (oldest first). */
  async pollOnce(): Promise<InboxOutcome[]> {
    await this.init();
    const settleMs = this.config.settleMs ?? 1000;
    const candidates: Array<{ name: string; mtime: number }> = [];
    for (const name of await fs.readdir(this.folders.inbox)) {
      if (IN_PROGRESS.test(name)) continue;
      const stat = await fs.stat(path.join(this.folders.inbox, name)).catch(() => undefined);
      if (!stat?.isFile()) continue;
      // settleMs 0 reads at once: mtimeMs has sub-millisecond precision and can be ahead of Date.now().
      if (settleMs > 0 && Date.now() - stat.mtimeMs < settleMs) continue;
      candidates.push({ name, mtime: stat.mtimeMs });
    }
    candidates.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    const outcomes: InboxOutcome[] = [];
    for (const { name } of candidates) {
      if (this.halting) break;
      const retry = this.retries.get(name);
      if (retry && retry.nextTryAt > Date.now()) continue; // backing off after a failure
      const outcome = await this.ingestFile(name);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  private async ingestFile(name: string): Promise<InboxOutcome | undefined> {
    const claimed = path.join(this.folders.processing, name);
    try {
      await fs.rename(path.join(this.folders.inbox, name), claimed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // another poller took it
      throw err;
    }
    let text: string;
    try {
      text = await fs.readFile(claimed, 'utf8');
    } catch (err) {
      await moveTo(claimed, this.folders.inbox, name);
      return { file: name, outcome: 'retry', error: (err as Error).message };
    }
    try {
      const result = await ingestX12(text, this.config.sink, {
        source: 'file-drop',
        lookupInterchange: this.config.lookupInterchange ?? this.lookupInterchange,
        now: () => this.now(),
      });
      const dest = await moveTo(claimed, this.folders.processed, name);
      await fs.writeFile(`${dest}.report.json`, JSON.stringify({ file: name, processedAt: this.now().toISOString(), ...result }, null, 2) + '\n');
      for (const note of result.notes) this.log(`${name}: ${note}`);
      this.retries.delete(name);
      return { file: name, outcome: 'processed', result };
    } catch (err) {
      if (isX12Error(err) || err instanceof RemittanceRejected) {
        const where = isX12Error(err) ? `segment ${err.segmentPosition} (${err.segmentId}): ${err.reason}` : `remittance rejected: ${err.message}`;
        const dest = await moveTo(claimed, this.folders.failed, name);
        const lines = [
          `file: ${name}`,
          `failed at: ${this.now().toISOString()}`,
          ...(isX12Error(err) ? [`segment position: ${err.segmentPosition}`, `segment id: ${err.segmentId}`, `error code: ${err.code}`, `reason: ${err.reason}`] : [`reason: ${err.message}`]),
          '',
          isX12Error(err)
            ? 'The whole file was rejected: nothing from it was posted. Fix it (or ask the clearinghouse to resend) and drop it into the inbox again.'
            : 'This remittance was refused; earlier transaction sets of the same file, if any, were posted (dropping the file again posts only what was not).',
          '',
        ];
        await fs.writeFile(`${dest}.error.txt`, lines.join('\n'));
        this.log(`${name} rejected and moved to failed/: ${where}`);
        return { file: name, outcome: 'failed', error: where, ...(isX12Error(err) ? { segmentPosition: err.segmentPosition } : {}) };
      }
      // PostgreSQL or Temporal unavailable: back to the inbox, retried (backing off) until the outage
      // ends. Any other failure is retried a few times, then the file is set aside in failed/ so one
      // poison file does not cycle forever.
      const message = (err as Error).message.split('\n')[0];
      const outage = unavailableDependency(err) !== undefined;
      const previous = this.retries.get(name);
      const tries = (previous?.tries ?? 0) + (outage ? 0 : 1);
      const failures = (previous?.failures ?? 0) + 1;
      if (!outage && tries >= this.maxTries) {
        this.retries.delete(name);
        const dest = await moveTo(claimed, this.folders.failed, name);
        const lines = [
          `file: ${name}`,
          `failed at: ${this.now().toISOString()}`,
          `reason: ingestion failed ${tries} times (not an outage): ${message}`,
          '',
          'The file parsed, but taking it in failed repeatedly. Nothing from the failed attempts was posted twice (ingestion is idempotent).',
          'Once the cause is fixed, drop it into the inbox again: what was already posted is recognised as a duplicate.',
          '',
        ];
        await fs.writeFile(`${dest}.error.txt`, lines.join('\n'));
        this.log(`${name} moved to failed/ after ${tries} failed attempts: ${message}`);
        return { file: name, outcome: 'failed', error: message };
      }
      this.retries.set(name, { tries, failures, nextTryAt: Date.now() + Math.min(60_000, (this.config.retryBaseMs ?? 1000) * 2 ** Math.min(failures - 1, 6)) });
      await moveTo(claimed, this.folders.inbox, name).catch(() => undefined);
      this.log(`${name}: ingestion failed${outage ? ' (dependency unavailable)' : ` (attempt ${tries} of ${this.maxTries})`}, will retry: ${message}`);
      return { file: name, outcome: 'retry', error: message };
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Rename `from` into `dir`, keeping the name unless taken (then `name.<n>`); returns the new path. */
async function moveTo(from: string, dir: string, name: string): Promise<string> {
  for (let n = 0; ; n++) {
    const dest = path.join(dir, n === 0 ? name : `${name}.${n}`);
    if (await exists(dest)) continue;
    await fs.rename(from, dest);
    return dest;
  }
}
