/**
 * Users, their role and practice scope, and their API tokens (random, shown once, stored only as a
 * SHA-256 hash). Shared by the API (`/api/users`, authentication) and the CLI (`rcm users`), which
 * works on the database directly so the first admin of a fresh install can be made.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export const ROLES = ['admin', 'biller', 'approver', 'viewer', 'provider'] as const;
export type Role = (typeof ROLES)[number];
/** Roles that change things; `viewer` and `provider` only read. */
export const WRITE_ROLES: readonly Role[] = ['admin', 'biller', 'approver'];

/** `'all'`: every practice, present and future (admins always). */
export type PracticeScope = 'all' | string[];
export type ApiUser = { name: string; role: Role; practiceIds: PracticeScope };

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newToken = (): string => `rcm_${randomBytes(24).toString('base64url')}`;

/** User names: safe in URLs and logs (no PHI: a user name is a login, not a patient). */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export class UserError extends Error {
  constructor(
    readonly kind: 'exists' | 'invalid' | 'not_found',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export type NewUser = { name: string; role: Role; practiceIds?: PracticeScope; expiresAt?: string; createdBy?: string };

/** Checks a new user's fields; throws UserError naming the field. Returns the scope to store. */
async function checkNewUser(db: Knex, u: NewUser): Promise<PracticeScope> {
  if (!USER_NAME_PATTERN.test(u.name)) throw new UserError('invalid', 'a user name is 1-64 letters, digits, ".", "_", "@" or "-"', 'name');
  if (!ROLES.includes(u.role)) throw new UserError('invalid', `unknown role "${u.role}" (one of ${ROLES.join(', ')})`, 'role');
  if (u.expiresAt !== undefined) {
    const at = new Date(u.expiresAt);
    if (Number.isNaN(at.getTime())) throw new UserError('invalid', `expiresAt "${u.expiresAt}" is not a date or instant`, 'expiresAt');
    if (at.getTime() <= Date.now()) throw new UserError('invalid', `expiresAt ${at.toISOString()} is in the past`, 'expiresAt');
  }
  if (u.role === 'admin' || u.practiceIds === 'all') return 'all';
  const ids = [...new Set(u.practiceIds ?? [])];
  if (!ids.length) throw new UserError('invalid', `a ${u.role} needs at least one practice (or "*" for every practice)`, 'practiceIds');
  const known = new Set((await db('practices').whereIn('id', ids).select('id')).map((r: { id: string }) => r.id));
  const unknownAt = (u.practiceIds as string[]).findIndex((p) => !known.has(p));
  if (unknownAt >= 0) throw new UserError('invalid', `unknown practice "${(u.practiceIds as string[])[unknownAt]}"`, `practiceIds.${unknownAt}`);
  return ids;
}

/** Adds a user and its first token; the token is returned once and stored only as a hash. */
export async function createUser(db: Knex, u: NewUser): Promise<{ user: ApiUser; token: string; expiresAt?: string }> {
  const scope = await checkNewUser(db, u);
  const token = newToken();
  const expiresAt = u.expiresAt ? new Date(u.expiresAt).toISOString() : undefined;
  await db.transaction(async (trx) => {
    const inserted = await trx('users')
      .insert({ name: u.name, role: u.role, all_practices: scope === 'all', created_by: u.createdBy ?? null })
      .onConflict('name')
      .ignore()
      .returning('name');
    if (!inserted.length) throw new UserError('exists', `user ${u.name} already exists`, 'name');
    if (scope !== 'all') await trx('user_practices').insert(scope.map((p) => ({ user_name: u.name, practice_id: p })));
    await trx('api_tokens').insert({ name: `${u.name} token`, user_name: u.name, role: u.role, token_hash: hashToken(token), expires_at: expiresAt ?? null });
  });
  return { user: { name: u.name, role: u.role, practiceIds: scope }, token, expiresAt };
}

/** Registers a known token (from a token file) for a user, creating the user if missing. */
export async function registerToken(db: Knex, u: NewUser, token: string, label: string): Promise<void> {
  const existing = await db('users').where({ name: u.name }).first('name');
  if (!existing) {
    const scope = await checkNewUser(db, u);
    await db('users').insert({ name: u.name, role: u.role, all_practices: scope === 'all', created_by: u.createdBy ?? null }).onConflict('name').ignore();
    if (scope !== 'all') await db('user_practices').insert(scope.map((p) => ({ user_name: u.name, practice_id: p }))).onConflict(['user_name', 'practice_id']).ignore();
  }
  await db('api_tokens').insert({ name: label, user_name: u.name, role: u.role, token_hash: hashToken(token) }).onConflict('token_hash').ignore();
}

/**
 * The user a token belongs to, with the practices it may see; undefined for unknown, revoked or
 * expired tokens. One round trip (every API request runs it: bench:api, issue 16).
 */
export async function userForToken(db: Knex, token: string): Promise<ApiUser | undefined> {
  const row = (await db('api_tokens as t')
    .join('users as u', 'u.name', 't.user_name')
    .where('t.token_hash', hashToken(token))
    .whereNull('t.revoked_at')
    .whereNull('u.revoked_at')
    .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', db.fn.now()))
    .first('u.name', 'u.role', 'u.all_practices', db.raw('array(select p.practice_id from user_practices p where p.user_name = u.name order by p.practice_id) as practice_ids'))) as
    | { name: string; role: ApiUser['role']; all_practices: boolean; practice_ids: string[] }
    | undefined;
  if (!row) return undefined;
  if (row.role === 'admin' || row.all_practices) return { name: row.name, role: row.role, practiceIds: 'all' };
  return { name: row.name, role: row.role, practiceIds: row.practice_ids };
}

export type UserView = { name: string; role: Role; practiceIds: '*' | string[]; createdAt: string; createdBy?: string; revokedAt?: string; activeTokens: number; tokenExpiresAt?: string };

export async function listUsers(db: Knex): Promise<UserView[]> {
  const users = await db('users').orderBy('name').select();
  const practices = await db('user_practices').orderBy(['user_name', 'practice_id']).select();
  const tokens = await db('api_tokens')
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
    .groupBy('user_name')
    .select('user_name', db.raw('count(*)::int as n'), db.raw('max(expires_at) as latest_expiry'), db.raw('bool_or(expires_at is null) as never_expires'));
  const byUser = new Map(tokens.map((t: Record<string, any>) => [t.user_name, t]));
  return users.map((u: Record<string, any>) => {
    const t = byUser.get(u.name) as Record<string, any> | undefined;
    return {
      name: u.name,
      role: u.role,
      practiceIds: u.role === 'admin' || u.all_practices ? '*' : practices.filter((p: Record<string, any>) => p.user_name === u.name).map((p: Record<string, any>) => p.practice_id),
      createdAt: new Date(u.created_at).toISOString(),
      createdBy: u.created_by ?? undefined,
      revokedAt: u.revoked_at ? new Date(u.revoked_at).toISOString() : undefined,
      activeTokens: u.revoked_at ? 0 : (t?.n ?? 0),
      tokenExpiresAt: t && !t.never_expires && t.latest_expiry ? new Date(t.latest_expiry).toISOString() : undefined,
    };
  });
}

/** Revokes the user and every token it has: the next request with any of them answers 401. */
export async function revokeUser(db: Knex, name: string): Promise<{ name: string; revokedAt: string; tokensRevoked: number }> {
  return db.transaction(async (trx) => {
    const user = await trx('users').where({ name }).forUpdate().first();
    if (!user) throw new UserError('not_found', `user ${name} not found`, 'name');
    const revokedAt = user.revoked_at ? new Date(user.revoked_at) : new Date();
    if (!user.revoked_at) await trx('users').where({ name }).update({ revoked_at: revokedAt });
    const tokensRevoked = await trx('api_tokens').where({ user_name: name }).whereNull('revoked_at').update({ revoked_at: revokedAt });
    return { name, revokedAt: revokedAt.toISOString(), tokensRevoked };
  });
}
