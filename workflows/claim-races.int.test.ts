/**
 * Issue 12 races, made deterministic. The worker is ours: we stop it, let the messages that race
 * pile up on the server (a signal in history, an Update admitted and waiting), check that they are
 * all there, then start a worker so they land in ONE workflow task, in a known order. Or we hold
 * the 837P activity open with a gate around the real activity until the racing message is in.
 * No sleeps, no timing: each step waits for a state the server or the database reports.
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { eventually, startHarness, uniqueId, workflowBundle, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, correctClaimUpdate, type ClaimWorkflowState } from '../contracts/claim';
import { createActivities } from '../activities';
import { encryptingDataConverter } from '../workers/worker';
import { parseEncryptionKeys } from '../lib/config';
import type { ClaimDocument } from '../domain/claim-document';
import type { ClaimPayment, Remittance } from '../domain/remittance';

let h: Harness;
let connection: NativeConnection;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
  await h?.close();
});

type Running = { stop(): Promise<void> };
const started = new Set<Running>();
afterEach(async () => {
  for (const w of started) await w.stop();
});
/** A production worker (same activities, bundle and codec) we can stop and start; `wrap` may put a gate around an activity. */
async function startWorker(wrap: (acts: ReturnType<typeof createActivities>) => ReturnType<typeof createActivities> = (a) => a): Promise<Running> {
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: 'rcm',
    workflowBundle: await workflowBundle(),
    activities: wrap(createActivities({ db: h.db, gateway: h.simulator })),
    dataConverter: encryptingDataConverter(parseEncryptionKeys(inject('encryptionKeys'))),
  });
  const running = worker.run();
  const handle: Running = {
    async stop() {
      if (!started.delete(handle)) return;
      worker.shutdown();
      await running;
    },
  };
  started.add(handle);
  return handle;
}

const handleOf = (claimId: string) => h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId));
async function until(claimId: string, pred: (s: ClaimWorkflowState) => boolean, what: string) {
  return eventually(async () => {
    const s = await handleOf(claimId).query(claimStateQuery).catch(() => undefined);
    return s && pred(s) ? s : undefined;
  }, `${claimId} ${what}`, 60_000);
}
async function postClaim(claim: ClaimDocument) {
  h.simulator.behaveFor(claim.claimId, { kind: 'silence' }); // the test is the payer
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
  expect(res.statusCode, res.body).toBe(201);
}
async function postEra(claim: ClaimDocument, edit: (cp: ClaimPayment) => ClaimPayment = (cp) => cp) {
  const cp = edit({ ...h.simulator.claimPayment(claim, claim.payerId, { kind: 'pay' }), payerClaimControlNumber: `ICN-${claim.claimId}` });
  const day = new Date().toISOString().slice(0, 10);
  const era: Remittance = { payerId: claim.payerId, traceNumber: uniqueId('TRN'), totalPaidCents: cp.paidCents, paymentDate: day, adjudicationDate: day, claims: [cp], providerAdjustments: [] };
  const res = await h.app.inject({ method: 'POST', url: '/api/remittances', headers: h.auth('biller'), payload: era });
  expect(res.statusCode, res.body).toBe(201);
  return cp;
}
/** CO-16 on the whole claim: a soft denial that staff answer with a corrected claim. */
const softDenial = (cp: ClaimPayment): ClaimPayment => ({
  ...cp,
  paidCents: 0,
  patientResponsibilityCents: 0,
  adjustments: [{ group: 'CO', carc: '16', amountCents: cp.chargedCents }],
  remarks: ['MA130'],
  lines: cp.lines.map((l) => ({ ...l, paidCents: 0, allowedCents: 0, adjustments: [] })),
  statusCode: '4',
});
const submissionRows = (claimId: string) => h.db('submissions').where({ claim_id: claimId });

/** The history of a claim as event type names (e.g. WorkflowExecutionSignaled). */
async function eventTypes(claimId: string): Promise<string[]> {
  const history = await handleOf(claimId).fetchHistory();
  return (history.events ?? []).map((e) => {
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null) ?? '';
    const name = key.replace(/EventAttributes$/, '');
    return name.charAt(0).toUpperCase() + name.slice(1);
  });
}

describe('issue 12 races, deterministic', () => {
  it('a "correct" Update racing a payment ERA in the same workflow task: the paid claim is not sent again, the correction is refused (409 Conflict)', async () => {
    const claim = tfesiClaim(uniqueId('RACE-CORR'));
    let worker = await startWorker();
    await postClaim(claim);
    await until(claim.claimId, (s) => s.status === 'submitted', 'submitted');
    await postEra(claim, softDenial);
    await until(claim.claimId, (s) => s.status === 'denied', 'denied (soft, CO-16)');
    await worker.stop();

    // Worker stopped: the payment ERA is signalled (in history) and the correction Update is admitted.
    await postEra(claim); // paid in full
    const updateId = uniqueId('correct');
    const correction = handleOf(claim.claimId)
      .executeUpdate(correctClaimUpdate, { args: [{ claim: { ...claim, lines: claim.lines.map((l) => ({ ...l, modifiers: [...(l.modifiers ?? [])] })) }, reason: 'added the missing documentation', actor: 'race-biller' }], updateId })
      .then(
        (s) => ({ ok: true as const, s }),
        (err: unknown) => ({ ok: false as const, err }),
      );
    await eventually(async () => {
      const polled = await h.client.workflowService
        .pollWorkflowExecutionUpdate({ namespace: 'default', updateRef: { workflowExecution: { workflowId: claimWorkflowId(claim.practiceId, claim.claimId) }, updateId }, identity: 'race-test' })
        .catch(() => undefined);
      return polled ? true : undefined;
    }, 'the correction Update admitted by the server');

    worker = await startWorker();
    const outcome = await correction;
    // Closed (every dollar posted), or sent a second time: whichever comes first.
    const settled = await until(claim.claimId, (s) => s.status === 'closed' || s.submissions.length > 1, 'closed, or sent again');
    await worker.stop();

    // The race really happened: the payment signal and the Update were handled by ONE workflow task.
    const types = await eventTypes(claim.claimId);
    const accepted = types.indexOf('WorkflowExecutionUpdateAccepted');
    const paymentSignal = types.lastIndexOf('WorkflowExecutionSignaled', accepted);
    expect(accepted).toBeGreaterThan(0);
    expect(types.slice(paymentSignal, accepted).filter((t) => t === 'WorkflowTaskCompleted')).toHaveLength(1);

    // What a biller sees: the correction is refused because the claim was paid; one 837P went out.
    expect(outcome.ok).toBe(false);
    const err = outcome.ok ? undefined : outcome.err;
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((err as { cause?: Error }).cause?.message)).toMatch(/paid/);
    expect(settled.submissions).toHaveLength(1);
    expect(await submissionRows(claim.claimId)).toHaveLength(1);
    expect(settled.paidCents).toBeGreaterThan(0);
    expect(await h.db('payments').where({ claim_id: claim.claimId }).where('paid_cents', '>', 0)).toHaveLength(1);
  });

  it('a "close" while the 837P is in flight is refused (409 naming the submission); the payment that follows is posted once and the claim closes', async () => {
    const claim = tfesiClaim(uniqueId('RACE-CLOSE'));
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = await startWorker((acts) => ({
      ...acts,
      // The real activity, held open until the test lets it finish (the close arrives meanwhile).
      submitClaim: async (input) => {
        if (input.claim.claimId === claim.claimId) {
          entered();
          await gate;
        }
        return acts.submitClaim(input);
      },
    }));
    try {
      await postClaim(claim);
      await inFlight;
      // The close is answered (refused) at once, or, without the guard, accepted and left waiting
      // for the claim to close: either way we look before letting the 837P finish.
      let answered: { statusCode: number; body: string } | undefined;
      const closing = h.app
        .inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/close`, headers: h.auth('biller'), payload: { reason: 'patient paid at the desk' } })
        .then((res) => (answered = res));
      await eventually(async () => (answered || (await eventTypes(claim.claimId)).includes('WorkflowExecutionUpdateAccepted') ? true : undefined), 'the close answered or accepted');
      release();
      const close = await closing;
      expect(close.statusCode, close.body).toBe(409);
      expect(close.body).toMatch(/being sent/);
      await until(claim.claimId, (s) => s.status === 'submitted', 'submitted');
      const cp = await postEra(claim);
      const closed = await until(claim.claimId, (s) => s.status === 'closed', 'closed: every dollar posted');
      expect(closed.paidCents).toBe(cp.paidCents);
      const payments = await h.db('payments').where({ claim_id: claim.claimId });
      expect(payments).toHaveLength(1);
      expect(await h.db('work_items').where({ kind: 'remittance_for_closed_claim' }).whereRaw(`detail->>'claimId' = ?`, [claim.claimId])).toHaveLength(0);
    } finally {
      release();
      await worker.stop();
    }
  });

  it('DEN-1: a line-level denial inside a paid claim logs only the denied line', async () => {
    const claim = tfesiClaim(uniqueId('RACE-LINE'), {
      lines: [
        { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
      ],
      documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
    });
    const worker = await startWorker();
    try {
      await postClaim(claim);
      await until(claim.claimId, (s) => s.status === 'submitted', 'submitted');
      await postEra(claim, (cp) => {
        const lines = cp.lines.map((l, i) => (i === 1 ? { ...l, paidCents: 0, allowedCents: 0, adjustments: [{ group: 'CO' as const, carc: '50', amountCents: l.chargedCents }], remarks: ['N115'] } : l));
        return { ...cp, lines, paidCents: lines.reduce((t, l) => t + l.paidCents, 0), patientResponsibilityCents: lines.reduce((t, l) => t + l.adjustments.filter((a) => a.group === 'PR').reduce((u, a) => u + a.amountCents, 0), 0) };
      });
      const denial = await eventually(async () => (await h.db('denials').where({ claim_id: claim.claimId }))[0], 'the line denial logged');
      expect(denial.cpt_codes).toEqual(['64484']);
      expect(denial.carc).toBe('50');
    } finally {
      await worker.stop();
    }
  });
});
