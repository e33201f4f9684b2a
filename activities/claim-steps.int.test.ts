/**
 * Issue 16 (activities/claim-steps.ts): the rule answers a claim step fetches with its own call must
 * be the answers the separate activities give. What a biller would notice if not: a timely-filing
 * warning or an AR touch firing at midnight UTC instead of at the start of the day where the
 * practice is (here Honolulu, UTC−10, so a date begins at 10:00Z).
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { createActivities } from './index';
import { uniqueId } from '../test/harness';
import { addCalendarDays } from '../domain/business-days';

let db: Knex;
let acts: ReturnType<typeof createActivities>;
let practiceId: string;
beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  // PostgreSQL and rules only: the payer gateway is never reached.
  acts = createActivities({ db, gateway: undefined as never });
  practiceId = uniqueId('steps-hnl').toLowerCase();
  await db('practices').insert({ id: practiceId, name: 'Zone test Honolulu', tax_id: '990000089', billing_npi: '1456789019', phone: '8085550188', time_zone: 'Pacific/Honolulu', address: { line1: '1 Test St', city: 'Honolulu', state: 'HI', zip: '96813' } });
});
afterAll(async () => db?.destroy());

describe('claim step answers (issue 16)', () => {
  it('chargePolicy: the payer policy, and the SUB-4 warning and expiry dates as they begin in the practice zone', async () => {
    const serviceDate = '2026-03-05';
    const got = await acts.chargePolicy({ payerId: 'MEDICARE', practiceId, serviceDate });
    const policy = await acts.claimPolicy({ payerId: 'MEDICARE' });
    expect(got).toMatchObject(policy);
    const deadline = addCalendarDays(serviceDate, policy.timelyFilingDays); // Medicare: 365 days
    const warning = addCalendarDays(deadline, -policy.timelyFilingWarningDays);
    const expiry = addCalendarDays(deadline, 1);
    expect(got.days.map((d) => [d.date, d.start])).toEqual([
      [warning, `${warning}T10:00:00.000Z`],
      [expiry, `${expiry}T10:00:00.000Z`],
    ]);
  });

  it('zonedFollowUpPlan: the AR plan of followUpPlan, each touch date with where it begins in the practice zone', async () => {
    const input = { submittedOn: '2026-07-01', claim: { lines: [{ cpt: '64483', chargeCents: 250_000, units: 1 }] } };
    const got = await acts.zonedFollowUpPlan({ ...input, practiceId });
    const plan = await acts.followUpPlan(input);
    expect(got.touches).toEqual(plan.touches);
    expect(got.days.map((d) => d.date)).toEqual(plan.touches.map((t) => t.dueDate));
    for (const d of got.days) expect(d.start).toBe(`${d.date}T10:00:00.000Z`);
  });
});
