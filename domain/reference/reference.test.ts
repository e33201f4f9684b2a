import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addOnsOfPrimary,
  codeInfo,
  diagnosisCovered,
  emLevelsFor,
  isBilateralEligible,
  painCodeSet,
  placeOfService,
  primariesOfAddOn,
  ptpEdits,
} from './index';

describe('reference data', () => {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.json'));
  it.each(files)('%s notes its source in _source', (file) => {
    const data = JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
    expect(typeof data._source).toBe('string');
    expect(data._source.length).toBeGreaterThan(20);
  });

  it('CODE-6 codes that include imaging guidance are exactly 62321, 62323, 64479-64484, 64490-64495, 64633-64636', () => {
    const including = painCodeSet().filter((c) => codeInfo(c)!.includesImagingGuidance).sort();
    expect(including).toEqual(
      ['62321', '62323', '64479', '64480', '64483', '64484', '64490', '64491', '64492', '64493', '64494', '64495', '64633', '64634', '64635', '64636'].sort(),
    );
  });

  it('CODE-3 every add-on maps to primaries of the same family and region', () => {
    for (const addOn of ['64480', '64484', '64491', '64492', '64494', '64495', '64634', '64636']) {
      const primaries = primariesOfAddOn(addOn)!;
      expect(primaries.length).toBeGreaterThan(0);
      for (const p of primaries) {
        expect(codeInfo(p)!.family).toBe(codeInfo(addOn)!.family);
        expect(codeInfo(p)!.regionGroup).toBe(codeInfo(addOn)!.regionGroup);
        expect(addOnsOfPrimary(p)).toContain(addOn);
      }
    }
  });

  it('CODE-8 interlaminar ESI is never bilateral-eligible; transforaminal, facet and RFA are', () => {
    for (const c of ['62320', '62321', '62322', '62323']) expect(isBilateralEligible(c)).toBe(false);
    for (const c of ['64483', '64484', '64493', '64635']) expect(isBilateralEligible(c)).toBe(true);
  });

  it('CODE-10 every PTP edit is between codes of the pain code set', () => {
    for (const e of ptpEdits()) {
      expect(codeInfo(e.column1), e.column1).toBeDefined();
      expect(codeInfo(e.column2), e.column2).toBeDefined();
    }
  });

  it('CHG-4 telehealth places of service are 02 and 10', () => {
    expect(placeOfService('02')!.telehealth).toBe(true);
    expect(placeOfService('10')!.telehealth).toBe(true);
    expect(placeOfService('11')!.telehealth).toBe(false);
    expect(placeOfService('24')!.name).toMatch(/surgical/i);
  });

  it('CODE-11 E/M time thresholds match the 2021 rules', () => {
    expect(emLevelsFor('established').map((l) => [l.code, l.minMinutes])).toEqual([
      ['99212', 10], ['99213', 20], ['99214', 30], ['99215', 40],
    ]);
    expect(emLevelsFor('new').map((l) => [l.code, l.minMinutes])).toEqual([
      ['99202', 15], ['99203', 30], ['99204', 45], ['99205', 60],
    ]);
  });

  it('SUB-2 covered-diagnosis prefixes match with or without the dot', () => {
    expect(diagnosisCovered('M47.816', ['M47.81'])).toBe(true);
    expect(diagnosisCovered('M47816', ['M47.81'])).toBe(true);
    expect(diagnosisCovered('M54.16', ['M47.81'])).toBe(false);
  });
});
