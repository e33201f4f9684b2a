/**
 * Which payer gateway this process uses (RCM_GATEWAY): the payer simulator (default; behaviour
 * per payer from RCM_SIMULATOR, e.g. `MEDICARE=pay,COMMERCIAL=mixed`, seed RCM_SIMULATOR_SEED),
 * or the file-drop clearinghouse (outbox / inbox folders under RCM_CLEARINGHOUSE_DIR, inbox polled
 * every RCM_CLEARINGHOUSE_POLL_MS, default 2000).
 */
import type { Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import type { Config } from './config';
import { ConfigError } from './config';
import { PayerSimulator, type PayerBehaviour } from '../activities/gateway/simulator';
import { FileDropClearinghouse } from '../activities/gateway/file-drop';
import type { InboundSink, PayerGateway } from '../activities/gateway/types';

export function parseSimulatorPayers(raw: string | undefined): Record<string, PayerBehaviour | 'mixed'> {
  const out: Record<string, PayerBehaviour | 'mixed'> = {};
  if (!raw) return out;
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [payer, behaviour, arg] = entry.split(/[=:]/);
    switch (behaviour) {
      case 'pay': out[payer] = { kind: 'pay' }; break;
      case 'mixed': out[payer] = 'mixed'; break;
      case 'silence': out[payer] = { kind: 'silence' }; break;
      case 'mpr_wrong': out[payer] = { kind: 'mpr_wrong' }; break;
      case 'underpay': out[payer] = { kind: 'underpay', percentOfExpected: Number(arg ?? 90) }; break;
      case 'deny': out[payer] = { kind: 'deny', carc: arg ?? '50' }; break;
      case 'reject': out[payer] = { kind: 'reject', reason: 'A7:562 rejected by simulator' }; break;
      default:
        throw new ConfigError('RCM_SIMULATOR', `"${entry}": expected PAYER=pay|mixed|silence|mpr_wrong|underpay[:pct]|deny[:carc]|reject`);
    }
  }
  return out;
}

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, `expected milliseconds (a positive integer), got "${raw}"`);
  return Number(raw);
}

/**
 * The gateway for this process. The file-drop clearinghouse starts polling its inbox at once
 * (folders created under `config.clearinghouseDir`); `stop()` ends the poller (awaitable).
 */
export function createGateway(
  config: Config,
  sink: InboundSink,
  env: NodeJS.ProcessEnv = process.env,
  opts: { db?: Knex } = {},
): PayerGateway & { stop(): void | Promise<void> } {
  if (config.gateway === 'file-drop') {
    const gateway = new FileDropClearinghouse({
      dir: config.clearinghouseDir,
      sink,
      pollMs: positiveMs(env, 'RCM_CLEARINGHOUSE_POLL_MS', 2000),
      settleMs: env.RCM_CLEARINGHOUSE_SETTLE_MS === '0' ? 0 : positiveMs(env, 'RCM_CLEARINGHOUSE_SETTLE_MS', 1000),
    });
    for (const dir of Object.values(gateway.folders)) {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw new ConfigError('RCM_CLEARINGHOUSE_DIR', `cannot create ${dir}: ${(err as Error).message}`);
      }
    }
    gateway.start().catch((err) => process.stderr.write(`file-drop clearinghouse: cannot start on ${config.clearinghouseDir}: ${(err as Error).message}\n`));
    return gateway;
  }
  const simulator = new PayerSimulator({
    seed: Number(env.RCM_SIMULATOR_SEED ?? 1),
    ackDelayMs: Number(env.RCM_SIMULATOR_ACK_MS ?? 2000),
    remitDelayMs: Number(env.RCM_SIMULATOR_REMIT_MS ?? 5000),
    payers: parseSimulatorPayers(env.RCM_SIMULATOR ?? 'MEDICARE=pay,MEDICARE_ADVANTAGE=mixed,MEDICAID=pay,COMMERCIAL=mixed'),
    // Pending answers survive a worker crash or a database outage (simulator_answers).
    ...(opts.db ? { outbox: { db: opts.db } } : {}),
  });
  simulator.sink = sink;
  simulator.resume(); // answers a previous process stored and did not deliver
  return simulator;
}
