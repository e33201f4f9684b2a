/**
 * Upgrading an installation from before users and practice scope (migrations 008–010): the tokens
 * it already has keep working with the scope they had (every practice), the demo practice gets a
 * time zone and its phone, and nothing else changes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../knex';
import { migrationSource } from './index';
import { hashToken, userForToken } from '../users';

const url = new URL(inject('databaseUrl'));
const name = `rcm_upgrade_${randomBytes(4).toString('hex')}`;
const adminDb = createDb(inject('databaseUrl'));
let db: ReturnType<typeof createDb> | undefined;

afterAll(async () => {
  await db?.destroy();
  await adminDb.raw(`drop database if exists "${name}"`);
  await adminDb.destroy();
});

describe('upgrade to users and practice scope', () => {
  it('tokens made before migration 009 keep their role with every practice; the practice keeps its data and gains a time zone', async () => {
    await adminDb.raw(`create database "${name}"`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    db = createDb(target.toString());
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
