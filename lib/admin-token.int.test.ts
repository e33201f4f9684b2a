/**
 * `npm start`'s tokens: the admin token in <dataDir>/admin-token and one demo user per role in
 * <dataDir>/tokens/<name>, owner-only; a second start reuses them, and a replaced database gets
 * their hashes back.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../db/knex';
import { userForToken } from '../db/users';
import { DEMO_USERS, ensureAdminToken, ensureDemoUsers } from './admin-token';

const db = createDb(inject('databaseUrl'));
afterAll(async () => {
  await db.destroy();
});

describe('npm start tokens', () => {
  it('writes the admin token and a token per demo user (0600 files in a 0700 folder), each with its role and practices; a second start reuses them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rcm-data-'));
    // The test database may hold the demo users of an earlier run: start from a clean slate for them.
    await db('api_tokens').whereIn('user_name', DEMO_USERS.map((u) => u.name)).delete();
    await db('user_practices').whereIn('user_name', DEMO_USERS.map((u) => u.name)).delete();
    await db('users').whereIn('name', DEMO_USERS.map((u) => u.name)).delete();

    const admin = await ensureAdminToken(db, dataDir);
    expect(statSync(admin.file).mode & 0o777).toBe(0o600);
    expect((await userForToken(db, readFileSync(admin.file, 'utf8').trim()))?.role).toBe('admin');

    const first = await ensureDemoUsers(db, dataDir);
    expect(first.created.sort()).toEqual(DEMO_USERS.map((u) => u.name).sort());
    expect(statSync(first.dir).mode & 0o777).toBe(0o700);
    for (const u of DEMO_USERS) {
      const file = join(first.dir, u.name);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const user = await userForToken(db, readFileSync(file, 'utf8').trim());
      expect(user).toEqual({ name: u.name, role: u.role, practiceIds: [...(u.practiceIds as string[])].sort() });
    }
    const tokensBefore = readFileSync(join(first.dir, 'demo-biller'), 'utf8');
    const second = await ensureDemoUsers(db, dataDir);
    expect(second.created).toEqual([]);
    expect(readFileSync(join(first.dir, 'demo-biller'), 'utf8')).toBe(tokensBefore);

    // A replaced database: the files' tokens are registered again and keep working.
    await db('api_tokens').where({ user_name: 'demo-provider' }).delete();
    await ensureDemoUsers(db, dataDir);
    expect((await userForToken(db, readFileSync(join(first.dir, 'demo-provider'), 'utf8').trim()))?.role).toBe('provider');
  });
});
