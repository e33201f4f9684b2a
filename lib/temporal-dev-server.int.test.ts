/**
 * The dev server's SQLite state (`npm start`: .data/temporal.db) is the owner's only (0600), both
 * when the server creates it and when an older start left it 0644.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startTemporalDevServer } from './temporal-dev-server';

const dir = mkdtempSync(path.join(tmpdir(), 'rcm-temporal-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modes = () => Object.fromEntries(readdirSync(dir).filter((f) => f.startsWith('temporal.db')).map((f) => [f, statSync(path.join(dir, f)).mode & 0o777]));

describe('Temporal dev server data file', () => {
  it('is created 0600, and a 0644 file from an older start is made 0600', async () => {
    const dbFile = path.join(dir, 'temporal.db');
    const first = await startTemporalDevServer({ port: await freePort(), namespace: 'default', dbFile });
    await first.stop();
    const created = modes();
    expect(Object.keys(created)).toContain('temporal.db');
    for (const [f, mode] of Object.entries(created)) expect(mode, f).toBe(0o600);

    chmodSync(dbFile, 0o644);
    const second = await startTemporalDevServer({ port: await freePort(), namespace: 'default', dbFile });
    await second.stop();
    for (const [f, mode] of Object.entries(modes())) expect(mode, f).toBe(0o600);
  });
});
