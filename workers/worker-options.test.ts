import { describe, expect, it } from 'vitest';
import { maxCachedWorkflowsFromEnv } from './worker';

describe('worker cache size (RCM_WORKER_MAX_CACHED_WORKFLOWS)', () => {
  it('defaults to 1,000 workflows, takes a positive integer, and refuses anything else naming the variable', () => {
    expect(maxCachedWorkflowsFromEnv({})).toBe(1_000);
    expect(maxCachedWorkflowsFromEnv({ RCM_WORKER_MAX_CACHED_WORKFLOWS: '250' })).toBe(250);
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      expect(() => maxCachedWorkflowsFromEnv({ RCM_WORKER_MAX_CACHED_WORKFLOWS: bad })).toThrow(/RCM_WORKER_MAX_CACHED_WORKFLOWS: expected a positive integer/);
    }
  });
});
