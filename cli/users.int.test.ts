/**
 * `rcm users` against the real test database: add (token printed once, hash stored), list, revoke,
 * and errors that name the option. One run goes through bin/rcm.cjs like a user's shell.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../db/knex';
import { hashToken, userForToken } from '../db/users';
import { DEMO_PRACTICE_ID, SECOND_PRACTICE_ID } from '../db/seed';
import { registerCommand, registeredCommands } from './main';
import { runCliCaptured } from '../test/cli';
import { usersCommand } from './users';

const url = inject('databaseUrl');
const db = createDb(url);
const dir = mkdtempSync(join(tmpdir(), 'rcm-users-'));
let seq = 0;
const uniqueName = (p: string) => `${p}-${Date.now().toString(36)}-${seq++}`;

beforeAll(() => {
  if (!registeredCommands().some((c) => c.name === 'users')) registerCommand(usersCommand);
});
afterAll(async () => {
  await db.destroy();
});

const run = (args: string[]) => runCliCaptured(['users', ...args, '--database-url', url], dir);

describe('rcm users', () => {
  it('add prints the token once; only its hash is stored; the token carries the role and practices', async () => {
    const name = uniqueName('cli-biller');
    const r = await run(['add', name, '--role', 'biller', '--practice', DEMO_PRACTICE_ID, '--practice', SECOND_PRACTICE_ID]);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^rcm_/);
    expect(r.stderr).toContain(`user ${name} (biller; demo-pain, demo-north)`);
    expect((await db('api_tokens').where({ user_name: name }).first()).token_hash).toBe(hashToken(token));
    expect(await userForToken(db, token)).toEqual({ name, role: 'biller', practiceIds: [SECOND_PRACTICE_ID, DEMO_PRACTICE_ID].sort() });
  });

  it('list shows users with role and practices; revoke stops the token', async () => {
    const name = uniqueName('cli-viewer');
    const file = join(dir, `${name}.token`);
    expect((await run(['add', name, '--role', 'viewer', '--practice', SECOND_PRACTICE_ID, '--token-file', file])).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    const list = await run(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${name}\\s+viewer\\s+demo-north\\s+1 token`));
    const json = JSON.parse((await run(['list', '--json'])).stdout);
    expect(json.find((u: { name: string }) => u.name === name)).toMatchObject({ role: 'viewer', practiceIds: [SECOND_PRACTICE_ID] });
    expect(JSON.stringify(json)).not.toContain(token);

    const revoke = await run(['revoke', name]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('1 token(s) revoked');
    expect(await userForToken(db, token)).toBeUndefined();
  });

  it.each([
    [['add', 'x-nobody', '--role', 'biller', '--practice', 'no-such-practice'], /--practice: unknown practice "no-such-practice"/],
    [['add', 'x-nobody', '--role', 'wizard', '--practice', DEMO_PRACTICE_ID], /--role: unknown role "wizard"/],
    [['add', 'x-nobody', '--role', 'biller'], /--practice: a biller needs at least one practice/],
    [['add', 'x-nobody', '--role', 'viewer', '--all-practices', '--expires', '2000-01-01'], /--expires: .*in the past/],
    [['revoke', 'x-nobody'], /user x-nobody not found/],
    [['frobnicate'], /expected add, list or revoke/],
  ])('%j fails with exit 2 naming what to fix', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await db('users').where({ name: 'x-nobody' }).first()).toBeUndefined();
  });

  it('the first admin of a fresh install: `rcm users add` through bin/rcm.cjs, every practice', async () => {
    const name = uniqueName('first-admin');
    const r = spawnSync(process.execPath, [join(__dirname, '..', 'bin', 'rcm.cjs'), 'users', 'add', name, '--role', 'admin'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toContain(`user ${name} (admin; every practice)`);
    expect(r.status).toBe(0);
    expect(await userForToken(db, r.stdout.trim())).toEqual({ name, role: 'admin', practiceIds: 'all' });
  });
});
