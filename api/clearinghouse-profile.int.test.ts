/**
 * The practice's clearinghouse profile through the API (issues 13/14): an admin sets the submitter
 * and receiver ids, the receiver's name, the submitter contact and the payer ids as the
 * clearinghouse knows them; GET shows it; bad fields are refused naming the field with nothing
 * written; and the 837P of the practice's next claim carries exactly the configured values
 * (ISA06/ISA08, 1000A PER, 1000B NM1, 2010BB NM109), read back through our tokenizer and parser.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { npiCheckDigit } from '../domain/npi';
import { FileDropClearinghouse } from '../activities/gateway/file-drop';
import { submissionActivities } from '../activities/submission';
import { claimActivities } from '../activities/claims';
import { parse837P } from '../x12/parse-837p';
import { validateX222A1 } from '../x12/x222a1';
import { el, tokenize, type Segment } from '../x12/tokenize';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ worker: false });
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-ch-profile-'));
});
afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const billingNpi = (() => {
  const nine = `16${String(Date.now() % 1e7).padStart(7, '0')}`;
  return `${nine}${npiCheckDigit(nine)}`;
})();
const practice = (practiceId: string, over: Record<string, unknown> = {}) => ({
  practiceId,
  name: 'Profile Pain Center',
  taxId: '12-3456789',
  billingNpi,
  address: { line1: '9 Harbor Way', city: 'Madison', state: 'WI', zip: '537031234' },
  phone: '6085550111',
  timeZone: 'America/Chicago',
  ...over,
});
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, who: 'admin' | 'biller' = 'admin') =>
  h.app.inject({ method, url, headers: h.auth(who), ...(payload ? { payload } : {}) });
const outboundRows = (practiceId: string) =>
  h.db('payer_identifiers').where({ practice_id: practiceId, outbound: true }).orderBy('payer_id').select('payer_id', 'identifier');

describe('the clearinghouse profile of a practice', () => {
  it('POST with a profile, GET shows it, PATCH replaces a payer id and null removes one', async () => {
    const id = uniqueId('chprof').toLowerCase();
    const created = await call('POST', '/api/practices', practice(id, {
      clearinghouse: { submitterId: 'PROF-SUB-01', receiverId: 'ACMECLEAR', receiverName: 'ACME CLEARING', contactName: 'PAT BILLER', contactEmail: 'edi@profile.example', payerIds: { MEDICARE: 'CH-MCR-01', MEDICAID: 'CH-MCD-01' } },
    }));
    expect(created.statusCode, created.body).toBe(201);
    const profile = {
      submitterId: 'PROF-SUB-01', receiverId: 'ACMECLEAR', receiverName: 'ACME CLEARING', contactName: 'PAT BILLER', contactPhone: null, contactEmail: 'edi@profile.example',
      payerIds: { MEDICAID: 'CH-MCD-01', MEDICARE: 'CH-MCR-01' },
    };
    expect(created.json().clearinghouse).toEqual(profile);
    expect((await call('GET', `/api/practices/${id}`)).json().clearinghouse).toEqual(profile);
    const listed = (await call('GET', '/api/practices')).json().practices.find((p: { practiceId: string }) => p.practiceId === id);
    expect(listed.clearinghouse).toEqual(profile);

    const patched = await call('PATCH', `/api/practices/${id}`, { clearinghouse: { contactPhone: '6085550122', payerIds: { MEDICARE: 'CH-MCR-02', MEDICAID: null, COMMERCIAL: 'CH-COM-01' } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().clearinghouse).toEqual({ ...profile, contactPhone: '6085550122', payerIds: { COMMERCIAL: 'CH-COM-01', MEDICARE: 'CH-MCR-02' } });
    expect(await outboundRows(id)).toEqual([{ payer_id: 'COMMERCIAL', identifier: 'CH-COM-01' }, { payer_id: 'MEDICARE', identifier: 'CH-MCR-02' }]);
  });

  it.each([
    ['clearinghouse.submitterId', { submitterId: 'SIXTEEN-CHARS-XX' }],
    ['clearinghouse.receiverId', { receiverId: 'BAD*ID' }],
    ['clearinghouse.receiverName', { receiverName: 'ACME~CLEARING' }],
    ['clearinghouse.contactName', { contactName: '' }],
    ['clearinghouse.contactPhone', { contactPhone: '608-555-0122' }],
    ['clearinghouse.contactEmail', { contactEmail: 'not-an-email' }],
    ['clearinghouse.payerIds.MEDICARE', { payerIds: { MEDICARE: 'X' } }],
    ['clearinghouse.payerIds.NO-SUCH-PAYER', { payerIds: { MEDICARE: 'CH-NEW-01', 'NO-SUCH-PAYER': 'CH-NOPE' } }],
    ['clearinghouse.payerIds.MEDICAID', { payerIds: { MEDICARE: 'CH-SAME', MEDICAID: 'CH-SAME' } }],
  ])('PATCH refuses %s with a 400 naming it; nothing is written', async (field, clearinghouse) => {
    const id = uniqueId('chbad').toLowerCase();
    const good = { submitterId: 'GOOD-SUB', receiverId: 'GOODRECV', receiverName: 'GOOD CLEARING', contactName: 'GOOD DESK', payerIds: { MEDICARE: 'CH-OLD-01' } };
    expect((await call('POST', '/api/practices', practice(id, { clearinghouse: good }))).statusCode).toBe(201);
    const res = await call('PATCH', `/api/practices/${id}`, { name: 'Renamed Meanwhile', clearinghouse: { submitterId: 'CHANGED', ...clearinghouse } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(field);
    const after = (await call('GET', `/api/practices/${id}`)).json();
    expect(after.name).toBe('Profile Pain Center');
    expect(after.clearinghouse).toMatchObject({ submitterId: 'GOOD-SUB', payerIds: { MEDICARE: 'CH-OLD-01' } });
  });

  it('a POST naming an unknown payer stores no practice', async () => {
    const id = uniqueId('chnew').toLowerCase();
    const res = await call('POST', '/api/practices', practice(id, { clearinghouse: { submitterId: 'S1', receiverId: 'R1', receiverName: 'R', contactName: 'C', payerIds: { 'NO-SUCH-PAYER': 'CH-1' } } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('clearinghouse.payerIds.NO-SUCH-PAYER');
    expect(await h.db('practices').where({ id }).first()).toBeUndefined();
  });

  it('only an admin changes the profile', async () => {
    const id = uniqueId('chrole').toLowerCase();
    expect((await call('POST', '/api/practices', practice(id))).statusCode).toBe(201);
    const res = await call('PATCH', `/api/practices/${id}`, { clearinghouse: { payerIds: { MEDICARE: 'CH-BILLER' } } }, 'biller');
    expect(res.statusCode).toBe(403);
    expect(await outboundRows(id)).toEqual([]);
  });

  it('the 837P of the practice carries the configured ISA06/ISA08, 1000A PER name, 1000B name and 2010BB NM109', async () => {
    const id = uniqueId('ch837').toLowerCase();
    expect((await call('POST', '/api/practices', practice(id))).statusCode).toBe(201);
    const set = await call('PATCH', `/api/practices/${id}`, {
      clearinghouse: { submitterId: 'P837SUBMIT', receiverId: 'CLEARWAVE01', receiverName: 'CLEARWAVE EDI', contactName: 'JAMIE EDI', contactPhone: '6085550133', payerIds: { MEDICARE: 'CW-MCR-77' } },
    });
    expect(set.statusCode, set.body).toBe(200);

    const claim = tfesiClaim(uniqueId('CHCLM'), { practiceId: id, patient: { id: 'CH-PT-1', birthDate: '1950-05-05', sex: 'F' } });
    const gateway = new FileDropClearinghouse({ dir, sink: { acknowledgement: async () => {}, remittance: async () => ({}) }, log: () => {} });
    await claimActivities(h.db).recordClaim({ claim, enteredAt: new Date().toISOString(), actor: 'test-biller', workflowId: `claim:${claim.claimId}` });
    const sent = await submissionActivities(h.db, gateway).submitClaim({ workflowId: `claim:${claim.claimId}`, step: 'submit:1:v1', claim, version: 1, payerId: 'MEDICARE', coveragePriority: 'primary', frequencyCode: '1' });
    const file = (await readdir(path.join(dir, 'outbox'))).find((f) => f.startsWith(`${sent.interchangeControlNumber}-`))!;
    const x12 = await readFile(path.join(dir, 'outbox', file), 'utf8');
    expect(validateX222A1(x12)).toEqual([]);

    const segs = [...tokenize(x12)];
    const isa = segs.find((s) => s.id === 'ISA')!;
    expect(el(isa, 6).trim()).toBe('P837SUBMIT');
    expect(el(isa, 8).trim()).toBe('CLEARWAVE01');
    const after = (pred: (s: Segment) => boolean) => segs[segs.findIndex(pred) + 1];
    const submitter = segs.findIndex((s) => s.id === 'NM1' && el(s, 1) === '41');
    const per = segs.slice(submitter).find((s) => s.id === 'PER')!;
    expect([el(per, 2), el(per, 3), el(per, 4)]).toEqual(['JAMIE EDI', 'TE', '6085550133']);
    const receiver = segs.find((s) => s.id === 'NM1' && el(s, 1) === '40')!;
    expect([el(receiver, 3), el(receiver, 9)]).toEqual(['CLEARWAVE EDI', 'CLEARWAVE01']);
    expect(after((s) => s.id === 'NM1' && el(s, 1) === '41').id).toBe('PER');
    const [back] = parse837P(x12, { practiceId: id, payerId: 'MEDICARE' });
    expect(back.parties.payer.id).toBe('CW-MCR-77');
    // Nothing about the clearinghouse was missing.
    const gaps = (await h.db('submissions').where({ id: sent.submissionId }).first('x12_gaps')).x12_gaps as string[];
    expect(gaps.filter((g) => /ISA|1000|2010BB/.test(g))).toEqual([]);
  });
});
