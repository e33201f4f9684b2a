/**
 * The web app in a real browser (issue 15): Debian's chromium driven by playwright-core against the
 * product's own server (the suite's real PostgreSQL and Temporal, the payer simulator behind the
 * gateway). One browser, a few pages: sign in with a token, the KPI headings, find a claim by its
 * id, the claim page, the worklist's CSV, completing a work item (the server's 422 next to the
 * field, then done), a provider's read-only view without another practice's claims, sign out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import type { ClaimDocument } from '../domain/claim-document';
import { practiceToday } from '../db/kpis';
import { addCalendarDays } from '../domain/business-days';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KPI_HEADINGS = ['Days in AR', 'Clean-claim rate', 'Denial rate', 'Net collection rate', 'AR over 90 days', 'Charge lag', 'Posting lag', 'Underpayments', 'Write-offs'];

let h: Harness;
let browser: Browser;
let base: string;
let claimId: string;
let northClaimId: string;
let disputeId: number;
/** A claim the payer never answers (open balance $1,850.00): written off by a biller, approved by an approver. */
let writeOffClaimId: string;
/** A CODE-1 claim waiting in needs_correction with its SUB-1 work item: assigned, noted, snoozed. */
let sub1ClaimId: string;
let patientId: string;
let patientName: string;
let sub1ItemId: number;

/** Medicare lumbar TFESI at two levels: the simulator applies the multiple-procedure reduction to the add-on (POST-3). */
const twoLevelTfesi = (id: string): ClaimDocument =>
  tfesiClaim(id, {
    lines: [
      { cpt: '64483', modifiers: ['LT'], units: 1, chargeCents: 150000, diagnosisPointers: [1] },
      { cpt: '64484', modifiers: ['LT'], units: 1, chargeCents: 90000, diagnosisPointers: [1] },
    ],
    documentation: { procedures: [{ family: 'esi', approach: 'transforaminal', region: 'lumbar', levels: ['L4-L5', 'L5-S1'], laterality: 'left', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true }] },
  });

async function signIn(context: BrowserContext, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** Presses Tab until the focused control's accessible name matches (keyboard reachability), at most 120 times. */
async function tabTo(page: Page, name: RegExp): Promise<void> {
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const focused = String(
      await page.evaluate(`(() => { const el = document.activeElement; if (!el) return ''; return el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].textContent : '') || el.textContent || ''; })()`),
    ).trim();
    if (name.test(focused)) return;
  }
  throw new Error(`no control named ${name} reached with Tab`);
}

beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

  // A demo-pain claim paid short (multiple-procedure reduction on the add-on): posted, with an
  // underpayment dispute work item (POST-5) that needs its dispute reference.
  claimId = uniqueId('WEB');
  h.simulator.behaveFor(claimId, { kind: 'mpr_wrong' });
  const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: twoLevelTfesi(claimId) });
  expect(res.statusCode, res.body).toBe(201);
  northClaimId = uniqueId('NORTH');
  const north = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('northBiller'), payload: tfesiClaim(northClaimId, { practiceId: 'demo-north', renderingNpi: '1556677882' }) });
  expect(north.statusCode, north.body).toBe(201);
  const dispute = await eventually(async () => h.db('work_items').where({ entity_type: 'claim', entity_id: claimId, kind: 'underpayment_dispute', status: 'open' }).first(), 'the POST-5 dispute work item', 60_000);
  disputeId = Number(dispute.id);
  await eventually(async () => h.db('claims').where({ claim_id: northClaimId }).first(), 'the demo-north claim row');

  writeOffClaimId = uniqueId('WEB-WO');
  h.simulator.behaveFor(writeOffClaimId, { kind: 'silence' });
  // Its patient has a name in the practice's patients table (the claim document carries only the id).
  patientId = uniqueId('PT-WEB');
  patientName = `Ada ${patientId.replace(/[^a-z0-9]/gi, '')} Quintero`;
  await h.db('patients').insert({ practice_id: 'demo-pain', id: patientId, name: patientName, birth_date: '1958-03-14' });
  const wo = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(writeOffClaimId, { patient: { id: patientId, birthDate: '1958-03-14', sex: 'F' } }) });
  expect(wo.statusCode, wo.body).toBe(201);
  sub1ClaimId = uniqueId('WEB-SUB1');
  const sub1 = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(sub1ClaimId, { lines: [{ cpt: '62323', units: 1, chargeCents: 120000, diagnosisPointers: [1] }] }) });
  expect(sub1.statusCode, sub1.body).toBe(201);
  sub1ItemId = Number((await eventually(async () => h.db('work_items').where({ entity_type: 'claim', entity_id: sub1ClaimId, status: 'open' }).first(), 'the SUB-1 work item')).id);
  await eventually(async () => h.db('claims').where({ claim_id: writeOffClaimId, status: 'submitted' }).first(), 'the write-off claim submitted');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('web app in chromium (issue 15)', () => {
  let context: BrowserContext;
  let page: Page;

  it('signs in with a token (HttpOnly SameSite=Strict cookie, token not stored) and shows the KPI tiles with definitions and target bands', async () => {
    context = await browser.newContext({ acceptDownloads: true });
    page = await signIn(context, h.tokens.demoBiller);
    await page.getByRole('heading', { name: KPI_HEADINGS[0], exact: true }).waitFor();
    for (const name of KPI_HEADINGS) await expect(page.getByRole('heading', { name, exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Open AR $ today ÷ (gross charges of the last 90 days ÷ 90).').isVisible()).resolves.toBe(true);
    // Every tile says its band in words, not only in colour.
    const bands = await page.locator('.kpi .band').allInnerTexts();
    expect(bands).toHaveLength(KPI_HEADINGS.length);
    for (const b of bands) expect(b).toMatch(/On target|Watch|Off target|No data yet/);
    await expect(page.getByRole('heading', { name: 'AR aging by payer' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Coming deadlines' }).isVisible()).resolves.toBe(true);

    const cookie = (await context.cookies()).find((c) => c.name === 'rcm_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // Page scripts see no token: not in local or session storage, the URL, or document.cookie.
    const stored = await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href + document.cookie');
    expect(String(stored)).not.toContain(h.tokens.demoBiller);
  });

  it('finds a claim by its id and opens its page: status, timeline, lines billed/paid, the Temporal Web UI link', async () => {
    await page.getByRole('link', { name: 'Find a claim' }).click();
    await page.getByLabel('Find a claim').fill(claimId);
    await page.getByLabel('Find a claim').press('Enter');
    await page.getByRole('link', { name: claimId }).click();
    await page.getByRole('heading', { name: `Claim ${claimId}` }).waitFor();
    await expect(page.locator('.facts .status').innerText()).resolves.toMatch(/posted|closed|paid/);
    await expect(page.getByRole('heading', { name: 'Timeline' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.timeline li').filter({ hasText: 'submitted' }).count()).resolves.toBeGreaterThan(0);
    const lines = await page.locator('table').first().locator('tbody tr').allInnerTexts();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('64484-LT');
    expect(lines[1]).toContain('$900.00');
    const link = page.getByRole('link', { name: 'Open the workflow in the Temporal Web UI' });
    await expect(link.getAttribute('href')).resolves.toBe(`http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(`claim:demo-pain:${claimId}`)}`);
    await expect(page.getByText('Underpayment', { exact: false }).first().isVisible()).resolves.toBe(true);
  });

  it('exports the worklist as CSV: the open items of the selected practice, by due date', async () => {
    await page.getByRole('link', { name: 'Worklist' }).click();
    await page.getByRole('heading', { name: 'Worklist' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('"id","practice_id","kind","rule_id","entity_type","entity_id","title","due_date","dollars_at_risk","assignee"');
    // Text cells are quoted; none of these holds a quote or a comma except the title (last but three).
    const rows = csv.slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
    expect(rows.find((r) => r[0] === String(disputeId))).toMatchObject({ 1: 'demo-pain', 2: 'underpayment_dispute', 3: 'POST-5', 5: claimId });
    expect(rows.every((r) => r[1] === 'demo-pain')).toBe(true);
  });

  it('POST-5: completing the dispute without its reference shows the server 422 next to the field, then completes with it', async () => {
    await page.locator(`#work-item-${disputeId}`).getByRole('button', { name: /^Complete work item/ }).click();
    const form = page.getByRole('form', { name: `Complete work item ${disputeId}` });
    await form.getByRole('button', { name: 'Save and complete' }).click();
    const field = form.getByLabel(/Dispute reference/);
    await expect(form.getByRole('alert').innerText()).resolves.toContain('missing disputeReference');
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe(await form.getByRole('alert').getAttribute('id'));
    expect((await h.db('work_items').where({ id: disputeId }).first()).status).toBe('open');

    await field.fill('DSP-WEB-1');
    await form.getByRole('button', { name: 'Save and complete' }).click();
    await page.getByRole('status').filter({ hasText: `Work item ${disputeId} completed` }).waitFor();
    const row = await h.db('work_items').where({ id: disputeId }).first();
    expect(row).toMatchObject({ status: 'completed', completed_by: 'test-demo-biller', outcome: { disputeReference: 'DSP-WEB-1' } });
    await expect(page.locator(`#work-item-${disputeId}`).count()).resolves.toBe(0);
  });

  it('a change sent with the session cookie but without the app header is refused (CSRF guard)', async () => {
    const res = await page.request.post(`${base}/api/work-items/${disputeId}/complete`, { data: { outcome: {} } });
    expect(res.status()).toBe(403);
    expect((await res.json()).message).toContain('x-rcm-web');
  });

  it('signs out: the sign-in form again, and the cookie no longer opens the API', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').waitFor();
    expect((await context.cookies()).find((c) => c.name === 'rcm_session')).toBeUndefined();
    expect((await page.request.get(`${base}/api/me`)).status()).toBe(401);
    await context.close();
  });

  it('a provider sees the worklist without actions and no other practice: the demo-north claim is not found', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.provider);
    await p.getByRole('heading', { name: 'Days in AR', exact: true }).waitFor();
    await p.getByRole('link', { name: 'Worklist' }).click();
    await p.getByText('Read only: a provider sees the worklist but cannot complete items.').waitFor();
    await expect(p.getByRole('button', { name: /Complete/ }).count()).resolves.toBe(0);
    await expect(p.getByRole('columnheader', { name: 'Action' }).count()).resolves.toBe(0);

    await p.getByRole('link', { name: 'Find a claim' }).click();
    await p.getByLabel('Find a claim').fill(northClaimId);
    await p.getByLabel('Find a claim').press('Enter');
    await p.getByText('No claim matches.').waitFor();
    await p.goto(`${base}/claims/${encodeURIComponent(northClaimId)}`);
    await expect(p.getByRole('alert').innerText()).resolves.toContain(`claim ${northClaimId} not found`);
    // Its own practice's claim opens.
    await p.goto(`${base}/claims/${encodeURIComponent(claimId)}`);
    await p.getByRole('heading', { name: `Claim ${claimId}` }).waitFor();
    await ctx.close();
  });

  it('a user of several practices switches practice: the dashboard follows the practice chosen', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.admin);
    const practice = p.getByLabel('Practice');
    await practice.selectOption('demo-pain');
    await p.getByRole('heading', { name: 'Demo Interventional Pain Associates' }).waitFor();
    await practice.selectOption('demo-north');
    await p.getByRole('heading', { name: 'North Valley Spine & Pain (demo)' }).waitFor();
    await p.getByRole('heading', { name: 'Days in AR', exact: true }).waitFor();
    await ctx.close();
  });

  it('workspace: assigns an unassigned item to me, adds a note, and snoozes it to a date (hidden until then; a date not after today is refused next to the field)', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.demoBiller);
    await p.getByRole('link', { name: 'Worklist' }).click();
    await p.getByRole('button', { name: 'Unassigned' }).click();
    const row = p.locator(`#work-item-${sub1ItemId}`);
    await row.getByRole('button', { name: /^Manage work item/ }).click();
    const panel = p.getByRole('group', { name: `Manage work item ${sub1ItemId}` });
    await panel.getByRole('button', { name: 'Assign to me' }).click();
    await p.getByRole('status').filter({ hasText: `Work item ${sub1ItemId} assigned to you` }).waitFor();
    // Gone from "Unassigned", in "My items".
    await row.waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'My items' }).click();
    await row.getByText('test-demo-biller').waitFor();

    await row.getByRole('button', { name: /^Manage work item/ }).click();
    await panel.getByRole('textbox', { name: 'Note', exact: true }).fill('Called the coder: 62323 should be 64483');
    await panel.getByRole('button', { name: 'Add note' }).click();
    await panel.getByRole('listitem').filter({ hasText: 'test-demo-biller: Called the coder: 62323 should be 64483' }).waitFor();
    await expect(panel.getByRole('listitem').filter({ hasText: 'assigned to test-demo-biller' }).count()).resolves.toBe(1);

    // The item's practice decides what today is (demo-pain is in Chicago; between 05:00 and 06:00 UTC New York is a day ahead).
    const { time_zone: timeZone } = await h.db('work_items as w').join('practices as p', 'p.id', 'w.practice_id').where('w.id', sub1ItemId).first('p.time_zone');
    const today = practiceToday(timeZone);
    const until = panel.getByLabel(/Snooze until/);
    await until.fill(today);
    await panel.getByRole('button', { name: 'Snooze' }).click();
    await expect(panel.getByRole('alert').innerText()).resolves.toContain(`a snooze ends after today (${today})`);
    await expect(until.getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await h.db('work_items').where({ id: sub1ItemId }).first()).snoozed_until).toBeNull();

    const later = addCalendarDays(today, 3);
    await until.fill(later);
    await panel.getByRole('button', { name: 'Snooze' }).click();
    await p.getByRole('status').filter({ hasText: `snoozed until ${later}` }).waitFor();
    await row.waitFor({ state: 'detached' });
    await p.getByRole('button', { name: 'Snoozed' }).click();
    await row.getByText(`snoozed until ${later}`).waitFor();
    expect(await h.db('work_items').where({ id: sub1ItemId }).first()).toMatchObject({ assignee: 'test-demo-biller', snoozed_until: later, status: 'open' });
    await ctx.close();
  });

  it('find by patient name: words of the name in any order, lower case, find the claim; the result shows the name', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.demoBiller);
    await p.getByRole('link', { name: 'Find a claim' }).click();
    const middle = patientName.split(' ')[1].toLowerCase();
    await p.getByLabel('Find a claim').fill(`quintero ${middle}`);
    await p.getByLabel('Find a claim').press('Enter');
    const row = p.getByRole('row').filter({ has: p.getByRole('link', { name: writeOffClaimId }) });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain(`${patientName} (${patientId})`);
    await expect(p.getByText('1 claim', { exact: true }).isVisible()).resolves.toBe(true);
    // Another practice's biller does not find it by the same name.
    const north = await browser.newContext();
    const n = await signIn(north, h.tokens.northBiller);
    await n.getByRole('link', { name: 'Find a claim' }).click();
    await n.getByLabel('Find a claim').fill(`quintero ${middle}`);
    await n.getByLabel('Find a claim').press('Enter');
    await n.getByText('No claim matches.').waitFor();
    await north.close();
    await ctx.close();
  });

  it('approve a write-off as another user: the biller sees the 422 next to the amount and the 409 next to Close, requests it; the approver approves it and the claim closes', async () => {
    const biller = await browser.newContext();
    const b = await signIn(biller, h.tokens.demoBiller);
    await b.goto(`${base}/claims/${encodeURIComponent(writeOffClaimId)}`);
    const request = b.getByRole('form', { name: 'Request a write-off' });
    await request.getByLabel('Amount ($)').fill('99999');
    await request.getByLabel('Rationale').fill('payer has no record after three inquiries');
    await request.getByRole('button', { name: 'Request write-off' }).click();
    await expect(request.getByRole('alert').innerText()).resolves.toContain('exceeds the open balance of $1850.00');
    await expect(request.getByLabel('Amount ($)').getAttribute('aria-invalid')).resolves.toBe('true');

    const close = b.getByRole('form', { name: 'Close the claim' });
    await close.getByLabel('Reason for closing').fill('nothing more to do');
    await close.getByRole('button', { name: 'Close claim' }).click();
    await expect(close.getByRole('alert').innerText()).resolves.toContain('write it off (AR-6) rather than close it');

    await request.getByLabel('Amount ($)').fill('1850.00');
    await request.getByRole('button', { name: 'Request write-off' }).click();
    await request.getByRole('status').filter({ hasText: 'Request write-off: done' }).waitFor();
    await b.getByText('waiting for approval').waitFor();
    // A biller has no approvals screen and no approve button.
    await expect(b.getByRole('link', { name: 'Approvals' }).count()).resolves.toBe(0);
    await expect(b.getByRole('button', { name: 'Approve write-off' }).count()).resolves.toBe(0);
    await biller.close();

    const approver = await browser.newContext();
    const a = await signIn(approver, h.tokens.approver);
    await a.getByLabel('Practice').selectOption('demo-pain');
    await a.getByRole('link', { name: 'Approvals' }).click();
    const card = a.locator(`#write-off-${writeOffClaimId}`);
    await card.getByText('Requested by test-demo-biller').waitFor();
    await expect(card.getByRole('heading', { level: 2 }).innerText()).resolves.toContain('$1,850.00');
    await card.getByLabel('Recovery review').fill('no secondary coverage, no appeal basis, patient not liable');
    await card.getByRole('button', { name: 'Approve write-off' }).click();
    await card.waitFor({ state: 'detached' });
    await eventually(async () => h.db('claims').where({ claim_id: writeOffClaimId, status: 'closed' }).first(), 'the written-off claim closed');
    expect(await h.db('write_off_requests').where({ claim_id: writeOffClaimId }).first()).toMatchObject({ status: 'approved', requested_by: 'test-demo-biller', decided_by: 'test-approver', amount_cents: 185000 });
    await approver.close();
  });

  it('charts: 12-month trends, denials by CPT × payer × reason, KPIs per provider; the revenue-gap audit drills down to the claims behind a figure', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.demoBiller);
    for (const name of ['12-month trends', 'Denials by CPT × payer × reason', 'KPIs per provider', 'Revenue-gap audit']) await p.getByRole('heading', { name, exact: true }).waitFor();
    // Each chart says its figures in words (role img with a label), month by month.
    const collections = p.getByRole('img', { name: /^Collections: / });
    await expect(collections.getAttribute('aria-label')).resolves.toMatch(/^Collections: (\d{4}-\d{2} \$[\d,.]+, ){11}\d{4}-\d{2} \$[\d,.]+$/);
    await expect(p.getByRole('row').filter({ hasText: 'NPI 1234567893' }).count()).resolves.toBe(1);

    // The written-off claim (previous test) is behind AR-6 "written off" in the year of its date of service.
    const dosYear = (await h.db('claims').where({ claim_id: writeOffClaimId }).first()).service_date.slice(0, 4);
    await p.getByLabel('Year of service').selectOption(dosYear);
    await p.getByRole('button', { name: /^AR / }).click();
    await p.getByRole('button', { name: 'Claims behind AR-6 written off' }).click();
    const drill = p.getByRole('region', { name: 'Claims behind AR-6 written off' });
    await drill.getByRole('link', { name: writeOffClaimId }).click();
    await p.getByRole('heading', { name: `Claim ${writeOffClaimId}` }).waitFor();
    await ctx.close();
  });

  it('live: a claim moved through the API shows on the open dashboard without a reload', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.demoBiller);
    await p.getByRole('heading', { name: 'Claims moving now' }).waitFor();
    await p.evaluate('window.__sameDocument = true');
    const liveId = uniqueId('WEB-LIVE');
    h.simulator.behaveFor(liveId, { kind: 'silence' });
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('demoBiller'), payload: tfesiClaim(liveId) });
    expect(res.statusCode, res.body).toBe(201);
    const feed = p.getByRole('list', { name: 'Claims moving now' });
    await feed.getByRole('listitem').filter({ hasText: `Claim ${liveId}: scrubbed → submitted` }).waitFor({ timeout: 30_000 });
    // A write-off requested and approved through the API closes it: the open page follows.
    expect((await h.app.inject({ method: 'POST', url: `/api/claims/${liveId}/actions/request-write-off`, headers: h.auth('demoBiller'), payload: { amountCents: 185000, rationale: 'test: duplicate of another claim' } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/api/claims/${liveId}/actions/approve-write-off`, headers: h.auth('approver'), payload: { recoveryReview: 'duplicate, nothing to recover' } })).statusCode).toBe(200);
    await feed.getByRole('listitem').filter({ hasText: `Claim ${liveId}: submitted → closed` }).waitFor({ timeout: 30_000 });
    await expect(p.evaluate('window.__sameDocument')).resolves.toBe(true);
    await ctx.close();
  });

  it('exports the claims, the denials and the AR aging of the practice as CSV', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const p = await signIn(ctx, h.tokens.demoBiller);
    const download = async (name: string) => {
      const [d] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name, exact: true }).click()]);
      return readFileSync((await d.path())!, 'utf8').trim().split('\r\n');
    };
    const aging = await download('Export AR aging CSV');
    expect(aging[0]).toBe('"practice_id","as_of","payer_id","days_0_30","days_31_60","days_61_90","days_over_90","total"');
    expect(aging.slice(1).every((l) => l.startsWith('"demo-pain",'))).toBe(true);
    const denials = await download('Export denials CSV');
    expect(denials[0]).toBe('"claim_id","practice_id","payer_id","cpt_codes","carc","rarcs","category","kind","denial_date","action_due","appeal_deadline","status","claim_billed"');
    await p.getByRole('link', { name: 'Find a claim' }).click();
    const claims = await download('Export claims CSV');
    expect(claims[0]).toBe('"claim_id","practice_id","payer_id","rendering_npi","service_date","status","version","cpt_codes","billed","dollars_at_risk","next_deadline","next_deadline_rule"');
    const row = claims.find((l) => l.startsWith(`"${claimId}",`));
    expect(row).toContain('"demo-pain","MEDICARE","1234567893"');
    expect(row).toContain('"64483 64484"');
    expect(row).toContain(',2400,');
    expect(claims.some((l) => l.includes(northClaimId))).toBe(false);
    await ctx.close();
  });

  it('the claim page shows the 837P as sent and the 835 of its payment to a biller (access-logged); a provider has no such button and the API refuses it', async () => {
    const ctx = await browser.newContext();
    const p = await signIn(ctx, h.tokens.demoBiller);
    await p.goto(`${base}/claims/${encodeURIComponent(claimId)}`);
    await p.getByRole('button', { name: 'Show the 837P and 835 documents' }).click();
    const x837 = p.locator('figure.x12').filter({ hasText: '837P version 1 to MEDICARE' }).locator('pre');
    await expect(x837.innerText()).resolves.toContain('ST*837*');
    await expect(x837.innerText()).resolves.toContain(`CLM*${claimId}*2400`);
    const x835 = p.locator('figure.x12').filter({ hasText: '835 from MEDICARE' }).locator('pre');
    await expect(x835.innerText()).resolves.toContain('ST*835*');
    await expect(x835.innerText()).resolves.toContain(`CLP*${claimId}*`);
    const logged = await h.db('access_log').where({ entity_id: claimId, route: '/api/claims/:claimId/x12', user_name: 'test-demo-biller' });
    expect(logged.length).toBeGreaterThan(0);
    await ctx.close();

    const prov = await browser.newContext();
    const pp = await signIn(prov, h.tokens.provider);
    await pp.goto(`${base}/claims/${encodeURIComponent(claimId)}`);
    await pp.getByRole('heading', { name: `Claim ${claimId}` }).waitFor();
    await expect(pp.getByRole('button', { name: 'Show the 837P and 835 documents' }).count()).resolves.toBe(0);
    const res = await pp.request.get(`${base}/api/claims/${encodeURIComponent(claimId)}/x12`);
    expect(res.status()).toBe(403);
    await prov.close();
  });

  it('keyboard only: sign in, open the worklist, show the snoozed items, open an item, add a note', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${base}/`);
    await p.getByLabel('Token').waitFor();
    // The Token field has the focus on arrival.
    await p.keyboard.type(h.tokens.demoBiller);
    await p.keyboard.press('Enter');
    await p.getByRole('button', { name: 'Sign out' }).waitFor();
    await tabTo(p, /^Worklist$/);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Worklist' }).waitFor();
    await tabTo(p, /^Snoozed$/);
    await p.keyboard.press('Space');
    await p.locator(`#work-item-${sub1ItemId}`).waitFor();
    await tabTo(p, new RegExp(`^Manage work item ${sub1ItemId}:`));
    await p.keyboard.press('Enter');
    await tabTo(p, /^Note$/);
    await p.keyboard.type('typed without a mouse');
    await p.keyboard.press('Enter');
    await p.getByRole('group', { name: `Manage work item ${sub1ItemId}` }).getByRole('listitem').filter({ hasText: 'test-demo-biller: typed without a mouse' }).waitFor();
    await ctx.close();
  });
});
