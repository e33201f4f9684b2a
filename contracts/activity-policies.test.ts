/**
 * An outage delays a workflow, it never fails it: no activity call may cap its attempts, and the
 * wait between attempts stays bounded so workflows resume within minutes of the outage ending.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure, ActivityFailure, RetryState } from '@temporalio/common';
import { CLAIM_WORKFLOW_TASK_TIMEOUT } from './claim';
import { msToNumber } from '@temporalio/common/lib/time';
import { BATCH_ACTIVITY, DATABASE_ACTIVITY, DATABASE_LOCAL_ACTIVITY, DEADLINE_ACTIVITY, MAX_RETRY_INTERVAL, PAYER_ACTIVITY, RULE_ACTIVITY, isBusinessFailure } from './activity-policies';

const POLICIES = { DATABASE_ACTIVITY, DATABASE_LOCAL_ACTIVITY, PAYER_ACTIVITY, BATCH_ACTIVITY, RULE_ACTIVITY, DEADLINE_ACTIVITY };
const workflowsDir = path.join(__dirname, '..', 'workflows');
/** Every workflow source file, modules in sub-folders (workflows/claim/…) included. */
const workflowFiles = (readdirSync(workflowsDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('activity retry policies', () => {
  it.each(Object.entries(POLICIES))('%s retries without an attempt cap, at most %s apart', (_name, policy) => {
    expect(policy.retry?.maximumAttempts ?? 0).toBe(0); // 0 / unset = unlimited
    expect(msToNumber(policy.retry!.maximumInterval!)).toBeLessThanOrEqual(msToNumber(MAX_RETRY_INTERVAL));
    expect(msToNumber(MAX_RETRY_INTERVAL)).toBeLessThanOrEqual(5 * 60_000);
    expect(policy.startToCloseTimeout).toBeDefined();
  });

  it('the local PostgreSQL policy never gives up, and never holds a claim workflow task near its heartbeat', () => {
    expect(DATABASE_LOCAL_ACTIVITY.scheduleToCloseTimeout).toBeUndefined();
    // every retry waits on a server timer (the workflow task ends), not inside the task
    expect(msToNumber(DATABASE_LOCAL_ACTIVITY.localRetryThreshold!)).toBeLessThan(msToNumber(DATABASE_LOCAL_ACTIVITY.retry!.initialInterval!));
    // two attempts' worth of a step stays under 80% of the claim's workflow task timeout
    expect(2 * msToNumber(DATABASE_LOCAL_ACTIVITY.startToCloseTimeout!)).toBeLessThan(0.8 * msToNumber(CLAIM_WORKFLOW_TASK_TIMEOUT));
  });

  it('every workflow proxies its activities through a shared policy (no inline retry options, no attempt caps)', () => {
    let proxies = 0;
    for (const file of workflowFiles) {
      const text = readFileSync(path.join(workflowsDir, file), 'utf8');
      expect(text, file).not.toMatch(/maximumAttempts/);
      for (const m of text.matchAll(/proxy(?:Local)?Activities<[^>]*>>?\(([^)]*)\)/g)) {
        proxies++;
        expect(Object.keys(POLICIES), `${file}: ${m[0]}`).toContain(m[1].trim());
      }
    }
    expect(proxies).toBeGreaterThanOrEqual(5);
  });

  it('only typed business failures count as data problems; a timeout or a connection error is an outage', () => {
    const activityFailure = (cause: Error) => new ActivityFailure('failed', 'submitClaim', 'a1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);
    expect(isBusinessFailure(activityFailure(ApplicationFailure.nonRetryable('837P generation failed: NM109 missing', 'X12GenerationError')))).toBe(true);
    expect(isBusinessFailure(activityFailure(ApplicationFailure.create({ message: 'connect ECONNREFUSED 127.0.0.1:5432', type: 'Error' })))).toBe(false);
    expect(isBusinessFailure(new Error('timeout'))).toBe(false);
  });
});
