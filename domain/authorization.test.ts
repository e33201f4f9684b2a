import { describe, expect, it } from 'vitest';
import {
  esiSessionFindings,
  frequencyFinding,
  levelMatchesRegion,
  levelsOutsideRegion,
  mbbFindings,
  packageFindings,
  peerToPeerDueDate,
  renewalStartDate,
  renewalWindow,
  scopeFindings,
  sessionsInRolling12Months,
  windowAndVisitFindings,
  windowFinding,
  type AuthPackage,
} from './authorization';
import { COMMERCIAL, MEDICARE } from './payer-policy';

const esiPackage: AuthPackage = {
  diagnoses: ['M54.16'],
  imagingFindings: 'MRI: L4-L5 foraminal stenosis',
  conservativeCare: { weeks: 6, modalities: ['PT', 'NSAIDs'], failed: true },
  functionalImpairment: 'cannot stand > 10 minutes',
};

describe('AUTH-1 ESI package completeness', () => {
  it('AUTH-1 a complete ESI package has no findings', () => {
    expect(packageFindings('esi', esiPackage, MEDICARE)).toEqual([]);
  });
  it('AUTH-1 missing imaging, conservative care failure and impairment are each named', () => {
    const f = packageFindings('esi', { diagnoses: ['M54.16'] }, MEDICARE);
    expect(f.map((x) => x.field)).toEqual(['package.functionalImpairment', 'package.imagingFindings', 'package.conservativeCare']);
    expect(f.every((x) => x.ruleId === 'AUTH-1')).toBe(true);
  });
  it('AUTH-1 conservative care shorter than the payer requirement is incomplete', () => {
    const f = packageFindings('esi', { ...esiPackage, conservativeCare: { weeks: 3, modalities: [], failed: true } }, MEDICARE);
    expect(f).toEqual([expect.objectContaining({ ruleId: 'AUTH-1', field: 'package.conservativeCare.weeks' })]);
  });
});

describe('AUTH-4 RFA needs two positive MBBs', () => {
  const mbb1 = { date: '2026-03-02', reliefPercent: 85, reliefHours: 6 };
  const mbb2 = { date: '2026-03-20', reliefPercent: 90, reliefHours: 6 };
  it('AUTH-4 two qualifying notes ≥ 14 days apart pass', () => {
    expect(mbbFindings([mbb1, mbb2], MEDICARE)).toEqual([]);
  });
  it('AUTH-4 refused without the second MBB', () => {
    expect(mbbFindings([mbb1], MEDICARE)).toEqual([expect.objectContaining({ ruleId: 'AUTH-4', field: 'package.mbbNotes' })]);
  });
  it('AUTH-4 70% relief fails an 80% payer and passes a 50% payer', () => {
    const notes = [{ ...mbb1, reliefPercent: 70 }, { ...mbb2, reliefPercent: 70 }];
    expect(mbbFindings(notes, MEDICARE).map((f) => f.field)).toEqual(['package.mbbNotes.0.reliefPercent', 'package.mbbNotes.1.reliefPercent']);
    expect(mbbFindings(notes, COMMERCIAL)).toEqual([]);
  });
  it('AUTH-4 second block less than 14 days after the first is refused', () => {
    expect(mbbFindings([mbb1, { ...mbb2, date: '2026-03-10' }], MEDICARE)).toEqual([expect.objectContaining({ field: 'package.mbbNotes.1.date' })]);
  });
  it('AUTH-4 relief shorter than the anesthetic, or not documented, is refused', () => {
    const f = mbbFindings([{ ...mbb1, reliefHours: 1, anestheticDurationHours: 4 }, { ...mbb2, reliefHours: undefined }], MEDICARE);
    expect(f.map((x) => x.field)).toEqual(['package.mbbNotes.0.reliefHours', 'package.mbbNotes.1.reliefHours']);
  });
  it('AUTH-4 packageFindings applies the MBB rules to an RFA package', () => {
    expect(packageFindings('rfa', { diagnoses: ['M47.816'], functionalImpairment: 'x', mbbNotes: [mbb1] }, MEDICARE)[0].ruleId).toBe('AUTH-4');
  });
});

describe('AUTH-6 SCS permanent needs documented trial results', () => {
  it('AUTH-6 permanent without trial results is incomplete; with them complete', () => {
    const base = { diagnoses: ['G89.4'], functionalImpairment: 'x' };
    expect(packageFindings('scs_permanent', base, MEDICARE)).toEqual([expect.objectContaining({ ruleId: 'AUTH-6', field: 'package.trialResults' })]);
    expect(packageFindings('scs_permanent', { ...base, trialResults: { documentedOn: '2026-05-01', reliefPercent: 60 } }, MEDICARE)).toEqual([]);
  });
});

describe('AUTH-2 ESI frequency and session shape', () => {
  const prior = [
    { family: 'esi', region: 'lumbar' as const, serviceDate: '2025-09-01' },
    { family: 'esi', region: 'sacral' as const, serviceDate: '2025-12-01' },
    { family: 'esi', region: 'lumbar' as const, serviceDate: '2026-03-01' },
    { family: 'esi', region: 'cervical' as const, serviceDate: '2026-04-01' },
    { family: 'esi', region: 'lumbar' as const, serviceDate: '2025-01-01' }, // > 12 months before
  ];
  it('AUTH-2 counts sessions per region group in the rolling 12 months', () => {
    expect(sessionsInRolling12Months(prior, 'esi', 'lumbar', '2026-06-01')).toBe(3);
    expect(sessionsInRolling12Months(prior, 'esi', 'cervical', '2026-06-01')).toBe(1);
  });
  it('AUTH-2 the fourth lumbar ESI is flagged for a limit-3 payer, not for a limit-4 payer', () => {
    expect(frequencyFinding({ ruleId: 'AUTH-2', familyLabel: 'ESI', region: 'lumbar', ownCount: 3, limit: COMMERCIAL.esiSessionsPerRegionPer12Months })).toMatchObject({ ruleId: 'AUTH-2' });
    expect(frequencyFinding({ ruleId: 'AUTH-2', familyLabel: 'ESI', region: 'lumbar', ownCount: 3, limit: MEDICARE.esiSessionsPerRegionPer12Months })).toBeUndefined();
  });
  it('ELIG-4 the payer count is used when it is higher than ours', () => {
    expect(frequencyFinding({ ruleId: 'ELIG-4', familyLabel: 'ESI', region: 'lumbar', ownCount: 0, payerCount: 3, limit: 3 })?.message).toContain('session 4');
  });
  it('AUTH-2 transforaminal at most 2 levels; interlaminar 1 level and never bilateral', () => {
    expect(esiSessionFindings({ approach: 'transforaminal', levels: ['L3-L4', 'L4-L5', 'L5-S1'], laterality: 'left' })).toHaveLength(1);
    expect(esiSessionFindings({ approach: 'interlaminar', levels: ['L4-L5'], laterality: 'bilateral' })).toEqual([expect.objectContaining({ field: 'laterality' })]);
    expect(esiSessionFindings({ approach: 'transforaminal', levels: ['L4-L5', 'L5-S1'], laterality: 'bilateral' })).toEqual([]);
  });
});

describe('AUTH-3 scope matching', () => {
  const auth = { cpts: ['64483', '64484'], region: 'lumbar' as const, approach: 'transforaminal' as const, levels: ['L4-L5'], laterality: 'bilateral' as const };
  it('AUTH-3 the authorized procedure matches', () => {
    expect(scopeFindings(auth, { cpts: ['64483'], region: 'lumbar', approach: 'transforaminal', levels: ['L4-5'], laterality: 'left' })).toEqual([]);
  });
  it('AUTH-3 interlaminar auth never covers transforaminal; L4-5 never covers L5-S1', () => {
    const f = scopeFindings({ ...auth, approach: 'interlaminar', cpts: ['62323'] }, { cpts: ['64483'], approach: 'transforaminal', levels: ['L5-S1'] });
    expect(f.map((x) => x.field)).toEqual(['cpts', 'approach', 'levels']);
  });
  it('AUTH-3 a unilateral auth does not cover bilateral', () => {
    expect(scopeFindings({ ...auth, laterality: 'left' }, { cpts: ['64483'], laterality: 'bilateral' })).toEqual([expect.objectContaining({ field: 'laterality' })]);
  });
  it('AUTH-3 levels must belong to the region (L4-L5 on a cervical auth)', () => {
    expect(levelMatchesRegion('L4-L5', 'cervical')).toBe(false);
    expect(levelMatchesRegion('C7-T1', 'thoracic')).toBe(true);
    expect(levelMatchesRegion('L5-S1', 'sacral')).toBe(true);
    expect(levelsOutsideRegion(['C5-C6', 'L4-L5', 'banana'], 'cervical').map((x) => x.index)).toEqual([1, 2]);
  });
});

describe('AUTH-8 window and visits; AUTH-7 renewal; AUTH-5 peer-to-peer', () => {
  const a = { validFrom: '2026-06-01', validTo: '2026-08-31', visitsAuthorized: 2, visitsUsed: 0 };
  it('AUTH-8 inside the window and count passes; outside or beyond count is flagged', () => {
    expect(windowAndVisitFindings(a, '2026-07-01')).toEqual([]);
    expect(windowAndVisitFindings(a, '2026-09-01')).toEqual([expect.objectContaining({ ruleId: 'AUTH-8', field: 'serviceDate' })]);
    expect(windowAndVisitFindings(a, '2026-05-31')).toHaveLength(1);
    expect(windowAndVisitFindings({ ...a, visitsUsed: 2 }, '2026-07-01')).toEqual([expect.objectContaining({ ruleId: 'AUTH-8', field: 'visits' })]);
  });
  it('AUTH-8 a window ending before it starts is refused', () => {
    expect(windowFinding('2026-06-01', '2026-05-01')).toMatchObject({ field: 'validTo' });
    expect(windowFinding('2026-06-01', '2026-06-01')).toBeUndefined();
  });
  it('AUTH-7 renewal starts 21 days before expiry; the next window follows on', () => {
    expect(renewalStartDate('2026-08-31', 21)).toBe('2026-08-10');
    expect(renewalWindow('2026-06-01', '2026-08-31')).toEqual({ from: '2026-09-01', to: '2026-12-01' });
  });
  it('AUTH-5 peer-to-peer is due the same business day (a Saturday denial → Monday)', () => {
    expect(peerToPeerDueDate('2026-06-03')).toBe('2026-06-03');
    expect(peerToPeerDueDate('2026-06-06')).toBe('2026-06-08');
    expect(peerToPeerDueDate('2026-07-03')).toBe('2026-07-06'); // Independence Day observed Friday
  });
});
