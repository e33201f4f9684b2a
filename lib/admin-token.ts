import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createApiToken } from '../api/tokens';
import { hashToken, registerToken, type NewUser } from '../db/users';
import { DEMO_PRACTICE_ID, SECOND_PRACTICE_ID } from '../db/seed';

/**
 * A token kept in a file (owner-only): created with its user on the first start, reused later (and
 * its hash registered again if the database was replaced).
 */
export async function ensureTokenFile(db: Knex, file: string, user: NewUser, label: string): Promise<{ file: string; created: boolean }> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    const known = await db('api_tokens').where({ token_hash: hashToken(token) }).first('id');
    if (!known) await registerToken(db, user, token, `${label} (from token file)`);
    chmodSync(file, 0o600);
    return { file, created: false };
  }
  const token = await createApiToken(db, user, label);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { file, created: true };
}

/**
 * The first start creates an admin API token and writes it to `<dataDir>/admin-token` (owner-only);
 * later starts reuse it (and re-register its hash if the database was replaced).
 */
export async function ensureAdminToken(db: Knex, dataDir: string): Promise<{ file: string; created: boolean }> {
  mkdirSync(dataDir, { recursive: true });
  return ensureTokenFile(db, path.join(dataDir, 'admin-token'), { name: 'admin', role: 'admin', createdBy: 'first start' }, 'admin (first start)');
}

/** Demo users, one per role, and who they are (README "Demo users"). */
export const DEMO_USERS: NewUser[] = [
  { name: 'demo-biller', role: 'biller', practiceIds: [DEMO_PRACTICE_ID] },
  { name: 'demo-approver', role: 'approver', practiceIds: [DEMO_PRACTICE_ID] },
  { name: 'demo-viewer', role: 'viewer', practiceIds: [DEMO_PRACTICE_ID] },
  { name: 'demo-provider', role: 'provider', practiceIds: [DEMO_PRACTICE_ID] },
  { name: 'north-biller', role: 'biller', practiceIds: [SECOND_PRACTICE_ID] },
  { name: 'company-biller', role: 'biller', practiceIds: [DEMO_PRACTICE_ID, SECOND_PRACTICE_ID] },
];

/** `npm start`: the demo users, each token in `<dataDir>/tokens/<name>` (0600, folder 0700). */
export async function ensureDemoUsers(db: Knex, dataDir: string): Promise<{ dir: string; created: string[] }> {
  const dir = path.join(dataDir, 'tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const created: string[] = [];
  for (const u of DEMO_USERS) {
    const r = await ensureTokenFile(db, path.join(dir, u.name), { ...u, createdBy: 'demo seed' }, `${u.name} (demo)`);
    if (r.created) created.push(u.name);
  }
  return { dir, created };
}
