/**
 * `rcm users add|list|revoke`: user management on the database directly (no running API needed),
 * so the first admin of a fresh install can be made. Connects to DATABASE_URL, or to `npm start`'s
 * embedded PostgreSQL (127.0.0.1:RCM_EMBEDDED_PG_PORT, default 5433), and applies the migrations
 * first (a fresh database gets its tables).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { CliError, EXIT_OK, type CliIo, type Command } from './main';
import { createDb, migrateLatest } from '../db/knex';
import { ROLES, UserError, createUser, listUsers, revokeUser, type Role } from '../db/users';
import { embeddedDatabaseUrl } from '../lib/embedded-postgres';

const USAGE = `usage: rcm users add NAME --role ROLE (--practice ID [--practice ID…] | --all-practices) [--expires DATE|INSTANT] [--token-file PATH]
       rcm users list [--json]
       rcm users revoke NAME
       (each also takes --database-url URL)

Roles: ${ROLES.join(', ')} (viewer and provider only read; an admin has every practice).
'add' prints the new token once (or writes it to --token-file, mode 0600); only its SHA-256 hash is
stored. 'revoke' revokes the user and every token it has. The database is DATABASE_URL, else the
embedded PostgreSQL of \`npm start\` (127.0.0.1:RCM_EMBEDDED_PG_PORT, default 5433), which must be
running. Exit codes: 0 done, 2 bad usage or input (the message names the option), 3 internal error.`;

function takeAll(args: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = args.indexOf(name); i >= 0; i = args.indexOf(name)) {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new CliError(`${name} needs a value`);
    out.push(v);
    args.splice(i, 2);
  }
  return out;
}
const take = (args: string[], name: string): string | undefined => {
  const all = takeAll(args, name);
  if (all.length > 1) throw new CliError(`${name} given twice`);
  return all[0];
};
const flag = (args: string[], name: string): boolean => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};

export function databaseUrl(explicit: string | undefined): { url: string; where: string } {
  const url = explicit ?? process.env.DATABASE_URL;
  if (url) {
    let where = 'DATABASE_URL';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      throw new CliError('--database-url/DATABASE_URL is not a postgres:// URL');
    }
    return { url, where };
  }
  const port = Number(process.env.RCM_EMBEDDED_PG_PORT || 5433);
  return { url: embeddedDatabaseUrl(port), where: `the embedded PostgreSQL at 127.0.0.1:${port} (is \`npm start\` running?)` };
}

/** The option a user field comes from, for messages that name what to fix. */
const CLI_OPTION: Record<string, string> = { practiceIds: '--practice', expiresAt: '--expires', role: '--role', name: 'NAME' };

async function withDb<T>(explicit: string | undefined, fn: (db: Knex) => Promise<T>): Promise<T> {
  const { url, where } = databaseUrl(explicit);
  const db = createDb(url, { max: 2 });
  try {
    try {
      await migrateLatest(db);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') throw new CliError(`cannot use ${where}: ${(err as Error).message.split('\n')[0]}`);
      throw err;
    }
    return await fn(db);
  } catch (err) {
    if (err instanceof UserError) {
      const option = err.field ? (CLI_OPTION[err.field.split('.')[0]] ?? err.field) : undefined;
      throw new CliError(`${option ? `${option}: ` : ''}${err.message}`);
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'add, list and revoke users and their API tokens (on the database directly)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = [...argv];
    const sub = args.shift();
    const dbUrl = take(args, '--database-url');
    if (sub === 'add') {
      const role = take(args, '--role');
      const practices = takeAll(args, '--practice');
      const all = flag(args, '--all-practices');
      const expires = take(args, '--expires');
      const tokenFile = take(args, '--token-file');
      if (args.length !== 1 || args[0].startsWith('--')) throw new CliError(`expected one NAME${args.length > 1 ? `, got ${args.join(' ')}` : ''}\n${USAGE}`);
      if (!role) throw new CliError(`--role is required (one of ${ROLES.join(', ')})`);
      if (!ROLES.includes(role as Role)) throw new CliError(`--role: unknown role "${role}" (one of ${ROLES.join(', ')})`);
      if (all && practices.length) throw new CliError('--practice and --all-practices exclude each other');
      const name = args[0];
      const created = await withDb(dbUrl, (db) => createUser(db, { name, role: role as Role, practiceIds: all ? 'all' : practices, expiresAt: expires, createdBy: 'cli' }));
      const scope = created.user.practiceIds === 'all' ? 'every practice' : created.user.practiceIds.join(', ');
      if (tokenFile) {
        const file = path.resolve(io.cwd, tokenFile);
        writeFileSync(file, `${created.token}\n`, { mode: 0o600 });
        io.stderr.write(`user ${name} (${role}; ${scope}${created.expiresAt ? `; expires ${created.expiresAt}` : ''}) added; token written to ${file}\n`);
      } else {
        io.stderr.write(`user ${name} (${role}; ${scope}${created.expiresAt ? `; expires ${created.expiresAt}` : ''}) added; its token (shown once):\n`);
        io.stdout.write(`${created.token}\n`);
      }
      return EXIT_OK;
    }
    if (sub === 'list') {
      const json = flag(args, '--json');
      if (args.length) throw new CliError(`unexpected ${args.join(' ')}\n${USAGE}`);
      const users = await withDb(dbUrl, (db) => listUsers(db));
      if (json) {
        io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        return EXIT_OK;
      }
      const rows = users.map((u) => [u.name, u.role, u.practiceIds === '*' ? '*' : u.practiceIds.join(','), u.revokedAt ? `revoked ${u.revokedAt.slice(0, 10)}` : `${u.activeTokens} token(s)${u.tokenExpiresAt ? `, expire ${u.tokenExpiresAt}` : ''}`]);
      const head = ['NAME', 'ROLE', 'PRACTICES', 'STATUS'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [head, ...rows]) io.stdout.write(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}\n`);
      return EXIT_OK;
    }
    if (sub === 'revoke') {
      if (args.length !== 1) throw new CliError(`expected one NAME\n${USAGE}`);
      const r = await withDb(dbUrl, (db) => revokeUser(db, args[0]));
      io.stdout.write(`user ${r.name} revoked at ${r.revokedAt}; ${r.tokensRevoked} token(s) revoked\n`);
      return EXIT_OK;
    }
    throw new CliError(`expected add, list or revoke${sub ? `, got "${sub}"` : ''}\n${USAGE}`);
  },
};
