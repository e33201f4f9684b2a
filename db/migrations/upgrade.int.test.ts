/**
 * Upgrading an installation from before users and practice scope (migrations 008–010): the tokens
 * it already has keep working with the scope they had (every practice), the demo practice gets a
 * time zone and its phone, and nothing else changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { migrationSource } from './index';
import { hashToken, userForToken } from '../users';
import { scratchDatabase } from '../../test/scratch-database';

const scratch = scratchDatabase('rcm_upgrade');
afterAll(() => scratch.drop());

describe('upgrade to users and practice scope', () => {
  it('tokens made before migration 009 keep their role with every practice; the practice keeps its data and gains a time zone', async () => {
    const db = await scratch.create();
    // The schema as it was before this issue: migrations 001–005.
    for (let i = 0; i < 5; i++) await db.migrate.up({ migrationSource });
    await db('practices').insert({ id: 'old-practice', name: 'Old Practice', tax_id: '990000009', billing_npi: '1456789019', address: { line1: '1 Old St', city: 'Springfield', state: 'IL', zip: '62701', phone: '2175550109' } });
    await db('api_tokens').insert([
      { name: 'admin (first start)', user_name: 'admin', role: 'admin', token_hash: hashToken('old-admin-token') },
      { name: 'pat token', user_name: 'pat', role: 'biller', token_hash: hashToken('old-biller-token') },
      { name: 'pat token 2', user_name: 'pat', role: 'biller', token_hash: hashToken('old-biller-token-2'), revoked_at: new Date() },
    ]);

    await db.migrate.latest({ migrationSource });

    expect(await userForToken(db, 'old-admin-token')).toEqual({ name: 'admin', role: 'admin', practiceIds: 'all' });
    expect(await userForToken(db, 'old-biller-token')).toEqual({ name: 'pat', role: 'biller', practiceIds: 'all' });
    expect(await userForToken(db, 'old-biller-token-2')).toBeUndefined(); // revoked stays revoked
    const practice = await db('practices').where({ id: 'old-practice' }).first();
    expect(practice).toMatchObject({ name: 'Old Practice', phone: '2175550109', time_zone: 'America/New_York', clearinghouse_submitter_id: null, clearinghouse_receiver_id: null });
    expect(await db('access_log').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
