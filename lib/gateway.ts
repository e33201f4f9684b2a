/**
 * Which payer gateway this process uses (RCM_GATEWAY): the payer simulator (default; behaviour
 * per payer from RCM_SIMULATOR, e.g. `MEDICARE=pay,COMMERCIAL=mixed`, seed RCM_SIMULATOR_SEED),
 * or the file-drop clearinghouse (outbox / inbox folders under RCM_CLEARINGHOUSE_DIR).
 */
import type { Config } from './config';
import { ConfigError } from './config';
import { PayerSimulator, type PayerBehaviour } from '../activities/gateway/simulator';
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

export function createGateway(config: Config, sink: InboundSink, env: NodeJS.ProcessEnv = process.env): PayerGateway & { stop(): void } {
  const simulator = new PayerSimulator({
    seed: Number(env.RCM_SIMULATOR_SEED ?? 1),
    ackDelayMs: Number(env.RCM_SIMULATOR_ACK_MS ?? 2000),
    remitDelayMs: Number(env.RCM_SIMULATOR_REMIT_MS ?? 5000),
    payers: parseSimulatorPayers(env.RCM_SIMULATOR ?? 'MEDICARE=pay,MEDICARE_ADVANTAGE=mixed,MEDICAID=pay,COMMERCIAL=mixed'),
  });
  simulator.sink = sink;
  return simulator;
}
