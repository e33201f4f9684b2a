/**
 * Coding rules CODE-1 … CODE-11 (DOMAIN.md §3 "Coding"). Each rule reads the claim view and
 * returns findings; code lists come from domain/reference, limits from the payer policy.
 */
import {
  type CodeFamily,
  type EmLevel,
  type GuidanceModality,
  MODERATE_MDM_RULE,
  MODIFIERS,
  SCS_IMPLANT_DEVICE,
  addOnsOfPrimary,
  codeInfo,
  emLevel,
  emLevelsFor,
  isAddOnCode,
  isBilateralEligible,
  mdmRank,
  painCodeSet,
  primariesOfAddOn,
  ptpEdit,
} from '../reference';
import type { Finding } from './schemas';
import {
  type ClaimView,
  type DocumentedProcedure,
  type LineView,
  REGION_GROUP_LABEL,
  billedSide,
  documentedSide,
  finding,
  levelsBilled,
  plural,
  proceduresFor,
  pushTo,
} from './claim-view';
import { suggestCodes } from './suggest';

const FAMILY_LABEL: Record<CodeFamily, string> = {
  esi: 'epidural steroid injection',
  facet: 'facet joint / medial branch block',
  rfa: 'radiofrequency ablation',
  scs: 'spinal cord stimulator',
  scs_programming: 'neurostimulator programming',
  other: 'procedure',
  imaging_guidance: 'imaging guidance',
  em: 'E/M visit',
};

const GUIDANCE_CODE_BY_MODALITY = new Map<GuidanceModality, string>();
for (const code of painCodeSet()) {
  const modality = codeInfo(code)?.guidanceModality;
  if (modality && !GUIDANCE_CODE_BY_MODALITY.has(modality)) GUIDANCE_CODE_BY_MODALITY.set(modality, code);
}

function isProcedureLine(l: LineView): boolean {
  return l.family !== undefined && l.family !== 'em' && l.family !== 'imaging_guidance';
}

function suggestFor(p: DocumentedProcedure, view: ClaimView): string | undefined {
  return suggestCodes(
    {
      family: p.family,
      regionGroup: p.regionGroup,
      approach: p.facts.approach,
      levels: Math.max(1, p.levels.length),
      laterality: p.facts.laterality,
    },
    view.policy,
  );
}

/** CODE-1: the ESI code's approach (interlaminar/caudal 6232x vs transforaminal 6447x/6448x) matches the note. */
export function checkEsiApproach(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const documented = proceduresFor(view, 'esi');
  const withApproach = documented.filter((p) => p.facts.approach);
  for (const l of view.lines) {
    if (l.family !== 'esi' || !l.info?.approaches) continue;
    if (documented.length === 0) {
      if (!isAddOnCode(l.cpt)) {
        findings.push(
          finding('CODE-1', 'warning', `${l.cpt} is billed but the procedure note facts document no epidural injection, so the approach cannot be verified.`, {
            line: l.number,
            fix: 'Attach the procedure note facts (approach, region, levels) before submitting; never bill 62323 by default.',
          }),
        );
      }
      continue;
    }
    if (withApproach.length === 0) {
      if (!isAddOnCode(l.cpt)) {
        findings.push(
          finding('CODE-1', 'warning', `The note does not state the epidural approach (interlaminar, caudal or transforaminal) for ${l.cpt}.`, {
            line: l.number,
            fix: 'Have the provider document the approach, then confirm the code.',
          }),
        );
      }
      continue;
    }
    const approaches = l.info.approaches;
    if (withApproach.some((p) => approaches.includes(p.facts.approach!))) continue;
    const documentedProc = withApproach.find((p) => p.regionGroup === l.info!.regionGroup) ?? withApproach[0];
    const suggestion = suggestFor(documentedProc, view);
    findings.push(
      finding(
        'CODE-1',
        'error',
        `${l.cpt} is an ${approaches.join('/')} epidural code but the note documents a ${documentedProc.facts.approach} injection.`,
        { line: l.number, fix: suggestion ? `Bill ${suggestion} instead of ${l.cpt}.` : `Bill the ${documentedProc.facts.approach} code instead of ${l.cpt}.` },
      ),
    );
  }
  return findings;
}

function checkRegion(view: ClaimView, ruleId: string, families: readonly CodeFamily[]): Finding[] {
  const findings: Finding[] = [];
  for (const l of view.lines) {
    if (!l.family || !families.includes(l.family) || !l.info?.regionGroup) continue;
    const documented = proceduresFor(view, l.family);
    if (documented.length === 0 || documented.some((p) => p.regionGroup === l.info!.regionGroup)) continue;
    const noted = documented[0];
    const counterpart = l.info.regionCounterpart;
    findings.push(
      finding(
        ruleId,
        'error',
        `${l.cpt} is a ${REGION_GROUP_LABEL[l.info.regionGroup]} ${FAMILY_LABEL[l.family]} code but the note documents the ${noted.facts.region} spine.`,
        { line: l.number, fix: counterpart ? `Bill ${counterpart} (${REGION_GROUP_LABEL[noted.regionGroup]}) instead of ${l.cpt}.` : undefined },
      ),
    );
  }
  return findings;
}

/** CODE-2: ESI and facet codes match the documented region (cervical/thoracic vs lumbar/sacral). */
export function checkRegionMatchesNote(view: ClaimView): Finding[] {
  return checkRegion(view, 'CODE-2', ['esi', 'facet']);
}

/** CODE-4: RFA code family matches the documented region (64633/64634 vs 64635/64636). */
export function checkRfaRegion(view: ClaimView): Finding[] {
  return checkRegion(view, 'CODE-4', ['rfa']);
}

/**
 * CODE-3: one add-on per additional documented level; no add-on without its primary; primaries
 * are one level (one unit); 3rd-level facet codes at most once and only where the payer allows
 * more than two facet levels per session.
 */
export function checkAddOnLevels(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const billedCodes = new Set(view.lines.map((l) => l.cpt));
  const linesByCode = new Map<string, LineView[]>();
  for (const l of view.lines) pushTo(linesByCode, l.cpt, l);

  for (const l of view.lines) {
    const primaries = primariesOfAddOn(l.cpt);
    if (primaries && !primaries.some((p) => billedCodes.has(p))) {
      findings.push(
        finding('CODE-3', 'error', `${l.cpt} is an add-on code for an additional level and is billed without its primary code ${primaries.join(' or ')}.`, {
          line: l.number,
          fix: `Add ${primaries[0]} for the first level, or remove ${l.cpt}.`,
        }),
      );
    }
    const addOns = addOnsOfPrimary(l.cpt);
    if (addOns.length > 0 && l.line.units > 1) {
      findings.push(
        finding('CODE-3', 'error', `${l.cpt} covers a single level but is billed with ${l.line.units} units.`, {
          line: l.number,
          fix: `Bill ${l.cpt} with 1 unit and ${addOns[0]} for each additional level.`,
        }),
      );
    }
    if (l.info?.family === 'facet' && l.info.levelOrdinal === 3) {
      const maxLevels = view.policy.facetMaxLevelsPerSession;
      if (maxLevels < 3) {
        findings.push(
          finding('CODE-3', 'error', `${l.cpt} (third facet level) is not billable to ${view.policy.name}: facet sessions are limited to ${maxLevels} levels.`, {
            line: l.number,
            fix: `Remove ${l.cpt}; bill at most ${maxLevels} facet levels per session.`,
          }),
        );
      } else if (levelsBilled(linesByCode.get(l.cpt)!) > 1 && linesByCode.get(l.cpt)![0] === l) {
        findings.push(
          finding('CODE-3', 'error', `${l.cpt} (third and any additional facet level) may be billed only once per side.`, {
            line: l.number,
            fix: `Bill ${l.cpt} with 1 unit (one line, or one RT and one LT line).`,
          }),
        );
      }
    }
  }

  // Billed additional levels vs documented levels, per primary code billed.
  for (const [primary, primaryLines] of linesByCode) {
    const addOns = addOnsOfPrimary(primary);
    const info = primaryLines[0].info;
    if (addOns.length === 0 || !info?.regionGroup) continue;
    const documented = proceduresFor(view, info.family, info.regionGroup).filter(
      (p) => !info.approaches || !p.facts.approach || info.approaches.includes(p.facts.approach),
    );
    const documentedLevels = new Set(documented.flatMap((p) => p.levels)).size;
    if (documented.length === 0 || documentedLevels === 0) continue;
    const maxLevels = info.family === 'facet' ? view.policy.facetMaxLevelsPerSession : Infinity;
    const expectedAdditional = Math.min(documentedLevels, maxLevels) - 1;
    const billedAdditional = addOns.reduce((sum, code) => sum + levelsBilled(linesByCode.get(code) ?? []), 0);
    const firstLine = primaryLines[0].number;
    if (billedAdditional > expectedAdditional) {
      findings.push(
        finding(
          'CODE-3',
          'error',
          `${plural(billedAdditional, 'additional level')} billed with ${primary} but the note documents ${plural(documentedLevels, 'level')} in total.`,
          { line: firstLine, fix: `Bill ${plural(expectedAdditional, 'add-on level')} (${addOns.join('/')}) to match the documented levels.` },
        ),
      );
    } else if (billedAdditional < expectedAdditional) {
      findings.push(
        finding(
          'CODE-3',
          'warning',
          `The note documents ${plural(documentedLevels, 'level')} but only ${plural(billedAdditional, 'additional level')} is billed with ${primary} (missed revenue).`,
          { line: firstLine, fix: `Add ${addOns.join('/')} for each additional documented level (${expectedAdditional - billedAdditional} missing).` },
        ),
      );
    }
  }
  return findings;
}

/** CODE-5: SCS implant claims with a service date in 2026 or later carry device code C1607. */
export function checkScsDeviceCode(view: ClaimView): Finding[] {
  const device = SCS_IMPLANT_DEVICE;
  if (view.claim.serviceDate < device.requiredFromServiceDate) return [];
  const implantLine = view.lines.find((l) => l.info?.scsRole === 'implant');
  const documentedImplant = view.claim.documentation?.procedures?.some((p) => p.family === 'scs_implant') ?? false;
  const leadsLine = view.lines.find((l) => l.info?.scsRole === 'leads');
  const isImplantClaim = implantLine !== undefined || (documentedImplant && leadsLine !== undefined);
  if (!isImplantClaim || view.lines.some((l) => l.cpt === device.code)) return [];
  return [
    finding(
      'CODE-5',
      'error',
      `Spinal cord stimulator implant claims with a service date on or after ${device.requiredFromServiceDate} must carry device code ${device.code}.`,
      { line: (implantLine ?? leadsLine)!.number, fix: `Add a ${device.code} line (integrated rechargeable neurostimulator) pointing at the implant diagnosis.` },
    ),
  ];
}

/**
 * CODE-6: imaging guidance (77003/76942/77012) only with a permanent image record and a separate
 * interpretation, never with a code that includes guidance, never with 62320/62322.
 */
export function checkImagingGuidance(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  for (const g of view.lines) {
    if (g.family !== 'imaging_guidance') continue;
    const including = view.lines.find((l) => l.info?.includesImagingGuidance);
    if (including) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} is not separately billable: imaging guidance is included in ${including.cpt} (line ${including.number}).`, {
          line: g.number,
          fix: `Remove the ${g.cpt} line.`,
        }),
      );
      continue;
    }
    const withoutImaging = view.lines.find((l) => l.info?.withImagingCode);
    if (withoutImaging) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} may not be billed with ${withoutImaging.cpt}, the interlaminar code without imaging.`, {
          line: g.number,
          fix: `Bill ${withoutImaging.info!.withImagingCode} (includes imaging guidance) instead of ${withoutImaging.cpt} + ${g.cpt}.`,
        }),
      );
      continue;
    }
    if (!view.lines.some(isProcedureLine)) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} (imaging guidance) is billed without a procedure it guided.`, {
          line: g.number,
          fix: `Add the guided procedure or remove ${g.cpt}.`,
        }),
      );
      continue;
    }
    const modality = g.info?.guidanceModality;
    const guided = view.procedures.filter((p) => p.facts.guidance === modality);
    if (guided.length === 0) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} is billed but the note documents no ${modality} guidance.`, {
          line: g.number,
          fix: `Remove ${g.cpt}, or have the provider document the ${modality} guidance with a saved image and interpretation.`,
        }),
      );
      continue;
    }
    if (!guided.some((p) => p.facts.permanentImageRecorded === true)) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} requires a permanent image record in the chart; none is documented.`, {
          line: g.number,
          fix: `Save the ${modality} image to the chart before billing ${g.cpt}, or remove the line.`,
        }),
      );
    }
    if (!guided.some((p) => p.facts.separateInterpretation === true)) {
      findings.push(
        finding('CODE-6', 'error', `${g.cpt} requires a separate interpretation report; none is documented.`, {
          line: g.number,
          fix: `Have the provider document the imaging interpretation before billing ${g.cpt}, or remove the line.`,
        }),
      );
    }
  }
  return findings;
}

/** CODE-7: separately billable guidance that is documented but not billed is missed revenue. */
export function checkMissedGuidance(view: ClaimView): Finding[] {
  if (view.lines.some((l) => l.family === 'imaging_guidance')) return [];
  const findings: Finding[] = [];
  for (const l of view.lines) {
    if (l.info?.withImagingCode) {
      // 62320/62322 billed while the note documents imaging: the with-imaging code pays more.
      const imaged = proceduresFor(view, 'esi', l.info.regionGroup).find(
        (p) => p.facts.approach !== 'transforaminal' && p.facts.guidance !== undefined && p.facts.guidance !== 'none',
      );
      if (imaged) {
        findings.push(
          finding('CODE-7', 'warning', `The note documents ${imaged.facts.guidance} guidance but ${l.cpt} is the code without imaging (missed revenue).`, {
            line: l.number,
            fix: `Bill ${l.info.withImagingCode} (with imaging guidance) instead of ${l.cpt}.`,
          }),
        );
      }
      continue;
    }
    if (!l.info?.guidanceSeparatelyBillable) continue;
    const documented = proceduresFor(view, l.info.family).find(
      (p) =>
        p.facts.guidance !== undefined &&
        p.facts.guidance !== 'none' &&
        p.facts.permanentImageRecorded === true &&
        p.facts.separateInterpretation === true,
    );
    if (!documented) continue;
    const code = GUIDANCE_CODE_BY_MODALITY.get(documented.facts.guidance as GuidanceModality);
    findings.push(
      finding('CODE-7', 'warning', `${documented.facts.guidance} guidance for ${l.cpt} is documented with an image and interpretation but not billed (missed revenue).`, {
        line: l.number,
        fix: code ? `Add a ${code} line for the guidance.` : undefined,
      }),
    );
  }
  return findings;
}

/** CODE-8: bilateral procedures billed with modifier 50 (one line) or RT + LT (two lines) per payer preference. */
export function checkBilateralModifiers(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const byCode = new Map<string, LineView[]>();
  for (const l of view.lines) pushTo(byCode, l.cpt, l);
  const prefers50 = view.policy.bilateralBilling === '50';
  const preferred = (cpt: string) =>
    prefers50 ? `one line ${cpt}-${MODIFIERS.bilateral} (1 unit)` : `two lines ${cpt}-${MODIFIERS.right} and ${cpt}-${MODIFIERS.left}`;

  for (const [cpt, lines] of byCode) {
    const first = lines[0];
    for (const l of lines) {
      if (l.modifiers.includes(MODIFIERS.bilateral) && (l.modifiers.includes(MODIFIERS.right) || l.modifiers.includes(MODIFIERS.left))) {
        findings.push(
          finding('CODE-8', 'error', `${cpt} carries both modifier 50 and RT/LT.`, { line: l.number, fix: `Bill ${preferred(cpt)}.` }),
        );
      }
    }
    if (!isBilateralEligible(cpt)) {
      // Interlaminar ESI laterality is AUTH-2's finding; other codes are simply not bilateral.
      const flagged = lines.find((l) => l.side === 'bilateral' || l.modifiers.includes(MODIFIERS.bilateral));
      if (flagged && first.family !== 'esi' && first.info) {
        findings.push(
          finding('CODE-8', 'error', `${cpt} is not a bilateral procedure and cannot carry modifier 50.`, {
            line: flagged.number,
            fix: `Remove modifier 50 from ${cpt}.`,
          }),
        );
      }
      continue;
    }
    const billed = billedSide(lines);
    const info = first.info;
    const documented = info
      ? proceduresFor(view, info.family, info.regionGroup).filter(
          (p) => !info.approaches || !p.facts.approach || info.approaches.includes(p.facts.approach),
        )
      : [];
    const noted = documentedSide(documented);
    const used50 = lines.some((l) => l.modifiers.includes(MODIFIERS.bilateral));
    const usedRtLt = lines.some((l) => l.side === 'right') && lines.some((l) => l.side === 'left');

    if (billed === 'bilateral' && noted !== undefined && noted !== 'bilateral') {
      const side = noted === 'midline' ? undefined : noted === 'left' ? MODIFIERS.left : MODIFIERS.right;
      findings.push(
        finding('CODE-8', 'error', `${cpt} is billed bilateral but the note documents a ${noted} procedure only.`, {
          line: first.number,
          fix: side ? `Bill ${cpt}-${side} on one line.` : `Remove the bilateral modifiers from ${cpt}.`,
        }),
      );
      continue;
    }
    if (noted === 'bilateral' && billed !== 'bilateral') {
      findings.push(
        finding('CODE-8', 'error', `The note documents a bilateral procedure but ${cpt} is billed ${billed ? `on the ${billed} side only` : 'without a bilateral modifier'}.`, {
          line: first.number,
          fix: `Bill ${preferred(cpt)}.`,
        }),
      );
      continue;
    }
    if ((noted === 'left' || noted === 'right') && billed && billed !== noted) {
      findings.push(
        finding('CODE-8', 'error', `${cpt} is billed on the ${billed} side but the note documents the ${noted} side.`, {
          line: first.number,
          fix: `Bill ${cpt}-${noted === 'left' ? MODIFIERS.left : MODIFIERS.right}.`,
        }),
      );
      continue;
    }
    if ((noted === 'left' || noted === 'right') && !billed) {
      findings.push(
        finding('CODE-8', 'warning', `${cpt} has no laterality modifier; the note documents the ${noted} side.`, {
          line: first.number,
          fix: `Bill ${cpt}-${noted === 'left' ? MODIFIERS.left : MODIFIERS.right}.`,
        }),
      );
      continue;
    }
    if (billed === 'bilateral') {
      if (prefers50 && usedRtLt && !used50) {
        findings.push(
          finding('CODE-8', 'error', `${view.policy.name} wants bilateral ${cpt} on one line with modifier 50, not RT + LT lines.`, {
            line: first.number,
            fix: `Bill ${preferred(cpt)} instead of the RT and LT lines.`,
          }),
        );
      } else if (!prefers50 && used50) {
        findings.push(
          finding('CODE-8', 'error', `${view.policy.name} wants bilateral ${cpt} on two lines with RT and LT, not modifier 50.`, {
            line: first.number,
            fix: `Bill ${preferred(cpt)} instead of ${cpt}-${MODIFIERS.bilateral}.`,
          }),
        );
      }
    }
  }
  return findings;
}

/** CODE-9: modifier 25 on a same-day E/M with a procedure, only when separately identifiable. */
export function checkEmModifier25(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const procedure = view.lines.find(isProcedureLine);
  const separatelyIdentifiable = view.em?.separatelyIdentifiable;
  const m25 = MODIFIERS.significantSeparateEm;
  for (const l of view.lines) {
    const has25 = l.modifiers.includes(m25);
    if (l.family !== 'em') {
      if (has25) {
        findings.push(
          finding('CODE-9', 'error', `Modifier 25 belongs on an E/M code, not on ${l.cpt}.`, { line: l.number, fix: `Remove modifier 25 from ${l.cpt}.` }),
        );
      }
      continue;
    }
    if (!procedure) {
      if (has25) {
        findings.push(
          finding('CODE-9', 'warning', `Modifier 25 on ${l.cpt} is unnecessary: no procedure is billed the same day.`, {
            line: l.number,
            fix: `Remove modifier 25 from ${l.cpt}.`,
          }),
        );
      }
      continue;
    }
    if (separatelyIdentifiable === false) {
      findings.push(
        finding('CODE-9', 'error', `${l.cpt} is billed with procedure ${procedure.cpt} but the note does not document a separately identifiable E/M service.`, {
          line: l.number,
          fix: `Remove the ${l.cpt} line: the pre-procedure evaluation is included in ${procedure.cpt}.`,
        }),
      );
    } else if (!has25) {
      findings.push(
        finding('CODE-9', 'error', `${l.cpt} is billed the same day as procedure ${procedure.cpt} without modifier 25.`, {
          line: l.number,
          fix: `Append modifier 25 to ${l.cpt} if the E/M was separately identifiable; otherwise remove it.`,
        }),
      );
    } else if (separatelyIdentifiable === undefined) {
      findings.push(
        finding('CODE-9', 'warning', `${l.cpt}-25 is billed with ${procedure.cpt} but the note facts do not confirm a separately identifiable E/M.`, {
          line: l.number,
          fix: 'Confirm the visit note documents a significant, separately identifiable E/M service.',
        }),
      );
    }
  }
  return findings;
}

/** CODE-10: NCCI PTP bundled pairs need a distinct-procedural modifier (59/XE/XP/XS/XU) when distinct. */
export function checkNcciPairs(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  const pairedWithEdit = new Set<number>();
  const lines = view.lines;
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const a = lines[i];
      const b = lines[j];
      if (a.cpt === b.cpt) continue;
      const edit = ptpEdit(a.cpt, b.cpt);
      if (!edit || edit.modifierIndicator === 9) continue;
      const column2 = a.cpt === edit.column2 ? a : b;
      const column1 = column2 === a ? b : a;
      pairedWithEdit.add(a.number).add(b.number);
      if (edit.modifierIndicator === 0) {
        findings.push(
          finding('CODE-10', 'error', `${column2.cpt} is bundled into ${column1.cpt} (line ${column1.number}) under NCCI and is never billable with it, even with a modifier.`, {
            line: column2.number,
            fix: `Remove the ${column2.cpt} line.`,
          }),
        );
      } else if (!column2.hasDistinctModifier && !column1.hasDistinctModifier) {
        findings.push(
          finding('CODE-10', 'error', `${column2.cpt} is bundled into ${column1.cpt} (line ${column1.number}) under NCCI and has no distinct-procedure modifier.`, {
            line: column2.number,
            fix: `If the services were distinct (separate site or session), append XS (or 59) to ${column2.cpt}; otherwise remove the ${column2.cpt} line.`,
          }),
        );
      }
    }
  }
  for (const l of lines) {
    if (l.hasDistinctModifier && !pairedWithEdit.has(l.number)) {
      findings.push(
        finding('CODE-10', 'warning', `${l.cpt} carries a distinct-procedure modifier (59/X{EPSU}) but no billed pair on this claim is bundled with it.`, {
          line: l.number,
          fix: `Remove the unneeded 59/X modifier from ${l.cpt}; unsupported use is an audit risk.`,
        }),
      );
    }
  }
  return findings;
}

/** The E/M level the documentation supports, by MDM or by total time, whichever is higher. */
export function supportedEmLevel(view: ClaimView, patient: 'new' | 'established'): EmLevel | undefined {
  const em = view.em;
  if (!em) return undefined;
  const levels = emLevelsFor(patient);
  let mdmRankSupported = em.mdm ? mdmRank(em.mdm) : -1;
  if (
    (em.chronicConditions ?? 0) >= MODERATE_MDM_RULE.minChronicConditions &&
    (!MODERATE_MDM_RULE.requiresPrescriptionDrugManagement || em.prescriptionDrugManagement === true)
  ) {
    mdmRankSupported = Math.max(mdmRankSupported, mdmRank('moderate'));
  }
  let best: EmLevel | undefined;
  for (const level of levels) {
    const byMdm = mdmRank(level.mdm) <= mdmRankSupported;
    const byTime = em.totalMinutes !== undefined && em.totalMinutes >= level.minMinutes;
    if (byMdm || byTime) best = level;
  }
  return best;
}

/** CODE-11: E/M level supported by MDM or total time (2021 rules); under- and over-coding flagged. */
export function checkEmLevel(view: ClaimView): Finding[] {
  const findings: Finding[] = [];
  for (const l of view.lines) {
    const billed = emLevel(l.cpt);
    if (!billed) continue;
    const em = view.em;
    if (!em) {
      findings.push(
        finding('CODE-11', 'warning', `${l.cpt} is billed without visit note facts (MDM or total time), so the level cannot be verified.`, {
          line: l.number,
          fix: 'Attach the visit MDM level or total time on the date of service.',
        }),
      );
      continue;
    }
    const patient = em.newPatient ? 'new' : 'established';
    if (billed.patient !== patient) {
      const same = emLevelsFor(patient).find((x) => x.mdm === billed.mdm);
      findings.push(
        finding('CODE-11', 'error', `${l.cpt} is a ${billed.patient}-patient code but the note documents a${patient === 'established' ? 'n' : ''} ${patient} patient.`, {
          line: l.number,
          fix: same ? `Bill ${same.code} (same level, ${patient} patient) if the documentation supports it.` : undefined,
        }),
      );
      continue;
    }
    if (em.mdm === undefined && em.totalMinutes === undefined && (em.chronicConditions ?? 0) === 0) {
      findings.push(
        finding('CODE-11', 'warning', `The note documents neither MDM nor total time for ${l.cpt}.`, {
          line: l.number,
          fix: 'Document the MDM level or the total time on the date of service.',
        }),
      );
      continue;
    }
    const supported = supportedEmLevel(view, patient);
    const billedRank = mdmRank(billed.mdm);
    const supportedRank = supported ? mdmRank(supported.mdm) : -1;
    if (billedRank > supportedRank) {
      findings.push(
        finding(
          'CODE-11',
          'error',
          supported
            ? `${l.cpt} is over-coded: the documented MDM/time supports ${supported.code}.`
            : `${l.cpt} is over-coded: the documented MDM/time does not support any ${patient}-patient level.`,
          { line: l.number, fix: supported ? `Bill ${supported.code} instead of ${l.cpt}.` : 'Review the visit documentation before billing an E/M.' },
        ),
      );
    } else if (billedRank < supportedRank && supported) {
      findings.push(
        finding('CODE-11', 'warning', `${l.cpt} is under-coded: the documented MDM/time supports ${supported.code}.`, {
          line: l.number,
          fix: `Bill ${supported.code} instead of ${l.cpt}.`,
        }),
      );
    }
  }
  return findings;
}

export const CODING_RULES = [
  checkEsiApproach,
  checkRegionMatchesNote,
  checkAddOnLevels,
  checkRfaRegion,
  checkScsDeviceCode,
  checkImagingGuidance,
  checkMissedGuidance,
  checkBilateralModifiers,
  checkEmModifier25,
  checkNcciPairs,
  checkEmLevel,
] as const;
