/**
 * CRED-6/CRED-7 on the claim path: a claim for a provider whose enrollment with the payer is not
 * effective on the DOS is held (not sent) with a work item, and released when the credential
 * workflow reports the enrollment active (signal credentialChanged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim, utcToday } from '../test/fixtures';
import { addCalendarDays } from '../domain/business-days';
import { claimStateQuery, claimWorkflowId, credentialChangedSignal } from '../contracts/claim';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const NPI = '1678901236'; // valid check digit; used only by this file

describe('claims held on credentials (CRED-7)', () => {
  it('a claim for a provider not yet enrolled is held with a work item, then released and paid once the enrollment is active', async () => {
    await h.db('providers').insert({ npi: NPI, practice_id: 'demo-pain', name: 'Dr. New Enrollee' }).onConflict('npi').ignore();
    await h.db('credentials').insert([
      { npi: NPI, kind: 'license', payer_id: '', status: 'active', effective_date: '2020-01-01', expiry_date: addCalendarDays(utcToday(), 3650) },
      { npi: NPI, kind: 'enrollment', payer_id: 'MEDICARE', status: 'pending', effective_date: null, expiry_date: null },
    ]).onConflict(['npi', 'kind', 'payer_id']).merge();
    const claim = tfesiClaim(uniqueId('HOLD'), { renderingNpi: NPI });
    const res = await h.app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
    expect(res.statusCode, res.body).toBe(201);
    const handle = h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId));
    const held = await eventually(async () => {
      const s = await handle.query(claimStateQuery);
      return s.status === 'held' ? s : undefined;
    }, 'held');
    expect(held.submissions).toHaveLength(0);
    expect(held.scrub?.findings.some((f) => f.ruleId === 'CHG-3')).toBe(true);
    const item = await eventually(async () => (await h.db('work_items').where({ entity_id: claim.claimId, kind: 'credential_hold' }))[0], 'hold work item');
    expect(item.rule_id).toBe('CRED-7');

    // The credential workflow records the enrollment and signals held claims.
    await h.db('credentials').where({ npi: NPI, kind: 'enrollment', payer_id: 'MEDICARE' }).update({ status: 'active', effective_date: '2026-01-01' });
    await handle.signal(credentialChangedSignal, { npi: NPI, at: new Date().toISOString() });
    const closed = await eventually(async () => {
      const s = await handle.query(claimStateQuery);
      return s.status === 'closed' ? s : undefined;
    }, 'released and paid');
    expect(closed.submissions).toHaveLength(1);
    expect(closed.history.map((x) => x.status)).toEqual(expect.arrayContaining(['held', 'scrubbed', 'submitted', 'posted']));
    expect((await h.db('work_items').where({ id: item.id }).first()).status).toBe('closed');
  });
});
