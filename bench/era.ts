/**
 * ERA bench: build an 835 with 10,000 claim payments (generate835), then measure the pure parse
 * in a fresh child process per mode so the peak RSS is the parser's, not the generator's.
 *   npx tsx bench/era.ts [claims=10000]
 * Prints parse time, peak RSS (resourceUsage().maxRSS) and RSS before parsing, for the string
 * parser (file read into memory, parse835) and the streaming parser (createReadStream,
 * parse835Stream, claims counted and dropped). The lead extends this to end-to-end posting.
 */
import { fork } from 'node:child_process';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimPayment, Remittance } from '../domain/remittance';
import { generate835 } from '../x12/generate-835';
import { parse835, parse835Stream } from '../x12/parse-835';

const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function buildRemittance(n: number): Remittance {
  const claims: ClaimPayment[] = [];
  for (let i = 0; i < n; i++) {
    const charged1 = 90000 + (i % 97) * 100;
    const paid1 = Math.floor(charged1 * 0.6);
    const charged2 = 40000;
    const paid2 = 25000 - (i % 3) * 2500;
    const pr = i % 5 === 0 ? 2500 : 0;
    claims.push({
      claimId: `BENCH-${String(i + 1).padStart(6, '0')}`,
      statusCode: '1',
      chargedCents: charged1 + charged2,
      paidCents: paid1 + paid2 - pr,
      patientResponsibilityCents: pr,
      payerClaimControlNumber: `PCN${i + 1}`,
      adjustments: pr ? [{ group: 'PR', carc: '3', amountCents: pr }] : [],
      remarks: [],
      lines: [
        {
          lineNumber: 1, cpt: '64483', modifiers: ['RT'], chargedCents: charged1, paidCents: paid1, allowedCents: paid1,
          units: 1, serviceDate: '2026-02-10', adjustments: [{ group: 'CO', carc: '45', amountCents: charged1 - paid1 }], remarks: [],
        },
        {
          lineNumber: 2, cpt: '64484', modifiers: ['RT'], chargedCents: charged2, paidCents: paid2, allowedCents: 25000,
          units: 1, serviceDate: '2026-02-10',
          adjustments: [{ group: 'CO', carc: '45', amountCents: 15000 }, ...(paid2 < 25000 ? [{ group: 'CO' as const, carc: '59', amountCents: 25000 - paid2 }] : [])],
          remarks: paid2 < 25000 ? ['N381'] : [],
        },
      ],
    });
  }
  const plb = [{ reasonCode: 'L6', amountCents: -1234 }];
  const total = claims.reduce((s, c) => s + c.paidCents, 0) + 1234;
  return { payerId: 'COMMERCIAL', traceNumber: 'BENCH-EFT-1', totalPaidCents: total, paymentDate: '2026-03-06', adjudicationDate: '2026-03-04', claims, providerAdjustments: plb };
}

async function child(mode: string, file: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  let claims = 0;
  let lines = 0;
  if (mode === 'string') {
    const r = parse835(readFileSync(file, 'utf8'));
    claims = r.claims.length;
    lines = r.claims.reduce((s, c) => s + c.lines.length, 0);
  } else {
    for await (const e of parse835Stream(createReadStream(file))) {
      if (e.kind === 'claim') {
        claims++;
        lines += e.claim.lines.length;
      }
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.send!({ mode, ms, claims, lines, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024 });
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const t0 = Date.now();
  const text = generate835(buildRemittance(n), {
    sender: { id: 'SYNTHPAYER', name: 'SYNTHETIC HEALTH PLAN' },
    receiver: { id: 'TESTPRACTICE', name: 'TEST PAIN CLINIC' },
    payer: { name: 'SYNTHETIC HEALTH PLAN', companyId: '1999999999' },
    payee: { name: 'TEST PAIN CLINIC', npi: '1234567893' },
    controlNumbers: { isa: 1, gs: 1, st: 1 },
    createdAt: '2026-03-05T09:00:00Z',
  });
  const file = join(tmpdir(), `era-bench-${n}.835`);
  writeFileSync(file, text);
  console.log(`generated ${n} claims, ${text.split('\n').length - 1} segments, ${MB(statSync(file).size)} in ${Date.now() - t0} ms -> ${file}`);
  for (const mode of ['string', 'stream']) {
    const result = await new Promise<Record<string, number | string>>((resolve, reject) => {
      const c = fork(__filename, ['--child', mode, file]);
      c.on('message', (m) => resolve(m as Record<string, number | string>));
      c.on('error', reject);
      c.on('exit', (code) => code && reject(new Error(`child exited ${code}`)));
    });
    console.log(
      `${String(result.mode).padEnd(6)} parse: ${Number(result.ms).toFixed(0)} ms, ${result.claims} claims / ${result.lines} lines, ` +
        `peak RSS ${MB(Number(result.maxRss))} (RSS before parse ${MB(Number(result.rssBefore))})`,
    );
  }
}

if (process.argv[2] === '--child') void child(process.argv[3], process.argv[4]).then(() => process.exit(0));
else void main();
