/**
 * Bulk import of open claims already submitted by another system (a practice moving its AR to
 * us): one JSON object per line, `{ "claim": <claim document>, "submittedAt": "<ISO instant>",
 * "payerClaimControlNumber"?: "…" }`. Each valid row starts a claim workflow that records the
 * submission as it happened and plans the AR follow-up from the real date (no scrub, nothing sent
 * again). Shared by `rcm import claims` and `POST /api/claims/import`.
 *
 * - Bounded concurrency with backpressure: at most `concurrency` starts in flight; the reader waits.
 * - Resumable: a claim that exists (read model or workflow id) is skipped, so a second run of the
 *   same file starts only what the first did not.
 * - Refused rows are reported with their line number and the fields at fault — never their values
 *   (claim documents hold member ids and birth dates).
 */
import type { Knex } from 'knex';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { ClaimDocument, claimDateIssues, describeIssues } from '../domain/claim-document';
import { X12Text } from '../domain/primitives';
import { claimWorkflowStartOptions, type ClaimWorkflowInput } from '../contracts/claim';

export const ImportedClaimRow = z.object({
  claim: ClaimDocument,
  submittedAt: z.iso.datetime({ offset: true, message: 'expected an ISO instant such as 2026-10-01T14:00:00Z' }),
  payerClaimControlNumber: X12Text(50, 1).optional(),
});

export type RefusedRow = { line: number; claimId?: string; errors: Array<{ path: string; message: string }> };
export type ImportProgress = { read: number; started: number; existing: number; refused: number };
export type ImportReport = ImportProgress & { refusedRows: RefusedRow[] };

export type ImportDeps = {
  db: Knex;
  temporal: Client;
  /** Who imports (claim timeline actor). */
  actor: string;
  /** Today (UTC date) for the date-of-service bounds; `now` for "submitted in the future". */
  now?: () => Date;
  /** Practices the importer may write to (undefined: every practice). */
  practiceIds?: readonly string[];
  concurrency?: number;
  /** Called after every settled row (throttle the printing yourself). */
  onProgress?: (p: ImportProgress) => void;
};

/** At most this many refused rows are kept in the report (the counts stay exact). */
export const MAX_REFUSED_IN_REPORT = 1_000;

export async function importClaims(deps: ImportDeps, lines: AsyncIterable<string> | Iterable<string>): Promise<ImportReport> {
  // Take the iterator before the first await: a readline interface emits lines from the moment it
  // exists, and lines emitted before anyone iterates are lost.
  const rows: AsyncIterable<string> | Iterable<string> = Symbol.asyncIterator in lines ? { [Symbol.asyncIterator]: ((it) => () => it)(lines[Symbol.asyncIterator]()) } : lines;
  const now = deps.now ?? (() => new Date());
  const concurrency = Math.max(1, deps.concurrency ?? 16);
  const practices = new Set((await deps.db('practices').select('id')).map((r: { id: string }) => r.id));
  const payers = new Set((await deps.db('payers').select('id')).map((r: { id: string }) => r.id));
  const report: ImportReport = { read: 0, started: 0, existing: 0, refused: 0, refusedRows: [] };
  const seenInFile = new Set<string>();
  const inFlight = new Set<Promise<void>>();

  const refuse = (line: number, errors: RefusedRow['errors'], claimId?: string) => {
    report.refused++;
    if (report.refusedRows.length < MAX_REFUSED_IN_REPORT) report.refusedRows.push({ line, ...(claimId ? { claimId } : {}), errors });
  };

  let failure: unknown;
  const startRow = async (input: ClaimWorkflowInput) => {
    const claimId = input.claim.claimId;
    try {
      if (await deps.db('claims').where({ practice_id: input.claim.practiceId, claim_id: claimId }).first('claim_id')) {
        report.existing++;
        return;
      }
      await deps.temporal.workflow.start('claimWorkflow', claimWorkflowStartOptions(input));
      report.started++;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) report.existing++;
      else throw err; // an outage stops the run; a second run resumes where it stopped
    }
  };

  let line = 0;
  for await (const raw of rows) {
    line++;
    const text = raw.trim();
    if (!text) continue;
    report.read++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the input (PHI): say where, not what.
      refuse(line, [{ path: '(line)', message: 'not valid JSON (one claim object per line)' }]);
      continue;
    }
    const row = ImportedClaimRow.safeParse(parsed);
    const claimId = typeof (parsed as { claim?: { claimId?: unknown } })?.claim?.claimId === 'string' ? String((parsed as { claim: { claimId: string } }).claim.claimId).slice(0, 64) : undefined;
    if (!row.success) {
      refuse(line, describeIssues(row.error), claimId);
      continue;
    }
    const { claim, submittedAt, payerClaimControlNumber } = row.data;
    const today = now().toISOString().slice(0, 10);
    const errors = claimDateIssues(claim, today).map((i) => ({ path: ['claim', ...i.path].join('.'), message: i.message }));
    if (!practices.has(claim.practiceId)) errors.push({ path: 'claim.practiceId', message: `unknown practice "${claim.practiceId}"` });
    else if (deps.practiceIds && !deps.practiceIds.includes(claim.practiceId)) errors.push({ path: 'claim.practiceId', message: `practice "${claim.practiceId}" is not one of yours` });
    if (!payers.has(claim.payerId)) errors.push({ path: 'claim.payerId', message: `unknown payer "${claim.payerId}"` });
    if (Date.parse(submittedAt) > now().getTime()) errors.push({ path: 'submittedAt', message: 'is in the future' });
    if (submittedAt.slice(0, 10) < claim.serviceDate) errors.push({ path: 'submittedAt', message: `is before the date of service ${claim.serviceDate}` });
    if (seenInFile.has(`${claim.practiceId}\u0000${claim.claimId}`)) errors.push({ path: 'claim.claimId', message: `claim ${claim.claimId} appears earlier in this file` });
    if (errors.length) {
      refuse(line, errors, claim.claimId);
      continue;
    }
    seenInFile.add(`${claim.practiceId}\u0000${claim.claimId}`);
    const input: ClaimWorkflowInput = {
      claim,
      enteredAt: now().toISOString(),
      actor: deps.actor,
      imported: { submittedAt: new Date(submittedAt).toISOString(), ...(payerClaimControlNumber ? { payerClaimControlNumber } : {}) },
    };
    const p: Promise<void> = startRow(input)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => {
        inFlight.delete(p);
        deps.onProgress?.({ read: report.read, started: report.started, existing: report.existing, refused: report.refused });
      });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  deps.onProgress?.({ read: report.read, started: report.started, existing: report.existing, refused: report.refused });
  return report;
}
