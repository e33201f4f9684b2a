import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidNpi, npiCheckDigit } from './npi';

describe('CHG-3 NPI check digit (Luhn with prefix 80840)', () => {
  it.each(['1234567893', '1245319599', '1003000126'])('CHG-3 accepts valid NPI %s', (npi) => {
    expect(isValidNpi(npi)).toBe(true);
  });
  it.each([
    ['1234567890', 'wrong check digit'],
    ['123456789', 'nine digits'],
    ['12345678930', 'eleven digits'],
    ['12345678a3', 'a letter'],
    ['', 'empty'],
  ])('CHG-3 rejects %s (%s)', (npi) => {
    expect(isValidNpi(npi)).toBe(false);
  });
  it('CHG-3 agrees with a plain Luhn check over "80840" + NPI', () => {
    const luhn = (digits: string) => {
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) {
          d *= 2;
          if (d > 9) d -= 9;
        }
        sum += d;
      }
      return sum % 10 === 0;
    };
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (npi) => {
        expect(isValidNpi(npi)).toBe(luhn(`80840${npi}`));
      }),
    );
  });
  it('CHG-3 exactly one check digit completes any nine digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
        const valid = [...'0123456789'].filter((d) => isValidNpi(nine + d));
        expect(valid).toEqual([String(npiCheckDigit(nine))]);
      }),
    );
  });
});
