import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from './config';

describe('configuration from the environment', () => {
  it('defaults select the embedded PostgreSQL and Temporal dev server', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.temporalAddress).toBeUndefined();
    expect(c.temporalNamespace).toBe('default');
    expect(c.apiPort).toBe(3000);
    expect(c.temporalUiPort).toBe(8233);
    expect(c.dataDir).toBe('/srv/app/.data');
    expect(c.temporalMode).toBe('dev');
    expect(c.temporalHistoryShards).toBe(4);
  });

  it('RCM_TEMPORAL=server selects the production Temporal server with RCM_TEMPORAL_SHARDS history shards', () => {
    const c = loadConfig({ RCM_TEMPORAL: 'server', RCM_TEMPORAL_SHARDS: '16' }, '/srv/app');
    expect(c.temporalMode).toBe('server');
    expect(c.temporalHistoryShards).toBe(16);
  });

  it.each([
    [{ API_PORT: 'abc' }, 'API_PORT'],
    [{ API_PORT: '70000' }, 'API_PORT'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_NAMESPACE: 'bad namespace!' }, 'TEMPORAL_NAMESPACE'],
    [{ RCM_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }, 'RCM_ENCRYPTION_KEYS'],
    [{ RCM_ENCRYPTION_KEYS: 'nokeyid' }, 'RCM_ENCRYPTION_KEYS'],
    [{ RCM_TEMPORAL: 'docker' }, 'RCM_TEMPORAL'],
    [{ RCM_TEMPORAL_SHARDS: '0' }, 'RCM_TEMPORAL_SHARDS'],
    [{ RCM_TEMPORAL_SHARDS: 'four' }, 'RCM_TEMPORAL_SHARDS'],
    [{ RCM_WORKER_METRICS_ADDRESS: '9464' }, 'RCM_WORKER_METRICS_ADDRESS'],
  ])('%o is refused with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
  });

  it('a bad variable stops start-up with a clear message and a non-zero exit', () => {
    const root = path.resolve(__dirname, '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: { ...process.env, API_PORT: 'not-a-port', RCM_DATA_DIR: '.test-data/never-created' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('API_PORT');
    expect(run.stderr).toContain('invalid configuration');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
