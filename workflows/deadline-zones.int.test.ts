/**
 * Issue 13: "due on date D" means the end of D where the practice is. Two practices, New York and
 * Honolulu, get the same AUTH-4 package deadline (the same due date): the instants differ, and each
 * is local midnight at the end of the due date (one minute earlier it is still the due date there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_QUEUE } from '../contracts/claim';
import { authorizationStateQuery, authorizationWorkflowId, type AuthorizationRequest, type AuthWorkflowInput } from '../contracts/authorization';
import { addCalendarDays } from '../domain/business-days';
import { uniqueId } from '../test/harness';
import { startEligAuthTimeSkipping, waitFor, type EligAuthTimeSkipping } from '../test/eligibility-auth-harness';

let h: EligAuthTimeSkipping;
beforeAll(async () => {
  h = await startEligAuthTimeSkipping();
});
afterAll(async () => h?.close());

/** The wall-clock date and time an instant shows in a zone. */
const wallClock = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

async function practiceIn(timeZone: string): Promise<string> {
  const id = uniqueId('tz-practice').toLowerCase();
  await h.db('practices').insert({ id, name: `Zone test ${timeZone}`, tax_id: '990000088', billing_npi: '1456789019', phone: '2175550188', time_zone: timeZone, address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '62701' } });
  return id;
}

/** An RFA request with one diagnostic MBB note: AUTH-4 keeps it from going out, due the next business day. */
async function incompleteRfa(practiceId: string): Promise<AuthorizationRequest> {
  const today = await h.today();
  return {
    authId: uniqueId('AUTH-TZ'),
    practiceId,
    payerId: 'MEDICARE_ADVANTAGE',
    patientId: uniqueId('PT'),
    providerNpi: '1234567893',
    family: 'rfa',
    cpts: ['64635'],
    region: 'lumbar',
    levels: ['L4-L5'],
    laterality: 'bilateral',
    validFrom: today,
    validTo: addCalendarDays(today, 90),
    visitsRequested: 1,
    package: { diagnoses: ['M47.816'], functionalImpairment: 'axial pain limits standing', mbbNotes: [{ date: addCalendarDays(today, -40), reliefPercent: 85, reliefHours: 6 }] },
  };
}

describe('deadlines in the practice time zone (issue 13)', () => {
  it('the same due date ends at different instants for a New York and a Honolulu practice: local midnight at the end of the date', async () => {
    const zones = ['America/New_York', 'Pacific/Honolulu'];
    const results = [];
    for (const timeZone of zones) {
      const req = await incompleteRfa(await practiceIn(timeZone));
      await h.env.client.workflow.start('priorAuthorizationWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: authorizationWorkflowId(req.authId),
        args: [{ request: req, actor: 'test', origin: 'api' } satisfies AuthWorkflowInput],
      });
      const state = await waitFor(async () => {
        const s = await h.env.client.workflow.getHandle(authorizationWorkflowId(req.authId)).query(authorizationStateQuery).catch(() => undefined);
        return s?.status === 'incomplete' && s.nextDeadline ? s : undefined;
      }, `${req.authId} incomplete with a deadline`);
      const item = await h.db('work_items').where({ entity_type: 'authorization', entity_id: req.authId, status: 'open' }).first();
      results.push({ timeZone, at: state.nextDeadline!.at, due: String(item.due_date) });
    }
    const [ny, hi] = results;
    expect(ny.due).toBe(hi.due); // the same due date on both work items …
    expect(ny.at).not.toBe(hi.at); // … but not the same instant
    expect([5, 6]).toContain((Date.parse(hi.at) - Date.parse(ny.at)) / 3_600_000);
    for (const r of results) {
      // Around midnight, where the practice is: a minute before the instant it is still the due date.
      expect(wallClock(new Date(Date.parse(r.at) - 60_000).toISOString(), r.timeZone)).toBe(`${r.due} 23:59`);
      expect(wallClock(r.at, r.timeZone)).toBe(`${addCalendarDays(r.due, 1)} 00:00`);
    }
  });
});
