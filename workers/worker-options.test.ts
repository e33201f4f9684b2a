import { describe, expect, it } from 'vitest';
import { heapGrowingPercentFromEnv, maxCachedWorkflowsFromEnv, workerOptionsFromEnv, workflowStackTraceLimitFromEnv } from './worker';

describe('worker cache size (RCM_WORKER_MAX_CACHED_WORKFLOWS)', () => {
  it('defaults to 1,000 workflows, takes a positive integer, and refuses anything else naming the variable', () => {
    expect(maxCachedWorkflowsFromEnv({})).toBe(1_000);
    expect(maxCachedWorkflowsFromEnv({ RCM_WORKER_MAX_CACHED_WORKFLOWS: '250' })).toBe(250);
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      expect(() => maxCachedWorkflowsFromEnv({ RCM_WORKER_MAX_CACHED_WORKFLOWS: bad })).toThrow(/RCM_WORKER_MAX_CACHED_WORKFLOWS: expected a positive integer/);
    }
  });
});

describe('worker concurrency (RCM_WORKER_MAX_WORKFLOW_TASKS, RCM_WORKER_MAX_LOCAL_ACTIVITIES, RCM_WORKER_MAX_ACTIVITIES)', () => {
  it('defaults to 40 workflow tasks, 20 local activities, 100 activities; takes positive integers; refuses anything else naming the variable', () => {
    expect(workerOptionsFromEnv({})).toEqual({ workflowTasks: 40, localActivities: 20, activities: 100 });
    expect(workerOptionsFromEnv({ RCM_WORKER_MAX_WORKFLOW_TASKS: '8', RCM_WORKER_MAX_LOCAL_ACTIVITIES: '4', RCM_WORKER_MAX_ACTIVITIES: '16' })).toEqual({ workflowTasks: 8, localActivities: 4, activities: 16 });
    for (const name of ['RCM_WORKER_MAX_WORKFLOW_TASKS', 'RCM_WORKER_MAX_LOCAL_ACTIVITIES', 'RCM_WORKER_MAX_ACTIVITIES']) {
      for (const bad of ['0', '-1', '2.5', 'many']) expect(() => workerOptionsFromEnv({ [name]: bad })).toThrow(new RegExp(`${name}: expected a positive integer`));
    }
  });
});

describe('workflow stack trace limit (RCM_WORKFLOW_STACK_TRACE_LIMIT)', () => {
  it('defaults to 2 frames, takes an integer from 0 to 100, and refuses anything else naming the variable', () => {
    expect(workflowStackTraceLimitFromEnv({})).toBe(2);
    expect(workflowStackTraceLimitFromEnv({ RCM_WORKFLOW_STACK_TRACE_LIMIT: '0' })).toBe(0);
    expect(workflowStackTraceLimitFromEnv({ RCM_WORKFLOW_STACK_TRACE_LIMIT: '12' })).toBe(12);
    for (const bad of ['-1', '101', '2.5', 'all']) {
      expect(() => workflowStackTraceLimitFromEnv({ RCM_WORKFLOW_STACK_TRACE_LIMIT: bad })).toThrow(/RCM_WORKFLOW_STACK_TRACE_LIMIT: expected an integer from 0 to 100/);
    }
  });
});

describe('heap growing factor (RCM_WORKER_HEAP_GROWING_PERCENT)', () => {
  it('defaults to 100 (the heap may double what a full GC kept), takes 0 (V8 decides) to 400, and refuses anything else naming the variable', () => {
    expect(heapGrowingPercentFromEnv({})).toBe(100);
    expect(heapGrowingPercentFromEnv({ RCM_WORKER_HEAP_GROWING_PERCENT: '0' })).toBe(0);
    expect(heapGrowingPercentFromEnv({ RCM_WORKER_HEAP_GROWING_PERCENT: '50' })).toBe(50);
    for (const bad of ['-1', '401', '1.5', 'big']) {
      expect(() => heapGrowingPercentFromEnv({ RCM_WORKER_HEAP_GROWING_PERCENT: bad })).toThrow(/RCM_WORKER_HEAP_GROWING_PERCENT: expected an integer from 0 to 400/);
    }
  });
});
