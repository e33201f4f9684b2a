import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { bilateralTfesiCommercial, bilateralTfesiMedicare, emWithProcedureMedicare, variant } from '../domain/scrub/fixtures';
import { type CliIo, registerCommand, registeredCommands, runCli } from './main';
import { PROGRESS_MIN_CASES, formatTable, scrubCommand } from './scrub';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'rcm.cjs');
const dir = mkdtempSync(join(tmpdir(), 'rcm-cli-'));

beforeAll(() => {
  if (!registeredCommands().some((c) => c.name === 'scrub')) registerCommand(scrubCommand);
});

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function run(args: string[], stdin = '', tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  out.on('data', (d) => (stdout += d));
  const err = Object.assign(new PassThrough(), { isTTY: tty });
  err.on('data', (d) => (stderr += d));
  const input = new PassThrough();
  input.end(stdin);
  const io: CliIo = { stdin: input, stdout: out, stderr: err, cwd: dir };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

const clean = bilateralTfesiMedicare();
const withErrors = variant(bilateralTfesiCommercial, (f) => {
  delete f.claim.priorAuthNumber;
});
const withWarnings = variant(emWithProcedureMedicare, (f) => {
  f.claim.lines[0].chargeCents = 10_000;
});

describe('rcm scrub (in process)', () => {
  it('SUB-1 scrubs one case to one JSON result, exit 0 when clean', async () => {
    const r = await run(['scrub', file('one.json', clean)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ claimId: 'CLM-1001', status: 'clean', findings: [] });
  });

  it('SUB-1 scrubs an array of cases, exit 1 when any case has errors', async () => {
    const r = await run(['scrub', file('many.json', [clean, withErrors, withWarnings])]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).map((x: { status: string }) => x.status)).toEqual(['clean', 'errors', 'warnings']);
  });

  it('SUB-1 warnings alone do not fail the run (exit 0)', async () => {
    const r = await run(['scrub', file('warn.json', withWarnings)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('warnings');
  });

  it('reads JSON lines from stdin and prints JSON lines with --jsonl', async () => {
    const r = await run(['scrub', '-', '--jsonl'], [clean, withWarnings].map((c) => JSON.stringify(c)).join('\n') + '\n');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.claimId)).toEqual(['CLM-1001', 'CLM-1007']);
  });

  it('--format table prints a readable table with fixes and a summary', async () => {
    const r = await run(['scrub', file('table.json', [clean, withErrors]), '--format', 'table']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('CLM-1001  CLEAN');
    expect(r.stdout).toMatch(/CLM-1002 {2}ERRORS {2}\(4 errors\)/);
    expect(r.stdout).toMatch(/LINE\s+RULE\s+SEVERITY\s+MESSAGE/);
    expect(r.stdout).toContain('SUB-3');
    expect(r.stdout).toContain('fix: ');
    expect(r.stdout).toContain('2 claims: 1 clean, 0 warnings, 1 errors');
  });

  it('exit 2 with the JSON path and case index on a schema-invalid case', async () => {
    const bad = structuredClone(clean) as { claim: { lines: Array<{ cpt: string }> } };
    bad.claim.lines[0].cpt = '644';
    const r = await run(['scrub', file('bad.json', [clean, bad])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('case 1: $.claim.lines[0].cpt: CPT/HCPCS is 5 characters');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 2 naming the line number for invalid JSON lines', async () => {
    const text = `${JSON.stringify(clean)}\n${JSON.stringify(clean)}\n{"claim": oops}\n`;
    const r = await run(['scrub', file('bad.jsonl', text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid JSON on line 3');
  });

  it('exit 2 naming the line number for a schema-invalid JSON line', async () => {
    const text = `${JSON.stringify(clean)}\n\n${JSON.stringify({ claim: { ...clean.claim, serviceDate: '2026-02-30' } })}\n`;
    const r = await run(['scrub', file('bad2.jsonl', text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 3: $.claim.serviceDate: not a real calendar date');
  });

  it('exit 2 on broken JSON, an empty file, a missing file, or a bad option', async () => {
    expect((await run(['scrub', file('broken.json', '{"claim": {')])).stderr).toMatch(/invalid JSON/);
    expect((await run(['scrub', file('empty.json', '  \n')])).code).toBe(2);
    const missing = await run(['scrub', 'does-not-exist.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read does-not-exist.json: no such file');
    expect((await run(['scrub', file('x.json', clean), '--format', 'xml'])).code).toBe(2);
    expect((await run(['scrub'])).code).toBe(2);
  });

  it('shows a progress bar on stderr only for large batches on a terminal', async () => {
    const many = Array.from({ length: PROGRESS_MIN_CASES }, () => clean);
    const path = file('large.json', many);
    const tty = await run(['scrub', path, '--jsonl'], '', true);
    expect(tty.stderr).toContain('scrubbing [');
    const pipe = await run(['scrub', path, '--jsonl'], '', false);
    expect(pipe.stderr).toBe('');
    const small = await run(['scrub', file('small.json', [clean]), '--jsonl'], '', true);
    expect(small.stderr).toBe('');
  });

  it('rcm --help lists the subcommands; unknown commands exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rcm <command>');
    expect(help.stdout).toContain('scrub');
    expect((await run(['scrub', '--help'])).stdout).toContain('Usage: rcm scrub FILE|-');
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('subcommands can be registered (for rcm era and others)', async () => {
    registerCommand({ name: 'echo-test', summary: 'test', usage: 'echo-test\n', run: async (args, io) => (io.stdout.write(args.join(' ')), 0) });
    const r = await run(['echo-test', 'a', 'b']);
    expect(r.stdout).toBe('a b');
    expect((await run(['--help'])).stdout).toContain('echo-test');
  });

  it('formatTable summarises an empty finding list', () => {
    expect(formatTable([{ claimId: 'C', status: 'clean', findings: [] }])).toContain('1 claim: 1 clean');
  });
});

describe('rcm scrub (spawned through bin/rcm.cjs)', () => {
  const spawn = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'utf8' });

  it('SUB-1 exit 1 and JSON on stdout for a claim with errors', () => {
    const r = spawn(['scrub', file('spawn-errors.json', withErrors)]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.some((f: { ruleId: string }) => f.ruleId === 'SUB-3')).toBe(true);
  });

  it('exit 2 with a message and no stack trace on invalid input from stdin', () => {
    const r = spawn(['scrub', '-'], '{"claim": {"claimId": "X"}, "context": {"asOf": "tomorrow"}}');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('$.context.asOf');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rcm --help exits 0', () => {
    const r = spawn(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scrub');
  });
});
