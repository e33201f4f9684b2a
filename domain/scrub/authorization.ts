/**
 * Claim-time authorization checks: AUTH-2 (ESI per-session limits and rolling-12-month frequency),
 * AUTH-3 (authorization scope matches what is billed and documented), AUTH-8 (date of service
 * inside the authorization window and visit count).
 */
import type { Laterality } from '../claim-document';
import { type RegionGroup, codeInfo, isAddOnCode, primariesOfAddOn } from '../reference';
import type { Finding } from './schemas';
import { type ClaimView, type LineView, REGION_GROUP_LABEL, pushTo, finding, levelsBilled, normalizeLevel, plural, proceduresFor, regionGroupOf } from './claim-view';
import { addYears, sameDayLastYear } from './dates';
import { procedureFamilyOf, requiresPriorAuth } from './submission';

const MAX_TRANSFORAMINAL_LEVELS = 2;
const MAX_INTERLAMINAR_LEVELS = 1;

/** AUTH-2: ESI per session (TF ≤ 2 levels; interlaminar/caudal 1 level, never bilateral; one region) and per 12 months. */
export function checkEsiLimits(view: ClaimView): Finding[] {
  const esiLines = view.lines.filter((l) => l.family === 'esi');
  if (esiLines.length === 0) return [];
  const findings: Finding[] = [];
  const firstLine = esiLines[0].number;
  const documented = proceduresFor(view, 'esi');

  const regions = new Set<RegionGroup>([
    ...esiLines.flatMap((l) => (l.info?.regionGroup ? [l.info.regionGroup] : [])),
    ...documented.map((p) => p.regionGroup),
  ]);
  if (regions.size > 1) {
    findings.push(
      finding('AUTH-2', 'error', 'An epidural injection session may treat one spinal region; this claim has both cervical/thoracic and lumbar/sacral injections.', {
        line: firstLine,
        fix: 'Bill only the region treated in this session; a second region is a separate, separately authorized session.',
      }),
    );
  }

  // Per-session levels and laterality: from the note when documented, else from the billed lines.
  let transforaminalLevels = 0;
  let interlaminarLevels = 0;
  let interlaminarBilateral = false;
  if (documented.length > 0) {
    for (const p of documented) {
      if (p.facts.approach === 'transforaminal') transforaminalLevels = Math.max(transforaminalLevels, p.levels.length);
      if (p.facts.approach === 'interlaminar' || p.facts.approach === 'caudal') {
        interlaminarLevels += Math.max(1, p.levels.length);
        interlaminarBilateral ||= p.facts.laterality === 'bilateral';
      }
    }
  }
  const byCode = new Map<string, LineView[]>();
  for (const l of esiLines) pushTo(byCode, l.cpt, l);
  for (const [cpt, lines] of byCode) {
    const info = codeInfo(cpt);
    if (info?.approaches?.includes('transforaminal') && !isAddOnCode(cpt)) {
      const addOnLevels = [...byCode].filter(([c]) => primariesOfAddOn(c)?.includes(cpt)).reduce((n, [, ls]) => n + levelsBilled(ls), 0);
      transforaminalLevels = Math.max(transforaminalLevels, levelsBilled(lines) + addOnLevels);
    } else if (info?.approaches?.includes('interlaminar')) {
      interlaminarLevels = Math.max(interlaminarLevels, lines.reduce((n, l) => n + l.line.units, 0));
      interlaminarBilateral ||= lines.some((l) => l.side !== undefined);
    }
  }
  if (transforaminalLevels > MAX_TRANSFORAMINAL_LEVELS) {
    findings.push(
      finding('AUTH-2', 'error', `A transforaminal epidural session may treat at most ${MAX_TRANSFORAMINAL_LEVELS} levels; ${transforaminalLevels} are billed or documented.`, {
        line: firstLine,
        fix: 'Bill the primary code plus one add-on level per side; more levels are not covered in one session.',
      }),
    );
  }
  if (interlaminarLevels > MAX_INTERLAMINAR_LEVELS) {
    findings.push(
      finding('AUTH-2', 'error', `An interlaminar or caudal epidural session covers ${MAX_INTERLAMINAR_LEVELS} level; ${interlaminarLevels} are billed or documented.`, {
        line: firstLine,
        fix: 'Bill one interlaminar/caudal injection (1 unit) per session.',
      }),
    );
  }
  if (interlaminarBilateral) {
    findings.push(
      finding('AUTH-2', 'error', 'An interlaminar or caudal epidural injection is a midline procedure and is never billed bilateral or with RT/LT.', {
        line: firstLine,
        fix: 'Remove modifiers 50/RT/LT from the interlaminar code; bill it once with 1 unit.',
      }),
    );
  }

  // Rolling 12 months, per region group, against the payer limit.
  const region = [...regions][0];
  if (region) {
    const dos = view.claim.serviceDate;
    const windowStart = sameDayLastYear(dos);
    const prior = (view.context.priorProcedures ?? [])
      .filter((p) => p.family === 'esi' && regionGroupOf(p.region) === region && p.serviceDate > windowStart && p.serviceDate < dos)
      .map((p) => p.serviceDate)
      .sort();
    const limit = view.policy.esiSessionsPerRegionPer12Months;
    const session = prior.length + 1;
    if (session > limit) {
      // The session becomes covered once enough earlier sessions leave the 12-month window.
      const dropping = prior[session - limit - 1];
      const nextCovered = dropping ? addYears(dropping, 1) : undefined;
      findings.push(
        finding(
          'AUTH-2',
          'error',
          `This is ESI session ${session} in the ${REGION_GROUP_LABEL[region]} region within 12 months; ${view.policy.name} covers ${limit}.`,
          {
            line: firstLine,
            fix: `Do not submit as covered: obtain a frequency exception or an advance beneficiary notice${nextCovered ? `; the next session in this region is covered from ${nextCovered}` : ''}.`,
          },
        ),
      );
    } else if (session === limit) {
      findings.push(
        finding('AUTH-2', 'info', `This is the last ESI session in the ${REGION_GROUP_LABEL[region]} region that ${view.policy.name} covers in 12 months (${session} of ${limit}).`, {
          line: firstLine,
        }),
      );
    }
  }
  return findings;
}

/** Whether an authorized laterality covers a performed one (a bilateral auth covers one side). */
function lateralityCovered(authorized: Laterality, performed: Laterality): boolean {
  return authorized === performed || (authorized === 'bilateral' && (performed === 'left' || performed === 'right'));
}

/** AUTH-3: authorized CPTs, region, approach, levels and laterality match what is billed and documented. */
export function checkAuthorizationScope(view: ClaimView): Finding[] {
  const auth = view.context.authorization;
  if (!auth) return [];
  const findings: Finding[] = [];
  const authorizedCpts = new Set(auth.cpts);
  const authFamilies = new Set(auth.cpts.map((c) => codeInfo(c)?.family).filter((f) => f !== undefined));
  const authRegion = regionGroupOf(auth.region);
  const authorizedLevels = new Set(auth.levels.map(normalizeLevel));
  const relevant = (l: LineView) =>
    procedureFamilyOf(l) !== undefined && l.info?.scsRole !== 'device' && (authFamilies.has(l.family!) || requiresPriorAuth(view, l));
  const fixUpdate = 'Request an authorization update from the payer before the service (or before submitting), or correct the claim to what was authorized.';

  for (const l of view.lines.filter(relevant)) {
    const primaries = primariesOfAddOn(l.cpt);
    if (!authorizedCpts.has(l.cpt) && !(primaries && primaries.some((p) => authorizedCpts.has(p)))) {
      findings.push(finding('AUTH-3', 'error', `${l.cpt} is not among the authorized codes (${auth.cpts.join(', ')}).`, { line: l.number, fix: fixUpdate }));
      continue;
    }
    if (l.info?.regionGroup && l.info.regionGroup !== authRegion) {
      findings.push(
        finding('AUTH-3', 'error', `${l.cpt} is a ${REGION_GROUP_LABEL[l.info.regionGroup]} code but the authorization is for the ${auth.region} spine.`, {
          line: l.number,
          fix: fixUpdate,
        }),
      );
    }
    if (auth.approach && l.info?.approaches && !l.info.approaches.includes(auth.approach)) {
      findings.push(
        finding('AUTH-3', 'error', `${l.cpt} is an ${l.info.approaches.join('/')} code but the authorization is for a ${auth.approach} injection.`, {
          line: l.number,
          fix: fixUpdate,
        }),
      );
    }
    if (l.side && !lateralityCovered(auth.laterality, l.side)) {
      findings.push(
        finding('AUTH-3', 'error', `${l.cpt} is billed ${l.side} but the authorization covers ${auth.laterality}.`, { line: l.number, fix: fixUpdate }),
      );
    }
  }

  // What the note documents, for the authorized families.
  for (const p of view.procedures) {
    if (!authFamilies.has(p.family)) continue;
    const what = `${p.facts.family.replace('_', ' ')} procedure`;
    if (p.regionGroup !== authRegion) {
      findings.push(finding('AUTH-3', 'error', `The note documents a ${p.facts.region} ${what} but the authorization is for the ${auth.region} spine.`, { fix: fixUpdate }));
    }
    if (auth.approach && p.facts.approach && p.facts.approach !== auth.approach) {
      findings.push(
        finding('AUTH-3', 'error', `The note documents a ${p.facts.approach} injection but the authorization is for ${auth.approach}; an ${auth.approach} authorization never covers ${p.facts.approach}.`, {
          fix: fixUpdate,
        }),
      );
    }
    if (authorizedLevels.size > 0) {
      const outside = p.levels.filter((lv) => !authorizedLevels.has(lv));
      if (outside.length > 0) {
        findings.push(
          finding('AUTH-3', 'error', `Level${outside.length > 1 ? 's' : ''} ${outside.join(', ')} documented but the authorization covers ${auth.levels.join(', ')} only.`, {
            fix: fixUpdate,
          }),
        );
      }
    }
    if (!lateralityCovered(auth.laterality, p.facts.laterality)) {
      findings.push(
        finding('AUTH-3', 'error', `The note documents a ${p.facts.laterality} ${what} but the authorization covers ${auth.laterality}.`, { fix: fixUpdate }),
      );
    }
  }
  return dedupe(findings);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.line ?? ''}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** AUTH-8: the date of service falls inside the authorization window and within the authorized visits. */
export function checkAuthorizationWindow(view: ClaimView): Finding[] {
  const auth = view.context.authorization;
  if (!auth) return [];
  const dos = view.claim.serviceDate;
  const findings: Finding[] = [];
  if (dos < auth.validFrom || dos > auth.validTo) {
    findings.push(
      finding('AUTH-8', 'error', `The date of service ${dos} is outside the authorization window ${auth.validFrom} to ${auth.validTo}.`, {
        fix: 'Obtain a retro-authorization or an extension covering the date of service before submitting.',
      }),
    );
  }
  if (auth.visitsAuthorized !== undefined && auth.visitsUsed !== undefined && auth.visitsUsed >= auth.visitsAuthorized) {
    findings.push(
      finding('AUTH-8', 'error', `All ${plural(auth.visitsAuthorized, 'authorized visit')} have been used; this service is beyond the authorized count.`, {
        fix: 'Request additional visits on the authorization before submitting.',
      }),
    );
  }
  return findings;
}

export const AUTHORIZATION_RULES = [checkEsiLimits, checkAuthorizationScope, checkAuthorizationWindow] as const;
