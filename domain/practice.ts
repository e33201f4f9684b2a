/**
 * Practice master data checks (pure): the federal tax id (EIN) and the IANA time zone a practice
 * is created with. The NPI check digit is in ./npi.
 */

/**
 * EIN prefixes the IRS has never assigned (its list of valid campus prefixes leaves these out): a
 * tax id starting with one is a typo, not a real EIN.
 */
const UNASSIGNED_EIN_PREFIXES = new Set(['00', '07', '08', '09', '17', '18', '19', '28', '29', '49', '69', '70', '78', '79', '89', '96', '97']);

/** `NN-NNNNNNN` or 9 digits, with a prefix the IRS assigns. Returns the 9 digits, or undefined. */
export function normalizeTaxId(taxId: string): string | undefined {
  const m = /^(\d{2})-?(\d{7})$/.exec(taxId.trim());
  if (!m) return undefined;
  if (UNASSIGNED_EIN_PREFIXES.has(m[1])) return undefined;
  return m[1] + m[2];
}

export const isValidTaxId = (taxId: string): boolean => normalizeTaxId(taxId) !== undefined;

/**
 * An IANA zone name the runtime's time-zone database knows (`America/Chicago`, `UTC`). Offsets
 * (`+01:00`) and abbreviations (`EST`) are refused: a practice's deadlines follow its zone's
 * daylight-saving rules.
 */
export function isValidTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Za-z][A-Za-z_-]*(\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
