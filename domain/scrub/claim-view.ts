/**
 * The scrub's working view of one claim: each line joined with its reference facts and modifiers,
 * the documented procedures with their billing family and region group, the effective payer
 * policy, fee schedule and submission date. Built once per claim, then read by every rule.
 */
import type { ClaimDocument, ClaimLine, EmFacts, ProcedureFacts, Region } from '../claim-document';
import {
  type CodeFamily,
  type CodeInfo,
  type RegionGroup,
  MODIFIERS,
  codeFamilyOfDocumented,
  codeInfo,
  isDistinctProceduralModifier,
} from '../reference';
import type { FeeSchedule, PayerPolicy } from '../payer-policy';
import type { Finding, ScrubContext, Severity } from './schemas';

export type Side = 'bilateral' | 'right' | 'left';

export interface LineView {
  /** 1-based line number, as findings report it. */
  readonly number: number;
  readonly line: ClaimLine;
  readonly cpt: string;
  readonly info: CodeInfo | undefined;
  readonly family: CodeFamily | undefined;
  readonly modifiers: readonly string[];
  /** Laterality from the modifiers: 50 → bilateral, RT → right, LT → left. */
  readonly side: Side | undefined;
  readonly hasDistinctModifier: boolean;
}

export interface DocumentedProcedure {
  readonly facts: ProcedureFacts;
  readonly family: CodeFamily;
  readonly regionGroup: RegionGroup;
  /** Levels normalized (L4-5 → L4-L5) and de-duplicated. */
  readonly levels: readonly string[];
}

export interface ClaimView {
  readonly claim: ClaimDocument;
  readonly context: ScrubContext;
  readonly policy: PayerPolicy;
  readonly payerKnown: boolean;
  /** Submission date: context.asOf or the service date. */
  readonly asOf: string;
  readonly feeSchedule: FeeSchedule;
  readonly lines: readonly LineView[];
  readonly procedures: readonly DocumentedProcedure[];
  readonly em: EmFacts | undefined;
}

export function regionGroupOf(region: Region): RegionGroup {
  return region === 'cervical' || region === 'thoracic' ? 'cervical_thoracic' : 'lumbar_sacral';
}

export const REGION_GROUP_LABEL: Record<RegionGroup, string> = {
  cervical_thoracic: 'cervical/thoracic',
  lumbar_sacral: 'lumbar/sacral',
};

const LEVEL_PATTERN = /^([CTLS])(\d{1,2})\s*[-–/]\s*([CTLS])?(\d{1,2})$/;
/** `L4-5`, `l4 - l5` and `L4-L5` are the same level. */
export function normalizeLevel(level: string): string {
  const compact = level.trim().toUpperCase();
  const m = LEVEL_PATTERN.exec(compact);
  if (!m) return compact.replace(/\s+/g, '');
  return `${m[1]}${Number(m[2])}-${m[3] ?? m[1]}${Number(m[4])}`;
}

function sideOf(modifiers: readonly string[]): Side | undefined {
  if (modifiers.includes(MODIFIERS.bilateral)) return 'bilateral';
  const right = modifiers.includes(MODIFIERS.right);
  const left = modifiers.includes(MODIFIERS.left);
  if (right && left) return 'bilateral';
  if (right) return 'right';
  if (left) return 'left';
  return undefined;
}

const NO_MODIFIERS: readonly string[] = Object.freeze([]);

export function buildLineViews(claim: ClaimDocument): LineView[] {
  return claim.lines.map((line, i) => {
    const modifiers = line.modifiers ?? NO_MODIFIERS;
    const info = codeInfo(line.cpt);
    return {
      number: i + 1,
      line,
      cpt: line.cpt,
      info,
      family: info?.family,
      modifiers,
      side: sideOf(modifiers),
      hasDistinctModifier: modifiers.some(isDistinctProceduralModifier),
    };
  });
}

export function buildDocumentedProcedures(claim: ClaimDocument): DocumentedProcedure[] {
  return (claim.documentation?.procedures ?? []).map((facts) => ({
    facts,
    family: codeFamilyOfDocumented(facts.family),
    regionGroup: regionGroupOf(facts.region),
    levels: [...new Set(facts.levels.map(normalizeLevel))],
  }));
}

/** Documented procedures a billed line could describe: same family, same region group when given. */
export function proceduresFor(view: ClaimView, family: CodeFamily, regionGroup?: RegionGroup): DocumentedProcedure[] {
  return view.procedures.filter((p) => p.family === family && (!regionGroup || p.regionGroup === regionGroup));
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Levels billed for a code: units summed per side (RT, LT, bilateral/none), the largest side
 * counting, so 64484-RT + 64484-LT is one additional level billed on both sides.
 */
export function levelsBilled(lines: readonly LineView[]): number {
  let right = 0;
  let left = 0;
  let other = 0;
  for (const l of lines) {
    if (l.side === 'right') right += l.line.units;
    else if (l.side === 'left') left += l.line.units;
    else other += l.line.units;
  }
  return Math.max(right, left, other);
}

/** The laterality billed across several lines of one code (50, or RT + LT lines → bilateral). */
export function billedSide(lines: readonly LineView[]): Side | undefined {
  let right = false;
  let left = false;
  for (const l of lines) {
    if (l.side === 'bilateral') return 'bilateral';
    if (l.side === 'right') right = true;
    if (l.side === 'left') left = true;
  }
  if (right && left) return 'bilateral';
  return right ? 'right' : left ? 'left' : undefined;
}

/** The laterality documented across procedures: any bilateral (or left + right) → bilateral. */
export function documentedSide(procedures: readonly DocumentedProcedure[]): Side | 'midline' | undefined {
  let right = false;
  let left = false;
  let midline = false;
  for (const p of procedures) {
    if (p.facts.laterality === 'bilateral') return 'bilateral';
    if (p.facts.laterality === 'right') right = true;
    if (p.facts.laterality === 'left') left = true;
    if (p.facts.laterality === 'midline') midline = true;
  }
  if (right && left) return 'bilateral';
  return right ? 'right' : left ? 'left' : midline ? 'midline' : undefined;
}

export function finding(
  ruleId: string,
  severity: Severity,
  message: string,
  where: { line?: number; fix?: string } = {},
): Finding {
  const f: Finding =
    where.line !== undefined ? { ruleId, severity, line: where.line, message } : { ruleId, severity, message };
  if (where.fix !== undefined) f.fix = where.fix;
  return f;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
