/**
 * API bearer tokens: random, shown once, stored only as a SHA-256 hash. Users, roles and practice
 * scope live in db/users.ts; this module keeps the names the API and tests import.
 */
import type { Knex } from 'knex';
import { createUser, newToken, registerToken, type NewUser } from '../db/users';

export { ROLES, WRITE_ROLES, hashToken, userForToken, type ApiUser, type Role, type PracticeScope } from '../db/users';

/**
 * A token for `user`, creating the user when it does not exist yet (test setup, first start);
 * an existing user gets one more token.
 */
export async function createApiToken(db: Knex, user: NewUser, label = `${user.name} token`): Promise<string> {
  const existing = await db('users').where({ name: user.name }).first('name');
  if (!existing) return (await createUser(db, { ...user, practiceIds: user.practiceIds ?? 'all' })).token;
  const token = newToken();
  await registerToken(db, user, token, label);
  return token;
}
