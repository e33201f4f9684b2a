/** coalesceSummaries (issue 16): a step's summaries of one claim become one, where the last one was. */
import { describe, expect, it } from 'vitest';
import { coalesceSummaries } from './index';

const summary = (claimId: string, fields: Record<string, unknown>) => ({ name: 'updateClaimSummary', input: { claimId, practiceId: 'p1', ...fields } });
const event = (claimId: string, toStatus: string) => ({ name: 'recordClaimEvent', input: { claimId, practiceId: 'p1', toStatus } });

describe('coalesceSummaries', () => {
  it('merges the summaries of one claim at the place of the last, later values winning; other calls keep their order', () => {
    const calls = [event('A', 'scrubbed'), summary('A', { chargeLagDays: 2, dollarsAtRiskCents: 100 }), event('A', 'submitted'), summary('A', { dollarsAtRiskCents: 50, nextDeadline: null })];
    expect(coalesceSummaries(calls)).toEqual([event('A', 'scrubbed'), event('A', 'submitted'), summary('A', { chargeLagDays: 2, dollarsAtRiskCents: 50, nextDeadline: null })]);
  });

  it('keeps claims apart, and leaves a batch with one summary per claim as it was', () => {
    const calls = [summary('A', { chargeLagDays: 1 }), summary('B', { chargeLagDays: 9 }), event('A', 'paid')];
    expect(coalesceSummaries(calls)).toBe(calls);
  });

  it('an undefined field does not erase a value given earlier', () => {
    expect(coalesceSummaries([summary('A', { dollarsAtRiskCents: 7 }), summary('A', { dollarsAtRiskCents: undefined, chargeLagDays: 0 })])).toEqual([summary('A', { dollarsAtRiskCents: 7, chargeLagDays: 0 })]);
  });
});
