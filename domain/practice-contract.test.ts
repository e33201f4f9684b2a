/**
 * Pure parts of practice contracts (issue 13): the CSV fee schedule reader (row and column in every
 * error), the effective terms (contract field else payer default, and which), and modifier prices in
 * POST-2's expected amounts.
 */
import { describe, expect, it } from 'vitest';
import { dollarsToCents, parseFeeScheduleCsv } from './contract-csv';
import { effectiveContract, type StoredContractVersion } from './practice-contract';
import { COMMERCIAL } from './payer-policy';
import { allowableFor, expectedPayment } from './contract';

describe('fee schedule CSV', () => {
  it('reads columns in any order and case, quotes, CRLF and a BOM; dollars become exact cents', () => {
    const r = parseFeeScheduleCsv('\uFEFFAllowable,CPT,Kind,Modifier\r\n"1,000.00",64483,,\r\n0.29,64484,fee,\r\n');
    expect(r.ok).toBe(false); // "1,000.00" is not an amount: no thousands separators
    if (!r.ok) expect(r.errors).toEqual([{ row: 2, column: 'allowable', message: expect.stringContaining('"1,000.00" is not an amount') }]);
    const ok = parseFeeScheduleCsv('Allowable,CPT,Kind,Modifier\r\n1000.1,64483,,50\r\n0.29,64484,fee,\r\n95,77003,imaging_guidance,\r\n');
    expect(ok).toEqual({
      ok: true,
      rows: 3,
      fees: [{ cpt: '64483', modifier: '50', allowableCents: 100_010 }, { cpt: '64484', allowableCents: 29 }],
      imagingGuidance: [{ cpt: '77003', allowableCents: 9_500 }],
    });
    expect(dollarsToCents('0.07')).toBe(7);
    expect(dollarsToCents('19.9')).toBe(1_990);
  });

  it('names the row (header = row 1, blank lines counted) and the column of each error', () => {
    const r = parseFeeScheduleCsv('cpt,modifier,allowable,kind\n64483,,10,\n\n6448,,10,\n64484,X,10,\n64485,,ten,\n64486,,10,other\n64483,,11,\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.row}:${e.column}`)).toEqual(['4:cpt', '5:modifier', '6:allowable', '7:kind', '8:cpt']);
    expect(r.errors[4].message).toBe('64483 is already priced on row 2');
  });

  it('refuses a missing required column, an unknown column, an empty file and a NUL', () => {
    const bad = (text: string) => {
      const r = parseFeeScheduleCsv(text);
      return r.ok ? [] : r.errors.map((e) => `${e.row}:${e.column}`);
    };
    expect(bad('cpt,modifier\n64483,\n')).toEqual(['1:allowable']);
    expect(bad('cpt,allowable,price\n64483,1,2\n')).toEqual(['1:price']);
    expect(bad('')).toEqual(['1:null']);
    expect(bad('cpt,allowable\n64483,1\n64484,\u0000\n')).toEqual(['3:null']);
  });
});

describe('effective contract terms', () => {
  const contract: StoredContractVersion = {
    contractId: 7,
    version: 3,
    fees: [{ cpt: '64483', modifier: '', allowableCents: 60_000, imagingGuidance: false }, { cpt: '77012', modifier: '', allowableCents: 8_000, imagingGuidance: true }, { cpt: '64483', modifier: '50', allowableCents: 95_000, imagingGuidance: false }],
    multipleProcedureReductionPercent: 25,
    bilateralPaymentPercent: null,
    timelyFilingDays: null,
    appealWindowDays: 60,
    priorAuthFamilies: null,
  };

  it('each term from the contract when it has one, else the payer default, and says which', () => {
    const e = effectiveContract({ practiceId: 'p', payerId: 'COMMERCIAL', year: 2027, contract, policy: COMMERCIAL, defaultFees: { year: 2026, allowableCents: { '64483': 1 } } });
    expect(e).toMatchObject({ source: 'contract', version: 3, multipleProcedureReductionPercent: 25, appealWindowDays: 60, timelyFilingDays: COMMERCIAL.timelyFilingDays, bilateralPaymentPercent: COMMERCIAL.bilateralPaymentPercent });
    expect(e.sources).toEqual({ feeSchedule: 'contract', multipleProcedureReductionPercent: 'contract', bilateralPaymentPercent: 'payer_default', timelyFilingDays: 'payer_default', appealWindowDays: 'contract', priorAuthFamilies: 'payer_default' });
    expect(e.feeSchedule).toEqual({ year: 2027, allowableCents: { '64483': 60_000, '64483:50': 95_000, '77012': 8_000 }, label: 'p × COMMERCIAL 2027 contract v3' });
    const none = effectiveContract({ practiceId: 'p', payerId: 'COMMERCIAL', year: 2027, policy: COMMERCIAL, defaultFees: { year: 2026, allowableCents: { '64483': 1 } } });
    expect(none).toMatchObject({ source: 'payer_default', version: null, feeSchedule: { year: 2026, allowableCents: { '64483': 1 }, label: 'COMMERCIAL payer default' } });
  });

  it('POST-2: a modifier-50 price is the bilateral allowable itself; other modifiers use the code price', () => {
    const fees = { '64483': 60_000, '64483:50': 95_000 };
    expect(allowableFor(fees, '64483', ['LT'])).toEqual({ cents: 60_000 });
    expect(allowableFor(fees, '64483', ['50'])).toEqual({ cents: 95_000, pricedModifier: '50' });
    const terms = { allowableCents: fees, multipleProcedureReductionPercent: 50, addOnCodes: [] };
    expect(expectedPayment([{ cpt: '64483', units: 1, modifiers: ['50'] }], terms).lines[0].allowableCents).toBe(95_000);
    expect(expectedPayment([{ cpt: '64483', units: 1, modifiers: ['50'] }], { ...terms, allowableCents: { '64483': 60_000 } }).lines[0].allowableCents).toBe(90_000);
  });
});
