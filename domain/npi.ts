/**
 * NPI check-digit validation (CHG-3). An NPI is 10 digits whose last digit is a Luhn check digit
 * computed over the card-issuer prefix 80840 followed by the first nine digits (CMS "NPI check
 * digit" standard, ISO 7812). Pure.
 */
const NPI_PATTERN = /^\d{10}$/;
/** Luhn contribution of the prefix 80840 (8+0+(8→16→7)+4+(0)…): the constant 24 of the CMS spec. */
const PREFIX_80840_SUM = 24;

/** The check digit the first nine digits of an NPI call for. */
export function npiCheckDigit(firstNineDigits: string): number {
  let sum = PREFIX_80840_SUM;
  // Double every other digit starting with the rightmost of the nine (it sits left of the check digit).
  for (let i = 0; i < 9; i++) {
    let digit = firstNineDigits.charCodeAt(8 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `npi` is 10 digits with a valid check digit (e.g. 1234567893). */
export function isValidNpi(npi: string): boolean {
  if (!NPI_PATTERN.test(npi)) return false;
  return npiCheckDigit(npi.slice(0, 9)) === npi.charCodeAt(9) - 48;
}
