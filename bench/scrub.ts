/**
 * Scrub benchmark (issue 3): claims per second on one core for 5-line claims, and the cost of
 * `rcm scrub` on a generated 10,000-claim file. Prints figures; asserts nothing.
 * Run: npx tsx bench/scrub.ts   (npm run bench:scrub)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimDocument } from '../domain/claim-document';
import { type ScrubContext, scrubCase, scrubClaim } from '../domain/scrub';
import { bilateralTfesiCommercial, emWithProcedureMedicare, mbbMedicare, rfaWithAuthCommercial, stellateGanglionWithFluoroscopy, variant } from '../domain/scrub/fixtures';

type Case = { claim: ClaimDocument; context?: ScrubContext };

/** Five-line claims: a mix of clean ones and ones that trip several rules. */
function fiveLineCases(): Case[] {
  const em = { cpt: '99214', modifiers: ['25'], units: 1, chargeCents: 20_000, diagnosisPointers: [1] };
  return [
    // Commercial bilateral TFESI (4 lines) + E/M-25.
    variant(bilateralTfesiCommercial, (f) => {
      f.claim.lines.unshift(em);
      f.claim.documentation!.em = { newPatient: false, mdm: 'moderate', separatelyIdentifiable: true };
    }),
    // Medicare MBB + E/M + SGB with fluoroscopy (77003 wrongly billed with 64493: CODE-6).
    variant(mbbMedicare, (f) => {
      f.claim.diagnoses.push('G90.511');
      f.claim.lines.push(em, { cpt: '64510', units: 1, chargeCents: 40_000, diagnosisPointers: [2] }, { cpt: '77003', units: 1, chargeCents: 20_000, diagnosisPointers: [2] });
    }),
    // Medicare E/M + TFESI + extra lines with findings (missing add-on, bundled pair, under-priced).
    variant(emWithProcedureMedicare, (f) => {
      f.claim.lines.push(
        { cpt: '62323', units: 1, chargeCents: 60_000, diagnosisPointers: [1] },
        { cpt: '64484', modifiers: ['RT'], units: 1, chargeCents: 1_000, diagnosisPointers: [1] },
        { cpt: '64520', modifiers: ['LT'], units: 1, chargeCents: 40_000, diagnosisPointers: [1] },
      );
      f.context.priorProcedures = [{ family: 'esi', region: 'lumbar', serviceDate: '2025-12-01' }];
    }),
    // Commercial RFA with auth, plus 3 more lines.
    variant(rfaWithAuthCommercial, (f) => {
      f.claim.lines.push(
        { cpt: '64635', modifiers: ['LT'], units: 1, chargeCents: 150_000, diagnosisPointers: [1] },
        { cpt: '64636', modifiers: ['LT'], units: 1, chargeCents: 60_000, diagnosisPointers: [1] },
        { cpt: '99213', units: 1, chargeCents: 15_000, diagnosisPointers: [2] },
      );
    }),
    // SGB + fluoroscopy + E/M + MBB (Medicare).
    variant(stellateGanglionWithFluoroscopy, (f) => {
      f.claim.diagnoses.push('M47.812');
      f.claim.lines.push(em, { cpt: '64490', modifiers: ['RT'], units: 1, chargeCents: 50_000, diagnosisPointers: [2] }, { cpt: '64491', modifiers: ['RT'], units: 1, chargeCents: 30_000, diagnosisPointers: [2] });
    }),
  ].map((c) => {
    if (c.claim.lines.length !== 5) throw new Error(`bench case has ${c.claim.lines.length} lines`);
    return c;
  });
}

function rate(count: number, ns: bigint): number {
  return Math.round(count / (Number(ns) / 1e9));
}

function benchEngine(): void {
  const cases = fiveLineCases();
  const warmup = 50_000;
  const measured = 250_000;
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += scrubClaim(cases[i % cases.length].claim, cases[i % cases.length].context).findings.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < measured; i++) sink += scrubClaim(cases[i % cases.length].claim, cases[i % cases.length].context).findings.length;
  const elapsed = process.hrtime.bigint() - start;
  console.log(`scrubClaim, 5-line claims, one core: ${rate(measured, elapsed).toLocaleString('en-US')} claims/s (${measured.toLocaleString('en-US')} claims in ${(Number(elapsed) / 1e6).toFixed(0)} ms; ${sink} findings)`);

  // With zod validation of untrusted input (what the API and CLI pay per case).
  const validatedCount = 50_000;
  const startValidated = process.hrtime.bigint();
  for (let i = 0; i < validatedCount; i++) scrubCase(cases[i % cases.length]);
  const elapsedValidated = process.hrtime.bigint() - startValidated;
  console.log(`scrubCase (zod validation + scrub), 5-line claims: ${rate(validatedCount, elapsedValidated).toLocaleString('en-US')} claims/s`);
}

function benchCli(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rcm-bench-'));
  try {
    const cases = fiveLineCases();
    const count = 10_000;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const c = structuredClone(cases[i % cases.length]);
      c.claim.claimId = `BENCH-${i}`;
      lines.push(JSON.stringify(c));
    }
    const file = join(dir, 'claims.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const bin = join(__dirname, '..', 'bin', 'rcm.cjs');
    const time = (args: string[]) => {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 0 && r.status !== 1) throw new Error(`rcm ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return ms;
    };
    const startup = time(['--help']);
    const jsonl = time(['scrub', file, '--jsonl']);
    const json = time(['scrub', file]);
    console.log(`rcm startup (rcm --help): ${startup.toFixed(0)} ms`);
    console.log(`rcm scrub on ${count.toLocaleString('en-US')} claims (JSON lines in, --jsonl out): ${jsonl.toFixed(0)} ms wall, ${(jsonl - startup).toFixed(0)} ms beyond startup`);
    console.log(`rcm scrub on ${count.toLocaleString('en-US')} claims (pretty JSON array out): ${json.toFixed(0)} ms wall`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, single thread`);
benchEngine();
benchCli();
