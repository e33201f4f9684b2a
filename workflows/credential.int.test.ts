/**
 * providerCredentialWorkflow over months and years on the time-skipping server (CRED-1…7):
 * work items open on the right day with the right due date, statuses reach the `credentials` read
 * model, Updates re-arm the timer without restarting, continue-as-new keeps every deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { startTimeSkipping, type TimeSkippingHarness } from '../test/time-skipping';
import { TASK_QUEUE } from '../contracts/claim';
import {
  credentialStateQuery,
  credentialWorkflowId,
  recordCaqhAttestationUpdate,
  recordEnrollmentUpdate,
  renewCredentialUpdate,
  type ProviderCredentialWorkflowInput,
} from '../contracts/credential';
import { NextDeadline } from '../contracts/search-attributes';
import { addCalendarDays } from '../domain/business-days';
import { npiCheckDigit } from '../domain/npi';
import { recredentialingDueDate } from '../domain/credentials';
import type { providerCredentialWorkflow } from './credential';

const DAY = 86_400_000;
let h: TimeSkippingHarness;
beforeAll(async () => {
  h = await startTimeSkipping();
});
afterAll(async () => h?.close());

let npiSeq = Math.floor(Math.random() * 1e6);
/** A fresh valid NPI per test (the Temporal test server is fresh, the database is shared). */
function freshNpi(): string {
  const nine = `19${String(npiSeq++ % 1e7).padStart(7, '0')}`;
  return `${nine}${npiCheckDigit(nine)}`;
}

async function today(): Promise<string> {
  return new Date(await h.env.currentTimeMs()).toISOString().slice(0, 10);
}

async function start(input: Omit<ProviderCredentialWorkflowInput, 'practiceId' | 'name' | 'actor'>): Promise<WorkflowHandle<typeof providerCredentialWorkflow>> {
  return h.env.client.workflow.start('providerCredentialWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: credentialWorkflowId(input.npi),
    args: [{ practiceId: 'demo-pain', name: 'Dr. Test Provider', actor: 'test', ...input }],
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as Exclude<T, false>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const workItems = (npi: string) =>
  h.db('work_items').where({ entity_type: 'provider', entity_id: npi }).orderBy('id').select('kind', 'rule_id', 'title', 'due_date', 'status', 'detail');
const credentialRow = (npi: string, kind: string, payerId = '') => h.db('credentials').where({ npi, kind, payer_id: payerId }).first();
const dateOf = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

/** The state once the loop's first pass is done: rows are written before the next deadline is set. */
const firstPass = (handle: WorkflowHandle) =>
  waitFor(async () => {
    const s = await handle.query(credentialStateQuery);
    return s.nextDeadline ? s : undefined;
  }, 'first pass of the workflow loop (next deadline set)');

/** Skip `days` of workflow time, then let the worker settle (activities run in real time). */
async function skipDays(handle: WorkflowHandle, days: number) {
  await h.env.sleep(days * DAY);
  await settle(handle);
}
/** The workflow has acted on everything due: its query answers and its next deadline is in the future. */
async function settle(handle: WorkflowHandle) {
  const d = await today();
  await waitFor(async () => {
    const s = await handle.query(credentialStateQuery);
    return !s.nextDeadline || s.nextDeadline.date > d;
  }, 'workflow to settle');
}

describe('providerCredentialWorkflow (time-skipping)', () => {
  it('CRED-1 license renewal work item opens at day −120 (not before) with the expiry as due date', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const expiry = addCalendarDays(t0, 200);
      const handle = await start({ npi, credentials: { licenses: [{ state: 'IL', number: '036-100', issueDate: addCalendarDays(t0, -500), expiryDate: expiry }], enrollments: [] } });
      await waitFor(async () => (await credentialRow(npi, 'license'))?.status === 'active', 'license row');
      const s0 = await firstPass(handle);
      expect(s0.nextDeadline).toMatchObject({ ruleId: 'CRED-1', date: addCalendarDays(expiry, -120), action: 'renewal_start' });

      await skipDays(handle, 79); // day 79: renewal starts on day 80
      expect((await workItems(npi)).filter((w) => w.kind === 'credential_renewal')).toHaveLength(0);

      await skipDays(handle, 2);
      const renewal = await waitFor(async () => (await workItems(npi)).find((w) => w.kind === 'credential_renewal'), 'renewal work item');
      expect(renewal.rule_id).toBe('CRED-1');
      expect(dateOf(renewal.due_date)).toBe(expiry);
      expect(renewal.title).toContain('State license IL');
      // The search attribute follows the work item in the next workflow task: wait for it.
      const next = await waitFor(async () => {
        const d = ((await handle.describe()).typedSearchAttributes.get(NextDeadline) as Date | undefined)?.toISOString().slice(0, 10);
        return d === addCalendarDays(expiry, -60) ? d : undefined;
      }, 'NextDeadline moved to the next escalation');
      expect(next).toBe(addCalendarDays(expiry, -60));
    });
  });

  it('CRED-4 a year of CAQH: reminders at 15/10/5 days each cycle, one lapse escalated immediately', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const handle = await start({ npi, credentials: { licenses: [], enrollments: [], caqh: { caqhId: '1234567', lastAttestationDate: t0 } } });
      await waitFor(async () => (await credentialRow(npi, 'caqh'))?.status === 'active', 'caqh row');
      const due1 = addCalendarDays(t0, 120);

      // Cycle 1: reminders at day 105/110/115, attested on day 117 (before the due date).
      await skipDays(handle, 117);
      await handle.executeUpdate(recordCaqhAttestationUpdate, { args: [{ attestationDate: addCalendarDays(t0, 117), actor: 'test' }] });
      const due2 = addCalendarDays(t0, 237);
      // Cycle 2: not attested → expired on day 238, escalated that day.
      await skipDays(handle, 123); // day 240
      await waitFor(async () => (await credentialRow(npi, 'caqh'))?.status === 'lapsed', 'caqh lapsed');
      const lapse = (await workItems(npi)).filter((w) => w.kind === 'credential_lapse');
      expect(lapse).toHaveLength(1);
      expect(lapse[0]).toMatchObject({ rule_id: 'CRED-4' });
      expect(dateOf(lapse[0].due_date)).toBe(addCalendarDays(due2, 1));
      expect(lapse[0].title).toMatch(/every CAQH-based payer/);
      // Re-attested on day 245; cycle 3 reminders by the end of the year (due day 365).
      await skipDays(handle, 5);
      await handle.executeUpdate(recordCaqhAttestationUpdate, { args: [{ attestationDate: addCalendarDays(t0, 245), actor: 'test' }] });
      await waitFor(async () => (await credentialRow(npi, 'caqh'))?.status === 'active', 'caqh active again');
      const due3 = addCalendarDays(t0, 365);
      await skipDays(handle, 120); // day 365

      const items = await workItems(npi);
      const reminders = items.filter((w) => w.kind === 'credential_reminder');
      expect(reminders.every((w) => w.rule_id === 'CRED-4')).toBe(true);
      const byDue = (due: string) => reminders.filter((w) => dateOf(w.due_date) === due).map((w) => w.detail.milestoneId.split(':').pop());
      expect(byDue(due1)).toEqual(['reminder-15', 'reminder-10', 'reminder-5']);
      expect(byDue(due2)).toEqual(['reminder-15', 'reminder-10', 'reminder-5']);
      expect(byDue(due3)).toEqual(['reminder-15', 'reminder-10', 'reminder-5']);
      expect(items.filter((w) => w.kind === 'credential_lapse')).toHaveLength(1);
      // The lapse item was closed by the re-attestation; the open cycle-3 reminders remain.
      expect(items.find((w) => w.kind === 'credential_lapse')!.status).toBe('closed');
      const row = await credentialRow(npi, 'caqh');
      expect(dateOf(row.expiry_date)).toBe(due3);
    });
  });

  it('CRED-1 a renewal recorded through the Update re-arms the timer without restarting the workflow', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const oldExpiry = addCalendarDays(t0, 130);
      const handle = await start({ npi, credentials: { licenses: [{ state: 'TX', number: 'TX-9', expiryDate: oldExpiry }], enrollments: [] } });
      await waitFor(async () => (await credentialRow(npi, 'license'))?.status === 'active', 'license row');
      const runId = (await handle.describe()).runId;
      expect((await firstPass(handle)).nextDeadline?.date).toBe(addCalendarDays(t0, 10));

      const newExpiry = addCalendarDays(t0, 130 + 730);
      const state = await handle.executeUpdate(renewCredentialUpdate, { args: [{ kind: 'license', state: 'TX', expiryDate: newExpiry, documentRef: 'doc://tx-renewal', actor: 'test' }] });
      expect(state.nextDeadline).toMatchObject({ ruleId: 'CRED-1', date: addCalendarDays(newExpiry, -120) });
      expect(state.items[0]).toMatchObject({ expiryDate: newExpiry, status: 'active', documentRef: 'doc://tx-renewal' });

      await skipDays(handle, 20); // past the old cycle's renewal start (day 10)
      expect((await workItems(npi)).filter((w) => w.kind === 'credential_renewal')).toHaveLength(0);
      const row = await credentialRow(npi, 'license');
      expect(row).toMatchObject({ status: 'active', document_ref: 'doc://tx-renewal' });
      expect(dateOf(row.expiry_date)).toBe(newExpiry);
      const desc = await handle.describe();
      expect(desc.runId).toBe(runId);
      expect(desc.status.name).toBe('RUNNING');
      expect((desc.typedSearchAttributes.get(NextDeadline) as Date).toISOString().slice(0, 10)).toBe(addCalendarDays(newExpiry, -120));
    });
  });

  it('CRED-6 new provider billing in 100 days: enrollment started, pending in credentials, active after the effective date', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const billing = addCalendarDays(t0, 100);
      const handle = await start({ npi, firstBillingDate: billing, credentials: { licenses: [], enrollments: [{ payerId: 'MEDICARE' }] } });
      const started = await waitFor(async () => (await workItems(npi)).find((w) => w.kind === 'credential_enrollment'), 'enrollment work item');
      expect(started.rule_id).toBe('CRED-6');
      expect(dateOf(started.due_date)).toBe(billing);
      // The loop opens due work items before it writes the `credentials` rows: wait for the row.
      const pending = await waitFor(async () => await credentialRow(npi, 'enrollment', 'MEDICARE'), 'enrollment row');
      expect(pending.status).toBe('pending');

      const state = await handle.executeUpdate(recordEnrollmentUpdate, { args: [{ payerId: 'MEDICARE', effectiveDate: billing, actor: 'test' }] });
      expect(state.items[0]).toMatchObject({ status: 'pending', effectiveDate: billing });
      expect((await credentialRow(npi, 'enrollment', 'MEDICARE')).status).toBe('pending');

      await skipDays(handle, 99);
      expect((await credentialRow(npi, 'enrollment', 'MEDICARE')).status).toBe('pending');
      await skipDays(handle, 2);
      await waitFor(async () => (await credentialRow(npi, 'enrollment', 'MEDICARE'))?.status === 'active', 'enrollment active');
      const row = await credentialRow(npi, 'enrollment', 'MEDICARE');
      expect(dateOf(row.effective_date)).toBe(billing);
      expect(dateOf(row.expiry_date)).toBe(recredentialingDueDate(billing)); // CRED-5: + 36 months
      // The enrollment work item was superseded once the effective date was recorded.
      expect((await workItems(npi)).find((w) => w.kind === 'credential_enrollment')!.status).toBe('closed');
    });
  });

  it('CRED-2 DEA lapse: status lapsed in credentials the day after expiry, with an urgent work item', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const expiry = addCalendarDays(t0, 5);
      const handle = await start({ npi, credentials: { licenses: [], enrollments: [], dea: { number: 'AB1234563', expiryDate: expiry } } });
      await waitFor(async () => (await credentialRow(npi, 'dea'))?.status === 'active', 'dea row');
      await skipDays(handle, 4);
      expect((await credentialRow(npi, 'dea')).status).toBe('active');
      await skipDays(handle, 3);
      await waitFor(async () => (await credentialRow(npi, 'dea'))?.status === 'lapsed', 'dea lapsed');
      const lapse = (await workItems(npi)).find((w) => w.kind === 'credential_lapse');
      expect(lapse).toMatchObject({ rule_id: 'CRED-2' });
      expect(dateOf(lapse!.due_date)).toBe(addCalendarDays(expiry, 1));
      // The loop writes the rows, then refreshes the state it answers queries with: wait for it.
      const state = await waitFor(async () => {
        const st = await handle.query(credentialStateQuery);
        return st.status === 'lapsed' ? st : undefined;
      }, 'provider status lapsed');
      expect(state.items.find((i) => i.key === 'dea')).toMatchObject({ status: 'lapsed' });
    });
  });

  it('continue-as-new after many cycles keeps every deadline (low history threshold)', async () => {
    await h.run(async () => {
      const npi = freshNpi();
      const t0 = await today();
      const licenseExpiry = addCalendarDays(t0, 700);
      const malpracticeExpiry = addCalendarDays(t0, 400);
      const handle = await start({
        npi,
        maxHistoryEventsBeforeContinueAsNew: 40,
        credentials: {
          licenses: [{ state: 'IL', number: '036-7', expiryDate: licenseExpiry }],
          malpractice: { policyNumber: 'MP-1', expiryDate: malpracticeExpiry },
          caqh: { caqhId: '7654321', lastAttestationDate: t0 },
          enrollments: [{ payerId: 'COMMERCIAL', effectiveDate: addCalendarDays(t0, -30) }],
        },
      });
      await waitFor(async () => (await credentialRow(npi, 'caqh'))?.status === 'active', 'caqh row');
      const firstRun = (await handle.describe()).runId;
      // Three CAQH cycles, each attested on the due date.
      for (const day of [120, 240, 360]) {
        await skipDays(handle, 120);
        await handle.executeUpdate(recordCaqhAttestationUpdate, { args: [{ attestationDate: addCalendarDays(t0, day), actor: 'test' }] });
      }
      await settle(handle);
      const desc = await handle.describe();
      expect(desc.runId).not.toBe(firstRun);
      const state = await handle.query(credentialStateQuery);
      expect(state.continuedAsNew).toBeGreaterThan(0);
      const byKey = Object.fromEntries(state.items.map((i) => [i.key, i]));
      expect(byKey['license:IL'].expiryDate).toBe(licenseExpiry);
      expect(byKey['malpractice'].status).toBe('active');
      expect(byKey['caqh'].expiryDate).toBe(addCalendarDays(t0, 480));
      expect(byKey['enrollment:COMMERCIAL'].status).toBe('active');
      // The nearest deadline is still tracked: the malpractice renewal confirmation on day 340 fired
      // before; now the escalation 30 days before its expiry (day 370) or the CAQH reminder (day 465).
      expect(state.nextDeadline).toMatchObject({ ruleId: 'CRED-3', date: addCalendarDays(malpracticeExpiry, -30) });
      const items = await workItems(npi);
      expect(items.filter((w) => w.kind === 'credential_renewal' && w.rule_id === 'CRED-3')).toHaveLength(1);
      expect(items.filter((w) => w.kind === 'credential_reminder')).toHaveLength(9);
      expect(items.filter((w) => w.kind === 'credential_lapse')).toHaveLength(0);
    });
  });
});
