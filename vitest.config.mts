import { defineConfig } from 'vitest/config';

// Two projects: fast pure unit tests, and integration tests that need the real PostgreSQL and
// Temporal servers started once in globalSetup. Forks pool: worker threads crash the Temporal
// native bridge.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{domain,contracts,x12,cli,api,db,lib,activities,ingest,workflows,workers,test}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', '.data/**', '.tools/**'],
          pool: 'forks',
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
