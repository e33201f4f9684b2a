/**
 * RCM_WORKFLOW_STACK_TRACE_LIMIT (issue 16, README "Worker options"): the workflow thread's stack
 * traces are cut to the limit — what the Temporal UI's "Stack Trace" tab of a waiting workflow
 * shows — while the process that made the worker keeps Node's 10 frames for its own errors.
 */
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { eligibilityWorkflowId, type EligibilityWorkflowInput } from '../contracts/eligibility';
import { addCalendarDays } from '../domain/business-days';
import { parseEncryptionKeys } from '../lib/config';
import { startHarness, uniqueId, workflowBundle, type Harness } from '../test/harness';
import { createRcmWorker } from './worker';

let h: Harness;
const extra: Array<{ worker: Worker; running: Promise<void>; connection: NativeConnection }> = [];
beforeAll(async () => {
  h = await startHarness(); // the default limit
});
afterAll(async () => {
  for (const e of extra) {
    e.worker.shutdown();
    await e.running;
    await e.connection.close();
  }
  await h?.close();
});

/** A worker with `limit` on a task queue of its own. */
async function workerWith(limit: number): Promise<string> {
  const taskQueue = uniqueId('stack-limit');
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await createRcmWorker({ connection, namespace: 'default', db: h.db, gateway: h.simulator, keys: parseEncryptionKeys(inject('encryptionKeys')), workflowBundle: await workflowBundle(), taskQueue, workflowStackTraceLimit: limit });
  extra.push({ worker, running: worker.run(), connection });
  return taskQueue;
}

/** The frames of each stack the __stack_trace query (the UI's "Stack Trace" tab) shows for a new appointment's workflow. */
async function stackDepths(taskQueue: string): Promise<number[]> {
  const appointmentId = uniqueId('APPT-STACK');
  const today = new Date().toISOString().slice(0, 10);
  const input: EligibilityWorkflowInput = {
    actor: 'test',
    appointment: { appointmentId, practiceId: 'demo-pain', payerId: 'MEDICARE', patientId: uniqueId('PT'), providerNpi: '1234567893', serviceDate: addCalendarDays(today, 20), cpts: ['64483'], placeOfService: '24', region: 'lumbar', approach: 'transforaminal', levels: ['L4-L5'], laterality: 'left', conservativeCareWeeks: 6 },
  };
  const handle = await h.client.workflow.start('eligibilityWorkflow', { taskQueue, workflowId: eligibilityWorkflowId(appointmentId), args: [input] });
  try {
    for (let i = 0; i < 200; i++) {
      const trace = await handle.query<string>('__stack_trace').catch(() => '');
      if (trace.includes(' at ')) return trace.split('\n\n').map((stack) => stack.split('\n').filter((l) => l.trim().startsWith('at ')).length);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${handle.workflowId}: no stack trace`);
  } finally {
    await handle.terminate('test done');
  }
}

describe('workflow stack trace limit', () => {
  it('the default (2) keeps the innermost workflow frame of each waiting stack (the other is the SDK hook frame); 12 keeps the callers; the creating process keeps 10', async () => {
    const cut = await stackDepths(await workerWith(2));
    const full = await stackDepths(await workerWith(12));
    expect(Math.max(...cut)).toBe(1);
    expect(Math.max(...full)).toBeGreaterThan(1);
    expect(Error.stackTraceLimit).toBe(10);
    expect(vm.runInContext('Error.stackTraceLimit', vm.createContext({}))).toBe(10);
  });
});
