/**
 * Records the workflow histories that workflows/replay.int.test.ts replays in CI
 * (`npx tsx scripts/record-histories.ts`; see test/histories/README.md for when).
 *
 * Starts its own servers exactly as the benches do (bench/env.ts: fresh embedded PostgreSQL in a
 * temp dir, in-memory Temporal dev server, migrated and seeded), attaches the production worker,
 * API and payer simulator with the FIXED test-only fixture key (test/histories/support.ts), drives
 * representative scenarios through the HTTP API with synthetic data (test/fixtures.ts), waits for
 * each workflow to reach a stable point and writes its history to test/histories/<name>.json
 * (canonical proto3 JSON, the format of `temporal workflow show --output json`). Open (still
 * running) histories are fine: replay handles them. Stops every server it started before exiting.
 *
 * Usage: npx tsx scripts/record-histories.ts [scenario-name ...]   (default: all)
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { attach, eventually, startServers, type Env, type Servers } from '../bench/env';
import { FIXTURE_ENCRYPTION_KEYS, historyToJson } from '../test/histories/support';
import { tfesiAppointment, tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId, correctClaimUpdate, credentialChangedSignal, workItemCompletedSignal, type ClaimWorkflowState } from '../contracts/claim';
import { NativeConnection } from '@temporalio/worker';
import { bundleWorkflows, createRcmWorker } from '../workers/worker';
import { parseEncryptionKeys } from '../lib/config';
import type { PayerBehaviour } from '../activities/gateway/simulator';
import type { ClaimPayment, Remittance } from '../domain/remittance';
import { credentialStateQuery, credentialWorkflowId } from '../contracts/credential';
import { authorizationStateQuery, authorizationWorkflowId } from '../contracts/authorization';
import { eligibilityStateQuery, eligibilityWorkflowId } from '../contracts/eligibility';
import { addCalendarDays } from '../domain/business-days';
import { createApiToken } from '../api/tokens';
import type { ClaimDocument } from '../domain/claim-document';

const OUT_DIR = path.resolve(__dirname, '../test/histories');
const log = (m: string) => process.stdout.write(`${m}\n`);
const today = () => new Date().toISOString().slice(0, 10);

type Scenario = { name: string; what: string; run(env: Env): Promise<WorkflowHandle> };

/** Set by main(): the servers, so a scenario can start a worker of its own; and what to stop at the end. */
let serverInfo: Servers | undefined;
const cleanups: Array<() => Promise<void>> = [];

/** A production worker in place of the one a scenario stopped (runs until the recorder ends). */
async function restartWorker(env: Env) {
  const connection = await NativeConnection.connect({ address: serverInfo!.temporalAddress });
  const worker = await createRcmWorker({ connection, namespace: 'default', db: env.db, gateway: env.simulator, keys: parseEncryptionKeys(FIXTURE_ENCRYPTION_KEYS), workflowBundle: await bundleWorkflows() });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });
}

// ------------------------------------------------------------------ helpers

async function expectStatus(res: { statusCode: number; body: string }, expected: number, what: string) {
  if (res.statusCode !== expected) throw new Error(`${what}: HTTP ${res.statusCode} (expected ${expected}): ${res.body}`);
}

async function postClaim(env: Env, claim: ClaimDocument) {
  const res = await env.app.inject({ method: 'POST', url: '/api/claims', headers: env.auth, payload: claim });
  await expectStatus(res, 201, `POST /api/claims ${claim.claimId}`);
  return env.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId));
}

async function untilClaim(handle: WorkflowHandle, pred: (s: ClaimWorkflowState) => boolean, what: string): Promise<ClaimWorkflowState> {
  return eventually(async () => {
    const s = await handle.query(claimStateQuery).catch(() => undefined);
    return s && pred(s) ? s : undefined;
  }, `${handle.workflowId} ${what}`);
}

const openWorkItems = (env: Env, entityType: string, entityId: string) =>
  env.db('work_items').where({ entity_type: entityType, entity_id: entityId, status: 'open' }).orderBy('id');

/**
 * A stable point: no activity pending, no workflow task in flight, and the history length unchanged
 * across several polls (so the recorded history does not end in the middle of a step).
 */
async function settle(handle: WorkflowHandle): Promise<number> {
  let last = -1;
  let stableFor = 0;
  return eventually(async () => {
    const d = await handle.describe();
    const raw = d.raw;
    const busy = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null;
    const len = d.historyLength;
    if (!busy && len === last) stableFor++;
    else stableFor = 0;
    last = len;
    return stableFor >= 4 ? len : undefined;
  }, `${handle.workflowId} to settle`, 60_000, 250);
}

/** Medicare lumbar TFESI L4-L5 and L5-S1 on the left: 64483-LT + 64484-LT (as workflows/claim.int.test.ts). */
function twoLevelTfesi(claimId: string): ClaimDocument {
  return tfesiClaim(claimId, {
    lines: [
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
    ],
    documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
  });
}

/** Synthetic provider (as api/providers.int.test.ts); NPI 1234567893 passes the Luhn check. */
function provider(npi: string) {
  const t = today();
  return {
    npi,
    practiceId: 'demo-pain',
    name: 'Dr. Casey Example',
    specialty: 'pain_medicine',
    firstBillingDate: addCalendarDays(t, 100),
    credentials: {
      licenses: [{ state: 'IL', number: '036-555', issueDate: addCalendarDays(t, -400), expiryDate: addCalendarDays(t, 300) }],
      dea: { number: 'FE1234563', expiryDate: addCalendarDays(t, 500) },
      caqh: { caqhId: '11223344', lastAttestationDate: addCalendarDays(t, -10) },
      enrollments: [{ payerId: 'MEDICARE', effectiveDate: addCalendarDays(t, -200) }, { payerId: 'COMMERCIAL' }],
    },
  };
}


/** A JSON remittance for one claim as the simulated payer would pay it, `edit`ed by the scenario. */
function remittanceFor(env: Env, claim: ClaimDocument, behaviour: PayerBehaviour, payerId = claim.payerId, edit: (cp: ClaimPayment) => ClaimPayment = (cp) => cp): Remittance {
  const cp = edit({ ...env.simulator.claimPayment(claim, payerId, behaviour), payerClaimControlNumber: `ICN-${claim.claimId}` });
  return { payerId, traceNumber: `TRN-${claim.claimId}-${cp.statusCode}-${Date.now().toString(36)}`, totalPaidCents: cp.paidCents, paymentDate: today(), adjudicationDate: today(), claims: [cp], providerAdjustments: [] };
}

async function postRemittance(env: Env, remittance: Remittance) {
  const res = await env.app.inject({ method: 'POST', url: '/api/remittances', headers: env.auth, payload: remittance });
  await expectStatus(res, 201, `POST /api/remittances ${remittance.traceNumber}`);
}

async function completeWorkItem(env: Env, claimId: string, kind: string, outcome: Record<string, unknown>) {
  const item = await eventually(async () => (await openWorkItems(env, 'claim', claimId).where({ kind }))[0], `${claimId} ${kind} work item`);
  const res = await env.app.inject({ method: 'POST', url: `/api/work-items/${item.id}/complete`, headers: env.auth, payload: { outcome } });
  await expectStatus(res, 200, `complete ${kind} for ${claimId}`);
}

// ------------------------------------------------------------------ scenarios

/** ELIG-1: an appointment 2 days out; the overdue 3-day check runs at once. */
async function firstEligibilityCheck(env: Env, appointmentId: string): Promise<WorkflowHandle> {
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/appointments',
    headers: env.auth,
    payload: tfesiAppointment(appointmentId, 'PT-1001', addCalendarDays(today(), 2)),
  });
  await expectStatus(res, 201, 'POST /api/appointments');
  const handle = env.client.workflow.getHandle(eligibilityWorkflowId(appointmentId));
  await eventually(async () => ((await handle.query(eligibilityStateQuery).catch(() => undefined))?.checks.length ? true : undefined), `${handle.workflowId} first check`);
  return handle;
}

const scenarios: Scenario[] = [
  {
    name: 'claim-clean-closed',
    what: 'clean claim: scrubbed, submitted, acknowledged, paid at contract, posted, closed',
    async run(env) {
      const handle = await postClaim(env, tfesiClaim('REC-CLEAN-1'));
      await untilClaim(handle, (s) => s.status === 'closed', 'closed');
      return handle;
    },
  },
  {
    name: 'claim-underpaid-dispute',
    what: 'POST-3/POST-5: MPR wrongly applied to the add-on (64483-LT + 64484-LT) → posted with an underpayment dispute open',
    async run(env) {
      const claimId = 'REC-MPR-1';
      env.simulator.behaveFor(claimId, { kind: 'mpr_wrong' });
      const handle = await postClaim(env, twoLevelTfesi(claimId));
      await untilClaim(handle, (s) => s.status === 'posted' && s.payments.some((p) => p.underpaidCents > 0), 'posted underpaid');
      await eventually(async () => (await openWorkItems(env, 'claim', claimId).where({ kind: 'underpayment_dispute' }))[0], `${claimId} dispute work item`);
      return handle;
    },
  },
  {
    name: 'claim-denied-co50',
    what: 'CO-50 medical-necessity denial (hard) → denied, waiting for an appeal',
    async run(env) {
      const claimId = 'REC-DENY-1';
      env.simulator.behaveFor(claimId, { kind: 'deny', carc: '50', rarc: 'N115' });
      const handle = await postClaim(env, tfesiClaim(claimId));
      await untilClaim(handle, (s) => s.status === 'denied' && s.denial?.category === 'hard', 'denied (hard)');
      await eventually(async () => (await openWorkItems(env, 'claim', claimId).where({ kind: 'appeal' }))[0], `${claimId} appeal work item`);
      return handle;
    },
  },
  {
    name: 'claim-corrected-closed',
    what: 'CODE-1 scrub error → needs_correction; corrected claim (Update) resubmitted, paid and closed',
    async run(env) {
      const claimId = 'REC-FIX-1';
      const wrong = tfesiClaim(claimId, { lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] });
      const handle = await postClaim(env, wrong);
      await untilClaim(handle, (s) => s.status === 'needs_correction', 'needs_correction');
      await eventually(async () => (await openWorkItems(env, 'claim', claimId))[0], `${claimId} correction work item`);
      const res = await env.app.inject({
        method: 'POST',
        url: `/api/claims/${claimId}/actions/correct`,
        headers: env.auth,
        payload: { claim: tfesiClaim(claimId), reason: 'approach per note: transforaminal' },
      });
      await expectStatus(res, 200, `correct ${claimId}`);
      await untilClaim(handle, (s) => s.status === 'closed' && s.version === 2, 'closed after correction');
      return handle;
    },
  },
  {
    name: 'credential-renewed',
    what: 'provider credential workflow created (license, DEA, CAQH, two enrollments), then one DEA renewal Update',
    async run(env) {
      const npi = '1234567893';
      const res = await env.app.inject({ method: 'POST', url: '/api/providers', headers: env.auth, payload: provider(npi) });
      await expectStatus(res, 201, 'POST /api/providers');
      const handle = env.client.workflow.getHandle(credentialWorkflowId(npi));
      await eventually(async () => ((await handle.query(credentialStateQuery).catch(() => undefined))?.nextDeadline ? true : undefined), `${handle.workflowId} first pass`);
      await settle(handle);
      const renewed = await env.app.inject({
        method: 'POST',
        url: `/api/providers/${npi}/actions/renew-credential`,
        headers: env.auth,
        payload: { kind: 'dea', expiryDate: addCalendarDays(today(), 1030), documentRef: 'doc://dea-renewal' },
      });
      await expectStatus(renewed, 200, 'renew-credential dea');
      return handle;
    },
  },
  {
    name: 'credential-long-history',
    what: 'CRED-1/CRED-4 over a long life: 40 CAQH re-attestations and 10 license renewals recorded through Updates (hundreds of events)',
    async run(env) {
      const npi = '1987654328';
      const res = await env.app.inject({ method: 'POST', url: '/api/providers', headers: env.auth, payload: (() => {
        const p = provider(npi);
        return { ...p, name: 'Dr. Long Tenure', credentials: { ...p.credentials, caqh: { caqhId: '55667788', lastAttestationDate: addCalendarDays(today(), -60) } } };
      })() });
      await expectStatus(res, 201, 'POST /api/providers (long history)');
      const handle = env.client.workflow.getHandle(credentialWorkflowId(npi));
      await eventually(async () => ((await handle.query(credentialStateQuery).catch(() => undefined))?.nextDeadline ? true : undefined), `${handle.workflowId} first pass`);
      const t = today();
      for (let i = 40; i >= 1; i--) {
        const r = await env.app.inject({ method: 'POST', url: `/api/providers/${npi}/actions/record-caqh-attestation`, headers: env.auth, payload: { attestationDate: addCalendarDays(t, -i), documentRef: `doc://caqh-${i}` } });
        await expectStatus(r, 200, `record-caqh-attestation ${i}`);
        if (i % 4 === 0) {
          const l = await env.app.inject({ method: 'POST', url: `/api/providers/${npi}/actions/renew-credential`, headers: env.auth, payload: { kind: 'license', state: 'IL', expiryDate: addCalendarDays(t, 300 + 30 * (41 - i)), documentRef: `doc://license-${i}` } });
          await expectStatus(l, 200, `renew-credential license ${i}`);
        }
      }
      return handle;
    },
  },
  {
    name: 'authorization-approved',
    what: 'prior authorization (lumbar TFESI, COMMERCIAL) submitted and approved by the payer simulator',
    async run(env) {
      const authId = 'REC-AUTH-1';
      const t = today();
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/authorizations',
        headers: env.auth,
        payload: {
          authId,
          practiceId: 'demo-pain',
          payerId: 'COMMERCIAL',
          patientId: 'PT-1001',
          providerNpi: '1234567893',
          family: 'esi',
          cpts: ['64483'],
          region: 'lumbar',
          approach: 'transforaminal',
          levels: ['L4-L5'],
          laterality: 'bilateral',
          validFrom: t,
          validTo: addCalendarDays(t, 90),
          visitsRequested: 2,
          package: {
            diagnoses: ['M54.16'],
            imagingFindings: 'MRI: L4-L5 foraminal stenosis',
            conservativeCare: { weeks: 8, modalities: ['physical therapy', 'NSAIDs'], failed: true },
            functionalImpairment: 'cannot walk more than one block',
          },
        },
      });
      await expectStatus(res, 201, 'POST /api/authorizations');
      const handle = env.client.workflow.getHandle(authorizationWorkflowId(authId));
      await eventually(async () => ((await handle.query(authorizationStateQuery).catch(() => undefined))?.status === 'approved' ? true : undefined), `${handle.workflowId} approved`);
      return handle;
    },
  },
  {
    name: 'eligibility-first-check',
    what: 'eligibility workflow for an appointment 2 days out: the 3-day check is overdue and runs at once (ELIG-1)',
    run: (env) => firstEligibilityCheck(env, 'REC-APPT-1'),
  },
  {
    name: 'eligibility-first-check-practice-today-2026-12',
    what: 'the same after eligibility-practice-today: a check waits for its date to begin where the practice is, not for the UTC date (ELIG-1)',
    run: (env) => firstEligibilityCheck(env, 'REC-APPT-3'),
  },

  {
    name: 'reconciliation-daily',
    what: 'CHG-2/POST-7 daily reconciliation run for the demo practice (its Schedule action, started directly)',
    async run(env) {
      const handle = await env.client.workflow.start('dailyReconciliationWorkflow', {
        taskQueue: 'rcm',
        workflowId: `daily-reconciliation:demo-pain:REC-${today()}`,
        args: [{ practiceId: 'demo-pain' }],
      });
      await handle.result();
      return handle;
    },
  },
  // Paths through each patched() branch (issue 11: every patch marker replayed in CI).
  {
    name: 'claim-partial-write-off',
    what: 'partial-write-off: $500 of the balance written off (AR-6, requester and a different approver); the claim stays open for the rest',
    async run(env) {
      const claim = tfesiClaim('REC-PARTIAL-WO-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      const approverToken = await createApiToken(env.db, { name: 'recorder-approver', role: 'approver' });
      const req = await env.app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/request-write-off`, headers: env.auth, payload: { amountCents: 50000, rationale: 'component not billable' } });
      await expectStatus(req, 200, 'request-write-off');
      const ok = await env.app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/approve-write-off`, headers: { authorization: `Bearer ${approverToken}` }, payload: { recoveryReview: 'no secondary' } });
      await expectStatus(ok, 200, 'approve-write-off');
      await untilClaim(handle, (s) => s.writtenOffCents === 50000, 'partial write-off recorded');
      return handle;
    },
  },
  {
    name: 'claim-rules-recorded',
    what: 'ar-plan-recorded / payment-rules-recorded: the AR plan and the payment rules come from local activities; an underpaid claim (MPR wrong) posted with its dispute due from the recorded rules',
    async run(env) {
      const claimId = 'REC-RULES-1';
      env.simulator.behaveFor(claimId, { kind: 'mpr_wrong' });
      const handle = await postClaim(env, twoLevelTfesi(claimId));
      await untilClaim(handle, (s) => s.status === 'posted' && s.payments.some((p) => p.underpaidCents > 0), 'posted underpaid');
      await eventually(async () => (await openWorkItems(env, 'claim', claimId).where({ kind: 'underpayment_dispute' }))[0], `${claimId} dispute work item`);
      return handle;
    },
  },
  {
    name: 'claim-reversal',
    what: 'CLP02 22 (reversal-follow-up): an underpaid claim (dispute open) has its payment reversed; the corrected payment is followed up',
    async run(env) {
      const claim = twoLevelTfesi('REC-REVERSAL-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'mpr_wrong' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'posted' && s.payments.some((p) => p.underpaidCents > 0), 'posted underpaid');
      const paid = (await handle.query(claimStateQuery)).payments[0];
      await postRemittance(env, remittanceFor(env, claim, { kind: 'mpr_wrong' }, claim.payerId, (cp) => ({
        ...cp,
        statusCode: '22',
        chargedCents: -cp.chargedCents,
        paidCents: -paid.paidCents,
        patientResponsibilityCents: -cp.patientResponsibilityCents,
        lines: cp.lines.map((l) => ({ ...l, chargedCents: -l.chargedCents, paidCents: -l.paidCents, adjustments: l.adjustments.map((a) => ({ ...a, amountCents: -a.amountCents })) })),
      })));
      await untilClaim(handle, (s) => s.timers.some((t) => t.id.startsWith('payment-expected:reversal') && t.state === 'pending'), 'reversal follow-up timer');
      return handle;
    },
  },
  {
    name: 'claim-secondary-rejected',
    what: 'secondary-rejection: the secondary claim is rejected by the payer front end (277CA); a work item',
    async run(env) {
      const claim = tfesiClaim('REC-SECREJ-1', { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-REC-4' } });
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }));
      const state = await untilClaim(handle, (s) => s.status === 'secondary_submitted', 'secondary submitted');
      const secondary = state.submissions.find((x) => x.coverage === 'secondary')!;
      await env.inbound.acknowledgement({ claimId: claim.claimId, interchangeControlNumber: secondary.interchangeControlNumber, accepted: false, reasons: ['A7:562:85'], at: new Date().toISOString(), source: '277CA' });
      await eventually(async () => (await openWorkItems(env, 'claim', claim.claimId).where({ kind: 'secondary_rejection' }))[0], 'secondary rejection work item');
      return handle;
    },
  },
  {
    name: 'claim-secondary-unsendable',
    what: 'secondary-send-failure / send-failure-business-only: the secondary 837P cannot be built (a delimiter in the member id); a work item, not a failed workflow',
    async run(env) {
      const claim = tfesiClaim('REC-SECBAD-1', { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD~BAD' } });
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }));
      await eventually(async () => (await openWorkItems(env, 'claim', claim.claimId).where({ kind: 'secondary_rejection' }))[0], 'secondary could-not-be-built work item');
      return handle;
    },
  },
  {
    name: 'claim-work-item-twice',
    what: 'work-item-once: a line-denial work item whose completion arrives twice is applied once',
    async run(env) {
      const claim = twoLevelTfesi('REC-TWICE-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }, claim.payerId, (cp) => {
        const lines = cp.lines.map((l, i) => (i === 1 ? { ...l, paidCents: 0, allowedCents: 0, adjustments: [{ group: 'CO' as const, carc: '50', amountCents: l.chargedCents }], remarks: ['N115'] } : l));
        return { ...cp, lines, paidCents: lines.reduce((t, l) => t + l.paidCents, 0), patientResponsibilityCents: lines.reduce((t, l) => t + l.adjustments.filter((a) => a.group === 'PR').reduce((u, a) => u + a.amountCents, 0), 0) };
      }));
      const item = await eventually(async () => (await openWorkItems(env, 'claim', claim.claimId).where({ kind: 'line_denial' }))[0], 'line denial work item');
      const completion = { workItemId: item.id, kind: 'line_denial', outcome: { resolution: 'appealed' }, completedBy: 'recorder', completedAt: new Date().toISOString() };
      await Promise.all([handle.signal(workItemCompletedSignal, completion), handle.signal(workItemCompletedSignal, completion)]);
      await untilClaim(handle, (s) => s.status === 'closed', 'closed');
      return handle;
    },
  },
  {
    name: 'claim-continued-as-new',
    what: 'bounded history (claim-continue-as-new): a scrub error, one correction, and the run continues as new at the top of its loop (low event limit: 10 events since claim writes are batched, issue 16); the first run is recorded',
    async run(env) {
      const claimId = 'REC-CAN-1';
      const wrong = tfesiClaim(claimId, { lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] });
      const first = await env.client.workflow.start('claimWorkflow', {
        taskQueue: 'rcm',
        workflowId: claimWorkflowId(DEMO_PRACTICE_ID, claimId),
        args: [{ claim: wrong, enteredAt: new Date().toISOString(), actor: 'recorder', continueAsNewAfterEvents: 10 }],
      });
      const latest = env.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId));
      await untilClaim(latest, (s) => s.status === 'needs_correction', 'needs_correction');
      const res = await env.app.inject({ method: 'POST', url: `/api/claims/${claimId}/actions/correct`, headers: env.auth, payload: { claim: tfesiClaim(claimId), reason: 'approach per note: transforaminal' } });
      await expectStatus(res, 200, `correct ${claimId}`);
      await untilClaim(latest, (s) => s.status === 'closed', 'closed in the next run');
      return env.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId), first.firstExecutionRunId);
    },
  },
  {
    name: 'claim-appealed-paid',
    what: 'DEN-4: CO-50 denial appealed (appeal-follow-up timer), the payer pays on appeal, closed',
    async run(env) {
      const claim = tfesiClaim('REC-APPEAL-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'deny', carc: '50', rarc: 'N115' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'denied', 'denied');
      const res = await env.app.inject({ method: 'POST', url: `/api/claims/${claim.claimId}/actions/submit-appeal`, headers: env.auth, payload: { appealReference: 'APL-REC-1', note: 'records attached' } });
      await expectStatus(res, 200, 'submit-appeal');
      await untilClaim(handle, (s) => s.status === 'appealed', 'appealed');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }));
      await untilClaim(handle, (s) => s.status === 'closed', 'closed after the appeal was paid');
      return handle;
    },
  },
  {
    name: 'claim-secondary-closed',
    what: 'POST-6: primary pays, the secondary claim goes out (secondary-follow-up timer), the secondary pays, closed',
    async run(env) {
      const handle = await postClaim(env, tfesiClaim('REC-SECONDARY-1', { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-REC-1' } }));
      await untilClaim(handle, (s) => s.status === 'closed', 'closed after the secondary paid');
      return handle;
    },
  },
  {
    name: 'claim-correction-after-payment',
    what: 'issue 12 (correction-after-payment, close-refused-while-sending): soft denial; with the worker stopped the payment ERA and a correction arrive together; the correction is refused, the claim closes paid, sent once',
    async run(env) {
      const claim = tfesiClaim('REC-RACE-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'deny', carc: '16', rarc: 'MA130' }));
      await untilClaim(handle, (s) => s.status === 'denied', 'denied (soft)');
      // Both messages wait on the server while no worker runs, then land in one workflow task.
      env.worker!.shutdown();
      await eventually(async () => (env.worker!.getState() === 'STOPPED' ? true : undefined), 'the worker stopped');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }));
      const updateId = 'REC-RACE-1-correct';
      const correction = handle.executeUpdate(correctClaimUpdate, { args: [{ claim, reason: 'documentation attached', actor: 'recorder' }], updateId }).catch(() => 'refused');
      await eventually(
        () =>
          env.client.workflowService
            .pollWorkflowExecutionUpdate({ namespace: 'default', updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId }, identity: 'recorder' })
            .then(() => true)
            .catch(() => undefined),
        'the correction admitted',
      );
      await restartWorker(env);
      if ((await correction) !== 'refused') throw new Error('the correction of a paid claim was applied');
      await untilClaim(handle, (s) => s.status === 'closed' && s.submissions.length === 1, 'closed, sent once');
      return handle;
    },
  },
  // Issue 13 (deadlines-in-practice-zone): one history per workflow type whose deadline instants are recorded local activities.
  {
    name: 'authorization-zoned-incomplete',
    what: 'AUTH-4 RFA without the second MBB (demo-north, America/Los_Angeles): not submitted, deadline at the end of the due date there',
    async run(env) {
      const t = today();
      const payload = { authId: 'REC-AUTH-TZ-1', practiceId: 'demo-north', payerId: 'MEDICARE_ADVANTAGE', patientId: 'PT-2001', providerNpi: '1234567893', family: 'rfa', cpts: ['64635'], region: 'lumbar', levels: ['L4-L5'], laterality: 'bilateral', validFrom: t, validTo: addCalendarDays(t, 90), visitsRequested: 1, package: { diagnoses: ['M47.816'], functionalImpairment: 'axial pain limits standing', mbbNotes: [{ date: addCalendarDays(t, -40), reliefPercent: 85, reliefHours: 6 }] } };
      await expectStatus(await env.app.inject({ method: 'POST', url: '/api/authorizations', headers: env.auth, payload }), 201, 'POST /api/authorizations');
      const handle = env.client.workflow.getHandle(authorizationWorkflowId(payload.authId));
      await eventually(async () => ((await handle.query(authorizationStateQuery).catch(() => undefined))?.status === 'incomplete' ? true : undefined), `${handle.workflowId} incomplete`);
      return handle;
    },
  },
  {
    name: 'eligibility-zoned-scheduled',
    what: 'appointment 10 days out: the ELIG-1 3-day check planned for when its date begins in the practice zone',
    async run(env) {
      const payload = { appointmentId: 'REC-APPT-TZ-1', practiceId: 'demo-pain', payerId: 'MEDICARE', patientId: 'PT-1002', providerNpi: '1234567893', serviceDate: addCalendarDays(today(), 10), cpts: ['64483'], placeOfService: '24', region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'left', conservativeCareWeeks: 6 };
      await expectStatus(await env.app.inject({ method: 'POST', url: '/api/appointments', headers: env.auth, payload }), 201, 'POST /api/appointments');
      const handle = env.client.workflow.getHandle(eligibilityWorkflowId(payload.appointmentId));
      await eventually(async () => ((await handle.query(eligibilityStateQuery).catch(() => undefined))?.nextCheck ? true : undefined), `${handle.workflowId} next check planned`);
      return handle;
    },
  },
  {
    name: 'credential-zoned-first-pass',
    what: 'provider credential workflow: the first pass plans its next milestone for when its date begins in the practice zone',
    async run(env) {
      const npi = '1234567802';
      await expectStatus(await env.app.inject({ method: 'POST', url: '/api/providers', headers: env.auth, payload: provider(npi) }), 201, 'POST /api/providers');
      const handle = env.client.workflow.getHandle(credentialWorkflowId(npi));
      await eventually(async () => ((await handle.query(credentialStateQuery).catch(() => undefined))?.nextDeadline ? true : undefined), `${handle.workflowId} first pass`);
      return handle;
    },
  },
  {
    name: 'claim-secondary-denied',
    what: 'the secondary payer denies (secondary-denial-worked): a line-denial work item, completed, then closed',
    async run(env) {
      const claim = tfesiClaim('REC-SECDENY-1', { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-REC-2' } });
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }));
      await untilClaim(handle, (s) => s.status === 'secondary_submitted', 'secondary submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'deny', carc: '22', rarc: 'MA04' }, 'MEDICAID', (cp) => ({ ...cp, statusCode: '4' })));
      await completeWorkItem(env, claim.claimId, 'line_denial', { resolution: 'billed the patient', note: 'secondary coverage termed' });
      await untilClaim(handle, (s) => s.status === 'closed', 'closed after the secondary denial was worked');
      return handle;
    },
  },
  {
    name: 'claim-crossover-19',
    what: 'CLP02 19 (crossover-19): the primary forwarded the claim to the secondary; no secondary claim of ours',
    async run(env) {
      const claim = tfesiClaim('REC-XOVER-1', { secondaryCoverage: { payerId: 'MEDICAID', memberId: 'MCD-REC-3' } });
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }, claim.payerId, (cp) => ({ ...cp, statusCode: '19' })));
      await untilClaim(handle, (s) => s.status === 'posted' || s.status === 'closed', 'posted after the crossover');
      return handle;
    },
  },
  {
    name: 'claim-line-denial',
    what: 'DEN-1 (line-denials-worked): the add-on level denied inside a paid claim, its work item completed, closed',
    async run(env) {
      const claim = twoLevelTfesi('REC-LINE-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }, claim.payerId, (cp) => {
        const lines = cp.lines.map((l, i) => (i === 1 ? { ...l, paidCents: 0, allowedCents: 0, adjustments: [{ group: 'CO' as const, carc: '50', amountCents: l.chargedCents }], remarks: ['N115'] } : l));
        const paid = lines.reduce((t, l) => t + l.paidCents, 0);
        const pr = lines.reduce((t, l) => t + l.adjustments.filter((a) => a.group === 'PR').reduce((u, a) => u + a.amountCents, 0), 0);
        return { ...cp, lines, paidCents: paid, patientResponsibilityCents: pr };
      }));
      await completeWorkItem(env, claim.claimId, 'line_denial', { resolution: 'appeal filed for the add-on level', note: 'see DEN-4' });
      await untilClaim(handle, (s) => s.status === 'closed', 'closed after the line denial was worked');
      return handle;
    },
  },
  {
    name: 'claim-not-ours-23',
    what: 'CLP02 23 (clp02-23-25): the payer says the claim is not theirs; a coordination-of-benefits work item',
    async run(env) {
      const claim = tfesiClaim('REC-COB-1');
      env.simulator.behaveFor(claim.claimId, { kind: 'silence' });
      const handle = await postClaim(env, claim);
      await untilClaim(handle, (s) => s.status === 'submitted', 'submitted');
      await postRemittance(env, remittanceFor(env, claim, { kind: 'pay' }, claim.payerId, (cp) => ({ ...cp, statusCode: '23', paidCents: 0, patientResponsibilityCents: 0, lines: cp.lines.map((l) => ({ ...l, paidCents: 0, adjustments: [{ group: 'OA' as const, carc: '109', amountCents: l.chargedCents }] })) })));
      await eventually(async () => (await openWorkItems(env, 'claim', claim.claimId).where({ kind: 'coordination_of_benefits' }))[0], 'COB work item');
      return handle;
    },
  },
  {
    name: 'claim-held-released',
    what: 'CRED-7 (hold-once): held while the Medicare enrollment is pending, released by credentialChanged, paid and closed',
    async run(env) {
      const npi = '1678901236';
      await env.db('providers').insert({ npi, practice_id: 'demo-pain', name: 'Dr. New Enrollee' }).onConflict('npi').ignore();
      await env.db('credentials').insert([
        { npi, kind: 'license', payer_id: '', status: 'active', effective_date: addCalendarDays(today(), -400), expiry_date: addCalendarDays(today(), 700) },
        { npi, kind: 'enrollment', payer_id: 'MEDICARE', status: 'pending', effective_date: null, expiry_date: null },
      ]).onConflict(['npi', 'kind', 'payer_id']).merge();
      const handle = await postClaim(env, tfesiClaim('REC-HELD-1', { renderingNpi: npi }));
      await untilClaim(handle, (s) => s.status === 'held', 'held');
      await settle(handle);
      await env.db('credentials').where({ npi, kind: 'enrollment', payer_id: 'MEDICARE' }).update({ status: 'active', effective_date: addCalendarDays(today(), -30) });
      await handle.signal(credentialChangedSignal, { npi, at: new Date().toISOString() });
      await untilClaim(handle, (s) => s.status === 'closed', 'released, paid and closed');
      return handle;
    },
  },
];

// ------------------------------------------------------------------ main

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  const chosen = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;

  let servers: Servers | undefined;
  let env: Env | undefined;
  const recorded: Array<{ name: string; workflowId: string; events: number; status: string }> = [];
  try {
    servers = await startServers('record-histories');
    serverInfo = servers;
    // Same wiring as the benches, but with the fixed fixture key instead of a random one.
    env = await attach({ ...servers, encryptionKeys: FIXTURE_ENCRYPTION_KEYS });
    mkdirSync(OUT_DIR, { recursive: true });
    for (const scenario of chosen) {
      log(`recording ${scenario.name}: ${scenario.what}`);
      const handle = await scenario.run(env);
      await settle(handle);
      const history = await handle.fetchHistory();
      const file = path.join(OUT_DIR, `${scenario.name}.json`);
      writeFileSync(file, historyToJson(history));
      const status = (await handle.describe()).status.name;
      recorded.push({ name: scenario.name, workflowId: handle.workflowId, events: history.events?.length ?? 0, status });
      log(`  → ${path.relative(process.cwd(), file)} (${history.events?.length ?? 0} events, ${status})`);
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err) => log(`record-histories: stopping a worker failed: ${(err as Error).message}`));
    await env?.close().catch((err) => log(`record-histories: closing the worker/app failed: ${(err as Error).message}`));
    await servers?.stop();
  }
  log('\nrecorded:');
  for (const r of recorded) log(`  ${r.name.padEnd(28)} ${r.workflowId.padEnd(28)} ${String(r.events).padStart(4)} events  ${r.status}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`record-histories failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
