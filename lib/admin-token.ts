import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createApiToken, hashToken } from '../api/tokens';

/**
 * The first start creates an admin API token and writes it to `<dataDir>/admin-token` (owner-only);
 * later starts reuse it (and re-register its hash if the database was replaced).
 */
export async function ensureAdminToken(db: Knex, dataDir: string): Promise<{ file: string; created: boolean }> {
  const file = path.join(dataDir, 'admin-token');
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    const known = await db('api_tokens').where({ token_hash: hashToken(token) }).first('id');
    if (!known) await db('api_tokens').insert({ name: 'admin (from admin-token file)', user_name: 'admin', role: 'admin', token_hash: hashToken(token) });
    chmodSync(file, 0o600);
    return { file, created: false };
  }
  const token = await createApiToken(db, { name: 'admin', role: 'admin' }, 'admin (first start)');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { file, created: true };
}
