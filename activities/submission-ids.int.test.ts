/**
 * The 837P's envelope ids come from the practice's master data (issue 14: nothing hard-coded):
 * ISA06/GS02 the clearinghouse submitter id and ISA08/GS03 the receiver id recorded on the
 * practice; a practice without them keeps its tax id and the placeholder receiver.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { el, tokenize } from '../x12/tokenize';
import { FileDropClearinghouse } from './gateway/file-drop';
import { submissionActivities } from './submission';
import { claimActivities } from './claims';
import { tfesiClaim } from '../test/fixtures';
import { uniqueId } from '../test/harness';

let db: Knex;
let dir: string;
beforeAll(async () => {
  db = createDb(inject('databaseUrl'));
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-837-ids-'));
});
afterAll(async () => {
  await db?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function submitFor(practiceId: string) {
  const gateway = new FileDropClearinghouse({ dir, sink: { acknowledgement: async () => {}, remittance: async () => ({}) }, log: () => {} });
  const claim = tfesiClaim(uniqueId('IDS'), { practiceId });
  await claimActivities(db).recordClaim({ claim, enteredAt: new Date().toISOString(), actor: 'test-biller', workflowId: `claim:${claim.claimId}` });
  const sent = await submissionActivities(db, gateway).submitClaim({ workflowId: `claim:${claim.claimId}`, step: 'submit:1:v1', claim, version: 1, payerId: 'MEDICARE', coveragePriority: 'primary', frequencyCode: '1' });
  const name = (await readdir(path.join(dir, 'outbox'))).find((f) => f.startsWith(`${sent.interchangeControlNumber}-`))!;
  const segments = [...tokenize(await readFile(path.join(dir, 'outbox', name), 'utf8'))];
  const isa = segments.find((x) => x.id === 'ISA')!;
  const gs = segments.find((x) => x.id === 'GS')!;
  return { isa06: el(isa, 6).trim(), isa08: el(isa, 8).trim(), gs02: el(gs, 2), gs03: el(gs, 3) };
}

describe('837P envelope ids from the practice (SUB-5)', () => {
  it('the submitter and receiver ids recorded on the practice are the ISA/GS sender and receiver', async () => {
    const practiceId = uniqueId('ids').toLowerCase();
    await db('practices').insert({ id: practiceId, name: 'Envelope Test Pain', tax_id: '990000077', billing_npi: '1456789019', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550109' }, clearinghouse_submitter_id: 'SUB77001', clearinghouse_receiver_id: 'AVAILITY01' });
    expect(await submitFor(practiceId)).toEqual({ isa06: 'SUB77001', isa08: 'AVAILITY01', gs02: 'SUB77001', gs03: 'AVAILITY01' });
  });

  it('a practice not yet onboarded with the clearinghouse sends as its tax id to the placeholder receiver', async () => {
    const practiceId = uniqueId('ids').toLowerCase();
    await db('practices').insert({ id: practiceId, name: 'Not Onboarded Pain', tax_id: '990000078', billing_npi: '1456789019', address: { line1: '1 Test St', city: 'Springfield', state: 'IL', zip: '627011234', phone: '2175550108' } });
    expect(await submitFor(practiceId)).toMatchObject({ isa06: '990000078', isa08: 'CLEARINGHOUSE' });
  });
});
