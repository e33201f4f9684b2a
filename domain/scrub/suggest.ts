/**
 * Builds the concrete code strings used in fixes ("bill 64483-LT + 64484-LT instead of 62323")
 * from the reference data: the primary code of a family/region/approach, its add-ons, and the
 * laterality modifiers the payer prefers.
 */
import type { Approach, Laterality } from '../claim-document';
import { type CodeFamily, type RegionGroup, MODIFIERS, addOnsOfPrimary, codeInfo, isAddOnCode, isBilateralEligible, painCodeSet } from '../reference';
import type { PayerPolicy } from '../payer-policy';

/** Primary (first-level, with-imaging) codes by family|regionGroup|approach. */
const PRIMARY_CODES = new Map<string, string>();
for (const code of painCodeSet()) {
  const info = codeInfo(code)!;
  if (!info.regionGroup || isAddOnCode(code) || !info.includesImagingGuidance) continue;
  for (const approach of info.approaches ?? [undefined]) {
    const key = `${info.family}|${info.regionGroup}|${approach ?? ''}`;
    if (!PRIMARY_CODES.has(key)) PRIMARY_CODES.set(key, code);
  }
}

export function primaryCodeFor(family: CodeFamily, regionGroup: RegionGroup, approach?: Approach): string | undefined {
  return PRIMARY_CODES.get(`${family}|${regionGroup}|${family === 'esi' ? (approach ?? '') : ''}`);
}

/** Code lines with modifiers for `laterality` per the payer's bilateral preference. */
function withLaterality(code: string, laterality: Laterality, policy: PayerPolicy, units = 1): string[] {
  const u = units > 1 ? ` (${units} units)` : '';
  if (!isBilateralEligible(code) || laterality === 'midline') return [`${code}${u}`];
  if (laterality === 'left') return [`${code}-${MODIFIERS.left}${u}`];
  if (laterality === 'right') return [`${code}-${MODIFIERS.right}${u}`];
  if (policy.bilateralBilling === '50') return [`${code}-${MODIFIERS.bilateral}${u}`];
  return [`${code}-${MODIFIERS.right}${u}`, `${code}-${MODIFIERS.left}${u}`];
}

/**
 * The lines that bill a documented procedure: primary + add-ons for each additional level,
 * with the payer's laterality modifiers, e.g. "64483-LT + 64484-LT".
 */
export function suggestCodes(
  procedure: { family: CodeFamily; regionGroup: RegionGroup; approach?: Approach; levels: number; laterality: Laterality },
  policy: PayerPolicy,
): string | undefined {
  const primary = primaryCodeFor(procedure.family, procedure.regionGroup, procedure.approach);
  if (!primary) return undefined;
  const parts = withLaterality(primary, procedure.laterality, policy);
  const addOns = addOnsOfPrimary(primary);
  let remaining = Math.max(0, procedure.levels - 1);
  if (procedure.family === 'facet') {
    // 2nd level and 3rd level have their own add-on codes, each at most once.
    for (const addOn of addOns) {
      if (remaining <= 0) break;
      parts.push(...withLaterality(addOn, procedure.laterality, policy));
      remaining--;
    }
  } else if (addOns.length > 0 && remaining > 0) {
    parts.push(...withLaterality(addOns[0], procedure.laterality, policy, remaining));
  }
  return parts.join(' + ');
}
