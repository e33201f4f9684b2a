/**
 * Issue 13: contracts for a new year are a work item 60 days before January 1. The daily
 * reconciliation workflow (the one the practice's Schedule starts) runs with an explicit `asOf`,
 * so the test never depends on today's date. A practice of its own, with claims in 2030.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { TASK_QUEUE } from '../contracts/claim';
import type { DailyReconciliationResult } from '../contracts/reconciliation';

let h: Harness;
let practiceId: string;

beforeAll(async () => {
  h = await startHarness();
  practiceId = uniqueId('nyc').toLowerCase();
  await h.db('practices').insert({ id: practiceId, name: 'Next-year contract test', time_zone: 'America/Denver' });
  const claim = (payerId: string, serviceDate: string, billed: number) => {
    const claimId = uniqueId('NYC');
    return { claim_id: claimId, practice_id: practiceId, payer_id: payerId, rendering_npi: '1234567893', service_date: serviceDate, place_of_service: '24', status: 'closed', billed_cents: billed, cpt_codes: ['64483'], document: {}, workflow_id: `claim:${claimId}` };
  };
  // 2030: Medicare and Commercial claims; a Medicaid claim only in 2029 (no claims this year).
  await h.db('claims').insert([claim('MEDICARE', '2030-03-02', 120_000), claim('MEDICARE', '2030-09-10', 120_000), claim('COMMERCIAL', '2030-06-01', 240_000), claim('MEDICAID', '2029-05-05', 90_000)]);
  // Commercial's 2031 contract is already loaded.
  const res = await h.app.inject({ method: 'PUT', url: `/api/practices/${practiceId}/contracts/COMMERCIAL/2031`, headers: h.auth('admin'), payload: { timelyFilingDays: 120 } });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => h?.close());

const run = (asOf: string) =>
  h.client.workflow.execute('dailyReconciliationWorkflow', { taskQueue: TASK_QUEUE, workflowId: uniqueId(`test-reconciliation-${practiceId}`), args: [{ practiceId, asOf }] }) as Promise<DailyReconciliationResult>;
const items = () => h.db('work_items').where({ practice_id: practiceId, kind: 'contract_renewal' }).orderBy('id');

describe('next-year contract work item (daily reconciliation)', () => {
  it('61 days before January 1: nothing; from 60 days before: one item per payer with claims this year and no contract, once', async () => {
    expect((await run('2030-11-01')).charges.contractsMissing).toEqual([]);
    expect(await items()).toHaveLength(0);

    const first = await run('2030-11-02');
    expect(first.charges.contractsMissing).toEqual(['MEDICARE']);
    const [item] = await items();
    expect(item).toMatchObject({ status: 'open', rule_id: 'POST-2', entity_type: 'practice', entity_id: `${practiceId}:MEDICARE:2031`, due_date: '2030-12-31', dollars_at_risk_cents: 20_000 });
    expect(item.title).toContain('No 2031 contract with MEDICARE (2 claim(s) this year)');

    await run('2030-11-03');
    expect(await items()).toHaveLength(1);
  });

  it('storing the contract closes the item on the next run', async () => {
    const put = await h.app.inject({ method: 'PUT', url: `/api/practices/${practiceId}/contracts/MEDICARE/2031`, headers: h.auth('admin'), payload: { fees: [{ cpt: '64483', allowableCents: 50_000 }] } });
    expect(put.statusCode).toBe(201);
    expect((await run('2030-12-15')).charges.contractsMissing).toEqual([]);
    const [item] = await items();
    expect(item).toMatchObject({ status: 'closed', closed_reason: 'the 2031 contract is stored' });
  });
});
