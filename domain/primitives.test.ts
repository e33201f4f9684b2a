/**
 * "Accepted means it will finish": the string and date primitives every schema uses, proven on
 * generated input (fast-check), not a few listed cases.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateBetween, IsoDate, ServiceDate, Text, X12Text, isStorableText, jsonIssue, serviceDateIssue, birthDateIssue, StorableRecord } from './primitives';
import { ClaimDocument, claimDateIssues } from './claim-document';
import { Remittance } from './remittance';
import { AuthorizationRequest } from '../contracts/authorization';
import { SegmentWriter } from '../x12/build';
import { tfesiClaim } from '../test/fixtures';
import { Appointment } from '../contracts/eligibility';
import { ProviderCredentialsInput } from '../contracts/credential';

/** Any UTF-16 string, lone surrogates and NUL included. */
const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const poison = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b');
/** A string with a NUL or a lone surrogate somewhere. */
const poisoned = fc.tuple(anyUtf16, poison, anyUtf16).map(([a, p, b]) => a.replace(/[\ud800-\udfff\u0000]/g, 'x') + p + b.replace(/[\ud800-\udfff\u0000]/g, 'y'));

/** Independent oracle: is y-m-d a real Gregorian date? */
function oracleReal(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const ymd = fc.record({ y: fc.integer({ min: 0, max: 9999 }), m: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }) });
const dateString = ymd.map(({ y, m, d }) => ({ y, m, d, s: `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` }));

describe('Text: no NUL, no lone surrogate, bounded length', () => {
  it('refuses every string holding a NUL or a lone surrogate, wherever it sits', () => {
    fc.assert(fc.property(poisoned, (s) => !Text(1000).safeParse(s).success && !isStorableText(s)), { numRuns: 2000 });
  });
  it('accepts every well-formed string up to the maximum, refuses one longer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (s, max) => {
        const ok = Text(max).safeParse(s).success;
        return ok === ([...s].length <= max); // zod counts code points
      }),
      { numRuns: 2000 },
    );
  });
  it('a surrogate pair (emoji) is text, half of one is not', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), (s) => isStorableText(s) && (!/[\ud800-\udbff]/.test(s) || !isStorableText(s.slice(0, s.search(/[\ud800-\udbff]/) + 1)))));
  });
});

describe('X12Text: what an 837P element cannot carry is refused at the edge', () => {
  const delimiter = fc.constantFrom('*', '~', '^', ':', '\r', '\n');
  const plain = fc.string({ maxLength: 20 }).map((s) => s.replace(/[*~^:\r\n\u0000\ud800-\udfff]/g, 'x'));
  it('refuses a value with a delimiter wherever it sits, and the 837P writer would have refused it too', () => {
    fc.assert(
      fc.property(plain, delimiter, plain, (a, d, b) => {
        const v = a + d + b;
        let writerRefused = false;
        try {
          new SegmentWriter().add('NM1', 'IL', '1', '', '', '', '', '', 'MI', v);
        } catch {
          writerRefused = true;
        }
        return !X12Text(80).safeParse(v).success && (writerRefused || d === ':');
      }),
      { numRuns: 1000 },
    );
  });
  it('every value it accepts goes into an X12 element without error', () => {
    fc.assert(
      fc.property(plain.filter((s) => s.length > 0), (v) => {
        expect(X12Text(80, 1).safeParse(v).success).toBe(true);
        new SegmentWriter().add('NM1', 'IL', '1', '', '', '', '', '', 'MI', v);
      }),
      { numRuns: 1000 },
    );
  });
  it('a claim whose member id, patient id or prior-auth number holds a delimiter answers with that field', () => {
    const base = tfesiClaim('X12-DELIM-1');
    const cases: Array<[string, Partial<typeof base>]> = [
      ['coverage.memberId', { coverage: { ...base.coverage, memberId: 'W123*456' } }],
      ['patient.id', { patient: { ...base.patient, id: 'PT~1' } }],
      ['priorAuthNumber', { priorAuthNumber: 'A^1' }],
    ];
    for (const [path, override] of cases) {
      const r = ClaimDocument.safeParse({ ...base, ...override });
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
      expect(JSON.stringify(r.error?.issues)).not.toMatch(/W123|PT~1|A\^1/);
    }
    expect(ClaimDocument.safeParse(base).success).toBe(true);
  });
  it('a claim id longer than CLM01 holds (38) is refused with the field named; 38 is accepted', () => {
    const long = ClaimDocument.safeParse(tfesiClaim('C'.repeat(39)));
    expect(long.success).toBe(false);
    expect(long.error?.issues.map((i) => i.path.join('.'))).toEqual(['claimId']);
    expect(ClaimDocument.safeParse(tfesiClaim('C'.repeat(38))).success).toBe(true);
  });
});

describe('dates: real calendar dates within each field\'s range', () => {
  it('IsoDate accepts exactly the real dates between 1900-01-01 and 2100-12-31 (2026-02-30 refused)', () => {
    fc.assert(
      fc.property(dateString, ({ y, m, d, s }) => IsoDate.safeParse(s).success === (oracleReal(y, m, d) && s >= '1900-01-01' && s <= '2100-12-31')),
      { numRuns: 5000 },
    );
    expect(IsoDate.safeParse('2026-02-30').success).toBe(false);
    expect(IsoDate.safeParse('2024-02-29').success).toBe(true);
  });
  it('a date of service is not before 2000 and not more than 730 days after today (today passed in)', () => {
    fc.assert(
      fc.property(dateString, fc.integer({ min: 2001, max: 2090 }).map((y) => `${y}-06-15`), ({ y, m, d, s }, today) => {
        const schemaOk = ServiceDate.safeParse(s).success;
        const latest = new Date(Date.parse(`${today}T00:00:00Z`) + 730 * 86_400_000).toISOString().slice(0, 10);
        const accepted = schemaOk && serviceDateIssue(s, today) === undefined;
        return accepted === (oracleReal(y, m, d) && s >= '2000-01-01' && s <= latest);
      }),
      { numRuns: 3000 },
    );
  });
  it('a birth date is not in the future and not before 1900', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1850-01-01'), max: new Date('2150-01-01'), noInvalidDate: true }), fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), (b, t) => {
        const birth = b.toISOString().slice(0, 10);
        const today = t.toISOString().slice(0, 10);
        const claim = { serviceDate: today, patient: { id: 'P', birthDate: birth, sex: 'F' as const } };
        const accepted = IsoDate.safeParse(birth).success && !claimDateIssues(claim, today).some((i) => i.path.join('.') === 'patient.birthDate');
        return accepted === (birth >= '1900-01-01' && birth <= today) && (birthDateIssue(birth, today) === undefined) === (birth <= today);
      }),
      { numRuns: 2000 },
    );
  });
  it('DateBetween names the range it refuses', () => {
    const r = DateBetween('2000-01-01', '2099-12-31').safeParse('0001-01-01');
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toContain('between 2000-01-01 and 2099-12-31');
  });
});

const validClaim = (): Record<string, any> => ({
  claimId: 'FZ-1',
  practiceId: 'demo-pain',
  payerId: 'MEDICARE',
  coverage: { memberId: 'M1', priority: 'primary' },
  patient: { id: 'P1', birthDate: '1960-01-01', sex: 'F' },
  renderingNpi: '1234567893',
  serviceDate: '2026-01-05',
  placeOfService: '11',
  diagnoses: ['M54.16'],
  lines: [{ cpt: '64483', units: 1, chargeCents: 100, diagnosisPointers: [1] }],
  documentation: { procedures: [{ family: 'esi', region: 'lumbar', levels: ['L4-L5'], laterality: 'left' }] },
});

/** Every free-text path of each body schema, with a valid body to poison. */
const freeTextPaths: Array<[string, { safeParse(v: unknown): { success: boolean } }, () => Record<string, any>, string[][]]> = [
  ['claim document', ClaimDocument, validClaim, [['coverage', 'memberId'], ['patient', 'id'], ['priorAuthNumber'], ['documentation', 'procedures', '0', 'levels', '0']]],
  [
    'appointment',
    Appointment,
    () => ({ appointmentId: 'A1', practiceId: 'p', payerId: 'MEDICARE', patientId: 'P', providerNpi: '1234567893', serviceDate: '2026-01-05', cpts: ['64483'], placeOfService: '11', memberId: 'M' }),
    [['patientId'], ['memberId']],
  ],
  [
    'authorization',
    AuthorizationRequest,
    () => ({ authId: 'A1', practiceId: 'p', payerId: 'MEDICARE', patientId: 'P', providerNpi: '1234567893', family: 'esi', cpts: ['64483'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', validFrom: '2026-01-01', validTo: '2026-03-01', package: { diagnoses: ['M54.16'], imagingFindings: 'x', functionalImpairment: 'y' } }),
    [['patientId'], ['package', 'imagingFindings'], ['package', 'functionalImpairment'], ['levels', '0']],
  ],
  [
    'provider credentials',
    ProviderCredentialsInput,
    () => ({ licenses: [{ state: 'TX', number: 'L1', expiryDate: '2027-01-01', documentRef: 'd' }], enrollments: [{ payerId: 'MEDICARE', payerProviderId: 'x' }] }),
    [['licenses', '0', 'number'], ['licenses', '0', 'documentRef'], ['enrollments', '0', 'payerId'], ['enrollments', '0', 'payerProviderId']],
  ],
  [
    'remittance',
    Remittance,
    () => ({ payerId: 'MEDICARE', traceNumber: 'T1', totalPaidCents: 0, paymentDate: '2026-01-05', adjudicationDate: '2026-01-05', claims: [{ claimId: 'C1', statusCode: '1', chargedCents: 0, paidCents: 0, payerClaimControlNumber: 'X', remarks: ['N1'] }] }),
    [['payerId'], ['traceNumber'], ['claims', '0', 'claimId'], ['claims', '0', 'payerClaimControlNumber'], ['claims', '0', 'remarks', '0']],
  ],
];

describe('every body schema refuses unstorable text in every free-text field, naming the path', () => {
  for (const [name, schema, valid, paths] of freeTextPaths) {
    it(`${name}: the valid body passes; a NUL or lone surrogate in any free-text field is a 400 naming it`, () => {
      expect(schema.safeParse(valid()).success).toBe(true);
      fc.assert(
        fc.property(fc.constantFrom(...paths), poisoned, (path, bad) => {
          const body = valid();
          let at: any = body;
          for (const k of path.slice(0, -1)) at = at[k];
          at[path.at(-1)!] = bad;
          const r = schema.safeParse(body) as { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } };
          return !r.success && r.error!.issues.some((i) => i.path.map(String).join('.') === path.join('.'));
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('claim document size: well under Temporal\'s 2 MB payload limit', () => {
  it('the largest documents the schema accepts serialize to far less than 256 KiB (the route body limit)', () => {
    const longest = (n: number) => 'W'.repeat(n);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 20 }), (lines, procedures) => {
        const claim = {
          ...validClaim(),
          coverage: { memberId: longest(80), priority: 'primary' },
          patient: { id: longest(50), birthDate: '1960-01-01', sex: 'F' },
          priorAuthNumber: longest(50),
          secondaryCoverage: { payerId: 'X'.repeat(64), memberId: longest(80) },
          diagnoses: Array(12).fill('M54.1611'),
          lines: Array.from({ length: lines }, () => ({ cpt: '64483', modifiers: ['50', 'RT', 'LT', '59'], units: 999, chargeCents: 100_000_000_000, diagnosisPointers: [1, 2, 3, 4] })),
          documentation: {
            procedures: Array.from({ length: procedures }, () => ({ family: 'facet_injection', approach: 'transforaminal', region: 'thoracic', levels: Array(10).fill('L4-L5-S1xx'), laterality: 'bilateral', guidance: 'fluoroscopy', permanentImageRecorded: true, separateInterpretation: true, reliefPercent: 99.5, reliefHours: 9999 })),
            em: { newPatient: true, mdm: 'straightforward', totalMinutes: 9999, separatelyIdentifiable: true, chronicConditions: 99, prescriptionDrugManagement: true },
          },
        };
        expect(ClaimDocument.safeParse(claim).success).toBe(true);
        return Buffer.byteLength(JSON.stringify(claim)) < 64 * 1024;
      }),
      { numRuns: 50 },
    );
  });
  it('refuses what would outgrow it: too many procedures or levels', () => {
    const claim = validClaim();
    claim.documentation.procedures = Array(21).fill(claim.documentation.procedures[0]);
    expect(ClaimDocument.safeParse(claim).success).toBe(false);
  });
});

describe('free-form JSON (work-item outcomes)', () => {
  it('refuses a NUL or lone surrogate in any key or value at any depth, naming the path', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 6 }), poisoned, fc.boolean(), (path, bad, inKey) => {
        const root: Record<string, any> = {};
        let at = root;
        for (const k of path.slice(0, -1)) at = at[k] = {};
        if (inKey) at[bad] = 'x';
        else at[path.at(-1)!] = bad;
        const issue = jsonIssue(root);
        return issue !== undefined && !StorableRecord.safeParse(root).success;
      }),
      { numRuns: 1000 },
    );
  });
  it('accepts any storable JSON of bounded size', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }), { maxKeys: 5 }), (v) => {
        return StorableRecord.safeParse(v).success || jsonIssue(v)!.message.startsWith('more than');
      }),
      { numRuns: 1000 },
    );
  });
});
