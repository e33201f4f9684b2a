/**
 * Starts the Temporal CLI dev server (`temporal server start-dev`) as a child process: persisted
 * SQLite under the data dir, Web UI, our search attributes registered, and the UI pointed at the
 * API's codec endpoint so operators read decrypted payloads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { temporalCliPath } from './tools';
import { searchAttributeCliArgs } from '../contracts/search-attributes';

export type DevServer = { address: string; uiUrl?: string; process: ChildProcess; stop(): Promise<void> };

export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Keep the last `limit` characters a child printed (for a start-up failure's message), passing each chunk to `log`. */
export function captureOutput(child: ChildProcess, limit: number, log?: (text: string) => void): () => string {
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-limit);
    log?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => output;
}

/** Wait until `child` listens on loopback `port`; else kill it and throw with what it printed. */
export async function listeningOrKilled(child: ChildProcess, port: number, timeoutMs: number, what: string, output: () => string): Promise<void> {
  try {
    await waitForPort('127.0.0.1', port, timeoutMs, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${what} did not start: ${(err as Error).message}\n${output()}`);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startTemporalDevServer(opts: {
  port: number;
  uiPort?: number;
  /** undefined → in-memory (tests) */
  dbFile?: string;
  namespace: string;
  codecEndpoint?: string;
  log?: (line: string) => void;
}): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    // Workflow state (encrypted payloads, but ids and search attributes in the clear) is the
    // owner's only; files made before this keep no wider mode either.
    for (const f of [opts.dbFile, `${opts.dbFile}-wal`, `${opts.dbFile}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  if (opts.uiPort) {
    args.push('--ui-port', String(opts.uiPort));
    if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  } else {
    args.push('--headless');
  }
  args.push(...searchAttributeCliArgs());
  // The server creates its SQLite files with the umask it inherits: owner-only (0600).
  const umask = process.umask(0o077);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    process.umask(umask);
  }
  const output = captureOutput(child, 4000, opts.log);
  await listeningOrKilled(child, opts.port, 60_000, 'Temporal dev server', output);
  const stop = () => stopChild(child, 10_000);
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    process: child,
    stop,
  };
}
