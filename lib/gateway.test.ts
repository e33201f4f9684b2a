import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from './config';
import { createGateway, parseSimulatorPayers } from './gateway';
import { FileDropClearinghouse } from '../activities/gateway/file-drop';
import { PayerSimulator } from '../activities/gateway/simulator';
import type { InboundSink } from '../activities/gateway/types';

const sink: InboundSink = { acknowledgement: async () => {}, remittance: async () => undefined };

describe('createGateway', () => {
  it('simulator by default', () => {
    const g = createGateway(loadConfig({}), sink, {});
    expect(g).toBeInstanceOf(PayerSimulator);
    g.stop();
  });

  it('RCM_GATEWAY=file-drop: the clearinghouse on RCM_CLEARINGHOUSE_DIR, folders created, poller started', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rcm-gateway-'));
    try {
      const env = { RCM_GATEWAY: 'file-drop', RCM_CLEARINGHOUSE_DIR: path.join(dir, 'ch'), RCM_CLEARINGHOUSE_POLL_MS: '50' };
      const g = createGateway(loadConfig(env), sink, env);
      expect(g).toBeInstanceOf(FileDropClearinghouse);
      expect(g.name).toBe('file-drop');
      expect((await readdir(path.join(dir, 'ch'))).sort()).toEqual(['failed', 'inbox', 'outbox', 'processed', 'processing', 'sent', 'tmp']);
      await g.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad poll interval naming the variable', () => {
    const env = { RCM_GATEWAY: 'file-drop', RCM_CLEARINGHOUSE_POLL_MS: 'soon' };
    expect(() => createGateway(loadConfig(env), sink, env)).toThrow(ConfigError);
    expect(() => createGateway(loadConfig(env), sink, env)).toThrow(/RCM_CLEARINGHOUSE_POLL_MS/);
  });

  it('parses RCM_SIMULATOR', () => {
    expect(parseSimulatorPayers('MEDICARE=pay,COMMERCIAL=deny:50')).toEqual({ MEDICARE: { kind: 'pay' }, COMMERCIAL: { kind: 'deny', carc: '50' } });
  });
});
