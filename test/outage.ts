/**
 * A real PostgreSQL outage for tests and benchmarks: SIGSTOP every process of one embedded cluster
 * (the postmaster and its backends). Connections stay open and queries hang, the way a frozen VM or
 * a stalled disk looks from the outside; SIGCONT resumes them exactly where they were.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The postmaster of the embedded cluster under `dataDir` and every process it started. */
export function postgresProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0) throw new Error(`no postmaster pid under ${dataDir}`);
  // Children by their parent pid in /proc/<pid>/stat (field 4, after the parenthesised name).
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return [postmaster, ...children];
}

/** Freeze the cluster; the returned function thaws it (idempotent, never throws). */
export function freezePostgres(dataDir: string): () => void {
  const pids = postgresProcesses(dataDir);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  };
}
