/** API bearer tokens: random, shown once, stored only as a SHA-256 hash. */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export const ROLES = ['admin', 'biller', 'approver', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export type ApiUser = { name: string; role: Role };

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createApiToken(db: Knex, user: ApiUser, label = `${user.name} token`): Promise<string> {
  const token = `rcm_${randomBytes(24).toString('base64url')}`;
  await db('api_tokens').insert({ name: label, user_name: user.name, role: user.role, token_hash: hashToken(token) });
  return token;
}

export async function userForToken(db: Knex, token: string): Promise<ApiUser | undefined> {
  const row = await db('api_tokens').where({ token_hash: hashToken(token) }).whereNull('revoked_at').first('user_name', 'role');
  return row ? { name: row.user_name, role: row.role } : undefined;
}
