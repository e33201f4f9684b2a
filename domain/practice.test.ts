import { describe, expect, it } from 'vitest';
import { isValidTaxId, isValidTimeZone, normalizeTaxId } from './practice';

describe('practice master data checks', () => {
  it('accepts an EIN with or without the hyphen and keeps its 9 digits', () => {
    expect(normalizeTaxId('99-0000001')).toBe('990000001');
    expect(normalizeTaxId('990000001')).toBe('990000001');
    expect(normalizeTaxId('12-3456789')).toBe('123456789');
  });

  it.each([
    ['12345678', 'eight digits'],
    ['1234567890', 'ten digits'],
    ['12-345-6789', 'hyphen in the wrong place'],
    ['AB-1234567', 'letters'],
    ['07-1234567', 'prefix 07 is never assigned'],
    ['00-1234567', 'prefix 00 is never assigned'],
    ['', 'empty'],
  ])('refuses the malformed tax id %s (%s)', (taxId) => {
    expect(isValidTaxId(taxId)).toBe(false);
  });

  it.each(['America/Chicago', 'America/Los_Angeles', 'America/Argentina/Buenos_Aires', 'Pacific/Honolulu', 'UTC', 'Etc/GMT+5'])('knows the IANA zone %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['America/Springfield', 'Mars/Olympus_Mons', 'EST', '+01:00', 'america', '', 'Europe/'])('refuses the unknown zone %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});
