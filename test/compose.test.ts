import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

// No Docker engine on the dev machines: keep docker-compose.yml parseable and consistent with
// the contracts (search attributes, codec endpoint, env vars).
describe('docker-compose.yml', () => {
  const text = readFileSync(path.resolve(__dirname, '../docker-compose.yml'), 'utf8');
  const doc = parse(text, { merge: true });

  it('has the production-like services', () => {
    expect(Object.keys(doc.services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
  });

  it('registers every custom search attribute from CONTRACTS.md', () => {
    const command = doc.services['temporal-setup'].command.join(' ');
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(command).toContain(`${key.name}=`);
  });

  it('points the Web UI at the API codec endpoint and gives the app its env', () => {
    expect(doc.services['temporal-ui'].environment.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:3000/codec');
    for (const svc of ['api', 'worker']) {
      const env = doc.services[svc].environment;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.RCM_ENCRYPTION_KEYS).toBeDefined();
    }
  });
});
