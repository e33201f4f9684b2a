/**
 * Bulk import of open claims submitted by another system (issue 16): POST /api/claims/import and
 * `rcm import claims FILE.jsonl` on the dev server with the real worker. What a billing manager
 * migrating a practice notices: the claims appear as submitted on their real date with the AR
 * follow-up counted from it, nothing is sent to the payer again, bad rows are named by line and
 * field (never by value), and running the same file again starts nothing twice.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import { DEMO_PRACTICE_ID } from '../db/seed';
import { addCalendarDays } from '../domain/business-days';
import { arTouchPlan } from '../domain/ar';
import { importCommand } from '../cli/import';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-import-'));
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

const MEMBER = 'IMPMEMBER77';
const today = utcToday();
const submittedOn = addCalendarDays(today, -40);
const row = (claimId: string, over: Record<string, unknown> = {}, claimOver: Record<string, unknown> = {}) =>
  JSON.stringify({
    claim: tfesiClaim(claimId, { serviceDate: addCalendarDays(today, -45), patient: { id: `PT-${claimId}`, birthDate: '1961-02-03', sex: 'M' }, coverage: { memberId: MEMBER, priority: 'primary' }, ...claimOver }),
    submittedAt: `${submittedOn}T15:00:00Z`,
    ...over,
  });

describe('bulk import of claims submitted elsewhere', () => {
  it('API: valid rows start as submitted on their real date with the AR plan from it; bad rows are named by line and field; nothing is sent again', async () => {
    const a = uniqueId('IMP-A');
    const b = uniqueId('IMP-B');
    const body = [
      row(a),
      row(b, { payerClaimControlNumber: 'PCN-IMPORT-9' }),
      '{"claim": not json',
      row(uniqueId('IMP-BADMEM'), {}, { coverage: { memberId: 'W1*2', priority: 'primary' } }),
      row(uniqueId('IMP-PAYER'), {}, { payerId: 'NO-SUCH-PAYER' }),
      row(a), // the same claim twice in one file
      row(uniqueId('IMP-EARLY'), { submittedAt: `${addCalendarDays(today, -50)}T10:00:00Z` }),
      '',
    ].join('\n');
    const res = await h.app.inject({ method: 'POST', url: '/api/claims/import', headers: { ...h.auth('biller'), 'content-type': 'application/x-ndjson' }, payload: body });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ read: 7, started: 2, existing: 0, refused: 5 });
    expect(report.refusedRows.map((r: { line: number; errors: Array<{ path: string }> }) => [r.line, r.errors.map((e) => e.path)])).toEqual([
      [3, ['(line)']],
      [4, ['claim.coverage.memberId']],
      [5, ['claim.payerId']],
      [6, ['claim.claimId']],
      [7, ['submittedAt']],
    ]);
    expect(res.body).not.toContain('W1*2'); // values (member ids) never echoed
    expect(res.body).not.toContain(MEMBER);

    for (const claimId of [a, b]) {
      const s = await eventually(async () => {
        const st = await h.client.workflow.getHandle(claimWorkflowId(DEMO_PRACTICE_ID, claimId)).query(claimStateQuery);
        return st.arTouches.length ? st : undefined;
      }, `${claimId} imported with its AR plan`);
      expect(s.submissions).toEqual([expect.objectContaining({ coverage: 'primary', submittedAt: `${submittedOn}T15:00:00.000Z`, ack: 'accepted' })]);
      const plan = arTouchPlan(submittedOn, tfesiClaim(claimId));
      expect(s.arTouches.map((t) => t.dueDate)).toEqual(plan.touches.map((t) => t.dueDate));
      expect(s.history.some((x) => x.status === 'scrubbed')).toBe(false); // not scrubbed or sent again
      const subs = await h.db('submissions').where({ claim_id: claimId });
      expect(subs).toHaveLength(1); // the imported submission only: no 837P went to the payer
      expect(subs[0]).toMatchObject({ gateway: 'imported', status: 'accepted' });
      expect(Number(subs[0].interchange_control_number)).toBe(0);
    }
    // The day-15 touch of a claim submitted 40 days ago is already due: it comes due at once.
    await eventually(async () => {
      const items = await h.db('work_items').where({ entity_type: 'claim', entity_id: a }).whereIn('rule_id', ['AR-1', 'AR-2', 'AR-3']);
      return items.length ? items : undefined;
    }, `${a} AR work item`);

    // Resumable: the same rows again start nothing.
    const again = await h.app.inject({ method: 'POST', url: '/api/claims/import', headers: { ...h.auth('biller'), 'content-type': 'application/x-ndjson' }, payload: [row(a), row(b)].join('\n') });
    expect(again.json()).toMatchObject({ read: 2, started: 0, existing: 2, refused: 0 });
  });

  it('API: a request naming a practice outside the caller\'s is refused whole (403 naming it, nothing started); JSON { rows } works like NDJSON', async () => {
    const mine = uniqueId('IMP-MINE');
    const theirs = uniqueId('IMP-THEIRS');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/claims/import',
      headers: { ...h.auth('demoBiller'), 'content-type': 'application/x-ndjson' },
      payload: [row(mine), row(theirs, {}, { practiceId: 'demo-north' })].join('\n'),
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ practiceId: 'demo-north' });
    expect(await h.db('claims').whereIn('claim_id', [mine, theirs])).toEqual([]);
    const json = await h.app.inject({ method: 'POST', url: '/api/claims/import', headers: h.auth('demoBiller'), payload: { rows: [JSON.parse(row(mine)), { claim: 'x', submittedAt: `${submittedOn}T15:00:00Z` }] } });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json()).toMatchObject({ read: 2, started: 1, refused: 1, refusedRows: [{ line: 2, errors: [{ path: 'claim' }] }] });
    const bad = await h.app.inject({ method: 'POST', url: '/api/claims/import', headers: h.auth('biller'), payload: { claim: {} } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([{ path: 'rows', message: expect.any(String) }]);
  });

  it('CLI: rcm import claims FILE.jsonl prints progress and a summary, writes the refused rows, and a second run resumes', async () => {
    process.env.DATABASE_URL = inject('databaseUrl');
    process.env.TEMPORAL_ADDRESS = inject('temporalAddress');
    process.env.RCM_ENCRYPTION_KEYS = inject('encryptionKeys');
    const ids = [uniqueId('IMP-CLI'), uniqueId('IMP-CLI'), uniqueId('IMP-CLI')];
    const file = path.join(dir, 'open-claims.jsonl');
    await writeFile(file, [...ids.map((id) => row(id)), row(uniqueId('IMP-CLI-BAD'), { submittedAt: 'yesterday' })].join('\r\n'));
    const run = async () => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (d) => (out += d));
      stderr.on('data', (d) => (err += d));
      const code = await importCommand.run(['claims', file, '--concurrency', '2'], { stdin: new PassThrough(), stdout, stderr, cwd: dir });
      return { code, out, err };
    };
    const first = await run();
    expect(first.code).toBe(1);
    expect(first.out).toContain('3 claims started, 0 already there, 1 refused');
    expect(first.out).toMatch(/line 4 \(IMP-CLI-BAD-[^)]+\): submittedAt: expected an ISO instant/);
    expect(first.err).toMatch(/import: 100% · 4 rows read · 3 started · 0 already there · 1 refused/);
    const refused = JSON.parse(await readFile(`${file}.refused.json`, 'utf8'));
    expect(refused).toEqual([expect.objectContaining({ line: 4, errors: [expect.objectContaining({ path: 'submittedAt' })] })]);
    for (const id of ids) await eventually(async () => (await h.db('submissions').where({ claim_id: id, gateway: 'imported' }).first()) ?? undefined, `${id} submission recorded`);

    const second = await run();
    expect(second.out).toContain('0 claims started, 3 already there, 1 refused');
  });
});
