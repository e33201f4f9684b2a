/**
 * The billers' workspace over the API (issue 15): assign (to a user of the practice only), notes,
 * snooze (hidden until the date), and the approvers' write-off queue with approve and reject.
 */
import { DEMO_PRACTICE_ID } from '../db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { practiceToday } from '../db/kpis';
import { addCalendarDays } from '../domain/business-days';

let h: Harness;
let itemId: number;
let claimId: string;
beforeAll(async () => {
  h = await startHarness();
  // CODE-1 (interlaminar code, transforaminal documentation): needs_correction with a SUB-1 item.
  const sub1 = uniqueId('WS-SUB1');
  expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(sub1, { lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] }) })).statusCode).toBe(201);
  itemId = Number((await eventually(async () => h.db('work_items').where({ entity_type: 'claim', entity_id: sub1, status: 'open' }).first(), 'SUB-1 item')).id);
  claimId = uniqueId('WS-WO');
  h.simulator.behaveFor(claimId, { kind: 'silence' });
  expect((await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(claimId) })).statusCode).toBe(201);
  await eventually(async () => h.db('claims').where({ claim_id: claimId, status: 'submitted' }).first(), 'submitted');
}, 120_000);
afterAll(async () => h?.close());

const post = (url: string, who: Parameters<Harness['auth']>[0], payload: object) => h.app.inject({ method: 'POST', url, headers: h.auth(who), payload });
const get = (url: string, who: Parameters<Harness['auth']>[0] = 'demoBiller') => h.app.inject({ method: 'GET', url, headers: h.auth(who) });
const listed = async (view: string) => ((await get(`/api/work-items?practiceId=demo-pain&view=${view}&limit=500`)).json().workItems as Array<{ id: number }>).some((w) => w.id === itemId);

describe('work items: assign, note, snooze', () => {
  it('assigns only to a biller, approver or admin of the practice (422 naming assignee); "mine" and "unassigned" follow', async () => {
    expect(await listed('unassigned')).toBe(true);
    const north = await post(`/api/work-items/${itemId}/assign`, 'demoBiller', { assignee: 'test-north-biller' });
    expect(north.statusCode).toBe(422);
    expect(north.json()).toMatchObject({ field: 'assignee' });
    expect(north.json().message).toContain('not a biller, approver or admin of practice demo-pain');
    expect((await post(`/api/work-items/${itemId}/assign`, 'demoBiller', { assignee: 'test-provider' })).statusCode).toBe(422);
    const ok = await post(`/api/work-items/${itemId}/assign`, 'demoBiller', { assignee: 'test-demo-biller' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().assignee).toBe('test-demo-biller');
    expect(await listed('mine')).toBe(true);
    expect(await listed('unassigned')).toBe(false);
    const people = (await get('/api/work-items/assignees?practiceId=demo-pain')).json().assignees.map((p: { name: string }) => p.name);
    expect(people).toEqual(expect.arrayContaining(['test-demo-biller', 'test-approver', 'test-admin']));
    expect(people).not.toContain('test-north-biller');
    expect(people).not.toContain('test-provider');
  });

  it('notes: an empty one is refused, a note is kept with its author; the assignment left a note too', async () => {
    expect((await post(`/api/work-items/${itemId}/notes`, 'demoBiller', { body: '' })).statusCode).toBe(400);
    expect((await post(`/api/work-items/${itemId}/notes`, 'demoBiller', { body: '   ' })).statusCode).toBe(422);
    expect((await post(`/api/work-items/${itemId}/notes`, 'demoBiller', { body: 'left a voicemail' })).statusCode).toBe(201);
    expect((await post(`/api/work-items/${itemId}/notes`, 'northBiller', { body: 'not mine' })).statusCode).toBe(403);
    const notes = (await get(`/api/work-items/${itemId}/notes`)).json().notes;
    expect(notes.map((n: { author: string; body: string }) => `${n.author}: ${n.body}`)).toEqual(['test-demo-biller: assigned to test-demo-biller', 'test-demo-biller: left a voicemail']);
    expect((await get(`/api/work-items/${itemId}/notes`, 'northBiller')).statusCode).toBe(404);
  });

  it('snooze: not on or before today (422 naming until); a later date hides the item from every view but "snoozed" and the CSV; null brings it back', async () => {
    // The item's practice decides what today is (demo-pain is in Chicago; between 05:00 and 06:00 UTC New York is a day ahead).
    const { time_zone: timeZone } = await h.db('work_items as w').join('practices as p', 'p.id', 'w.practice_id').where('w.id', itemId).first('p.time_zone');
    const today = practiceToday(timeZone);
    const same = await post(`/api/work-items/${itemId}/snooze`, 'demoBiller', { until: today });
    expect(same.statusCode).toBe(422);
    expect(same.json().field).toBe('until');
    expect((await post(`/api/work-items/${itemId}/snooze`, 'demoBiller', { until: 'next week' })).statusCode).toBe(400);
    const until = addCalendarDays(today, 2);
    const ok = await post(`/api/work-items/${itemId}/snooze`, 'demoBiller', { until });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().snoozedUntil).toBe(until);
    expect(await listed('all')).toBe(false);
    expect(await listed('mine')).toBe(false);
    expect(await listed('snoozed')).toBe(true);
    expect((await get('/api/work-items/export.csv?practiceId=demo-pain')).body).not.toContain(`\r\n${itemId},`);
    // The day arrives: the item is back (the snooze ends when the practice's day reaches it).
    await h.db('work_items').where({ id: itemId }).update({ snoozed_until: today });
    expect(await listed('all')).toBe(true);
    expect((await post(`/api/work-items/${itemId}/snooze`, 'demoBiller', { until: null })).json().snoozedUntil).toBeUndefined();
  });
});

describe('write-offs waiting for approval (AR-6)', () => {
  it('a request shows in the queue; a biller cannot reject, the requester cannot; an approver rejects with a reason and the approval is then refused (409)', async () => {
    const req = await post(`/api/claims/${claimId}/actions/request-write-off`, 'demoBiller', { amountCents: 50000, rationale: 'bundled component, not billable' });
    expect(req.statusCode, req.body).toBe(200);
    const queue = (await get('/api/write-offs?practiceId=demo-pain', 'approver')).json().writeOffs;
    expect(queue.find((w: { claimId: string }) => w.claimId === claimId)).toMatchObject({ amountCents: 50000, requestedBy: 'test-demo-biller', status: 'pending', payerId: 'MEDICARE' });
    expect((await get('/api/write-offs?practiceId=demo-pain', 'northBiller')).statusCode).toBe(404);

    const biller = await post(`/api/claims/${claimId}/write-off/reject`, 'demoBiller', { reason: 'no' });
    expect(biller.statusCode).toBe(403);
    expect(biller.json().message).toContain('an approver decides');
    expect((await post(`/api/claims/${claimId}/write-off/reject`, 'approver', { reason: '' })).statusCode).toBe(400);
    const rejected = await post(`/api/claims/${claimId}/write-off/reject`, 'approver', { reason: 'appeal first: the denial has a basis' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect((await get('/api/write-offs?practiceId=demo-pain', 'approver')).json().writeOffs.some((w: { claimId: string }) => w.claimId === claimId)).toBe(false);
    const again = await post(`/api/claims/${claimId}/write-off/reject`, 'approver', { reason: 'twice' });
    expect(again.statusCode).toBe(409);
    const approve = await post(`/api/claims/${claimId}/actions/approve-write-off`, 'approver', { recoveryReview: 'changed my mind' });
    expect(approve.statusCode).toBe(409);
    expect(approve.json().message).toContain('rejected by test-approver: appeal first');
    const page = (await get(`/api/claims/${claimId}`)).json();
    expect(page.writeOff).toMatchObject({ status: 'rejected', decidedBy: 'test-approver', decisionNote: 'appeal first: the denial has a basis' });
    expect((await h.db('access_log').where({ entity_id: claimId, route: '/api/claims/:claimId/write-off/reject' })).length).toBeGreaterThanOrEqual(3);

    // The claim workflow cleared the rejected request: the claim is worked on, and a new request may follow.
    const live = await h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).query(claimStateQuery);
    expect(live.writeOff).toBeUndefined();
    const second = await post(`/api/claims/${claimId}/actions/request-write-off`, 'demoBiller', { amountCents: 20000, rationale: 'balance left after the appeal review' });
    expect(second.statusCode, second.body).toBe(200);
    expect((await get('/api/write-offs?practiceId=demo-pain', 'approver')).json().writeOffs.find((w: { claimId: string }) => w.claimId === claimId)).toMatchObject({ amountCents: 20000, status: 'pending' });
  });
});
