/**
 * 837P bench: what the submission activity does per claim besides I/O — build the 837P from master
 * data (generate837P with subscriber, dependant patient loop, providers), run the X222A1 pass, and
 * (as the tests do) parse it back with parse837P.
 *   npx tsx bench/x837p.ts [claims=5000]
 * Prints the median and p95 per claim of each step and the generated size.
 */
import { performance } from 'node:perf_hooks';
import type { ClaimDocument } from '../domain/claim-document';
import { generate837P, type Generate837POptions } from '../x12/generate-837p';
import { parse837P } from '../x12/parse-837p';
import { validateX222A1 } from '../x12/x222a1';

const n = Number(process.argv[2] ?? 5000);
const address = { line1: '7 ELM ST', city: 'SPRINGFIELD', state: 'IL', zip: '62704' };
const options = (i: number): Generate837POptions => ({
  sender: { id: 'SUBM0001', name: 'SYNTHETIC PAIN ASSOCIATES', contactName: 'BILLING OFFICE', phone: '2175550100' },
  receiver: { id: 'RECV0001', name: 'SYNTHETIC CLEARINGHOUSE' },
  billingProvider: { npi: '1456789019', name: 'SYNTHETIC PAIN ASSOCIATES', taxId: '990000001', address: { ...address, line1: '100 DEMO WAY', zip: '627011234' }, contact: { phone: '2175550100' } },
  payer: { id: 'CH-MCR-IL', name: 'SYNTHETIC MEDICARE CONTRACTOR' },
  controlNumbers: { isa: i + 1, gs: i + 1, st: 1 },
  createdAt: '2026-03-01T14:05:00Z',
  subscriber: { lastName: 'SUBSCRIBER', firstName: 'SAM', address, birthDate: '1950-02-11', sex: 'M', groupNumber: 'GRP-77' },
  ...(i % 2 ? { patient: { relationship: '01', lastName: 'SUBSCRIBER', firstName: 'PAT', address } } : {}),
  renderingProvider: { lastName: 'DEMO', firstName: 'AVERY' },
  referringProvider: { npi: '1987654328', lastName: 'SAMPLE', firstName: 'JORDAN' },
});
const claim = (i: number): ClaimDocument => ({
  claimId: `BENCH-${i}`, practiceId: 'demo-pain', payerId: 'MEDICARE',
  coverage: { memberId: '1EG4TE5MK73', priority: 'primary' },
  patient: { id: `PT-${i}`, birthDate: '1952-06-30', sex: 'F' },
  renderingNpi: '1234567893', serviceDate: '2026-02-10', placeOfService: '24',
  diagnoses: ['M54.16', 'M51.16', 'G89.29', 'M47.816'],
  lines: [
    { cpt: '64483', modifiers: ['50'], units: 1, chargeCents: 185000, diagnosisPointers: [1, 2, 3, 4] },
    { cpt: '64484', modifiers: ['50'], units: 1, chargeCents: 80000, diagnosisPointers: [1, 2] },
    { cpt: '01937', units: 38, unitBasis: 'MJ', chargeCents: 42000, diagnosisPointers: [2, 1] },
    { cpt: '99214', modifiers: ['25'], units: 1, chargeCents: 21000, diagnosisPointers: [3], serviceDate: '2026-02-17' },
  ],
});

const times = { generate: [] as number[], x222a1: [] as number[], parse: [] as number[] };
let bytes = 0;
for (let i = 0; i < n; i++) {
  let t = performance.now();
  const x12 = generate837P(claim(i), options(i));
  times.generate.push(performance.now() - t);
  t = performance.now();
  const findings = validateX222A1(x12);
  times.x222a1.push(performance.now() - t);
  if (findings.length) throw new Error(`claim ${i}: ${findings.length} X222A1 findings`);
  t = performance.now();
  parse837P(x12, { practiceId: 'demo-pain' });
  times.parse.push(performance.now() - t);
  bytes += x12.length;
}
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(`837P bench: ${n} claims (4 lines, half with a 2000C patient loop), ${Math.round(bytes / n)} bytes each`);
for (const [step, xs] of Object.entries(times)) console.log(`  ${step.padEnd(9)} median ${q(xs, 0.5).toFixed(3)} ms  p95 ${q(xs, 0.95).toFixed(3)} ms`);
