/**
 * The revenue-gap audit (DOMAIN.md §6): for a practice and a year, each rule family yields figures
 * — how often a rule was not met and the dollars attached (denied, underpaid, missed, written off,
 * at risk) — listed largest first. This module is pure: it validates, merges and ranks the rows
 * the read-model queries (db/audit.ts) produce, and parses the scrub's fix text into the codes a
 * missed-revenue estimate needs. No I/O, no clock.
 */

export const AUDIT_FAMILIES = ['ELIG', 'AUTH', 'CODE', 'CHG', 'SUB', 'POST', 'DEN', 'AR', 'CRED'] as const;
export type AuditFamily = (typeof AUDIT_FAMILIES)[number];

export const GAP_KINDS = ['denied', 'underpaid', 'missed', 'written_off', 'at_risk'] as const;
export type GapKind = (typeof GAP_KINDS)[number];

/** One figure of one rule: `metric` says what was counted (e.g. `not_appealed_within_30_days`). */
export type AuditRow = {
  family: AuditFamily;
  ruleId: string;
  metric: string;
  occurrences: number;
  dollarsCents: number;
  kind: GapKind;
  /** *Added (issue 15)*: the claims behind a claim figure (the dashboard's drill-down); absent for appointment, authorization and credential figures. */
  claimIds?: string[];
};

export type AuditFinding = AuditRow;

export type KindTotals = Record<GapKind, number>;

export type FamilyFigure = {
  family: AuditFamily;
  dollarsCents: number;
  occurrences: number;
  byKind: KindTotals;
  findings: Array<Omit<AuditFinding, 'family'>>;
};

export type AuditTotals = {
  dollarsCents: number;
  occurrences: number;
  byKind: KindTotals;
  findings: number;
};

export type AuditSummary = {
  families: FamilyFigure[];
  findings: AuditFinding[];
  totals: AuditTotals;
};

const RULE_ID = /^([A-Z]+)-(\d+)$/;

/** The family of a rule id from DOMAIN.md (`CODE-6` → `CODE`), or undefined for an unknown prefix. */
export function familyOfRule(ruleId: string): AuditFamily | undefined {
  const m = RULE_ID.exec(ruleId);
  if (!m) return undefined;
  return (AUDIT_FAMILIES as readonly string[]).includes(m[1]) ? (m[1] as AuditFamily) : undefined;
}

const emptyKinds = (): KindTotals => ({ denied: 0, underpaid: 0, missed: 0, written_off: 0, at_risk: 0 });
const familyRank = (f: AuditFamily) => AUDIT_FAMILIES.indexOf(f);
const ruleNumber = (ruleId: string) => Number(RULE_ID.exec(ruleId)?.[2] ?? 0);

/** Largest first: dollars, then occurrences; ties in a stable, readable order (family, rule number, metric). */
export function compareFindings(a: AuditFinding, b: AuditFinding): number {
  return (
    b.dollarsCents - a.dollarsCents ||
    b.occurrences - a.occurrences ||
    familyRank(a.family) - familyRank(b.family) ||
    ruleNumber(a.ruleId) - ruleNumber(b.ruleId) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.metric.localeCompare(b.metric) ||
    GAP_KINDS.indexOf(a.kind) - GAP_KINDS.indexOf(b.kind)
  );
}

function check(row: AuditRow, i: number): void {
  const where = `audit row ${i} (${row.ruleId ?? '?'} ${row.metric ?? '?'})`;
  if (!(AUDIT_FAMILIES as readonly string[]).includes(row.family)) throw new RangeError(`${where}: unknown family "${row.family}"`);
  if (familyOfRule(row.ruleId) !== row.family) throw new RangeError(`${where}: rule ${row.ruleId} is not in family ${row.family}`);
  if (!row.metric) throw new RangeError(`${where}: metric is required`);
  if (!(GAP_KINDS as readonly string[]).includes(row.kind)) throw new RangeError(`${where}: unknown kind "${row.kind}"`);
  for (const field of ['occurrences', 'dollarsCents'] as const) {
    const v = row[field];
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${where}: ${field} must be a whole number ≥ 0, got ${v}`);
  }
}

/**
 * Rank the rows: rows with the same family, rule, metric and kind are added together; rows with
 * nothing in them (0 occurrences and $0) are dropped; findings are sorted by dollars then
 * occurrences, largest first; every family is listed (a family with no finding has zeros and
 * comes last), each with its totals. Totals add the figures: one claim can appear under more than
 * one rule (denied under DEN-2 and not appealed under DEN-4), so they are not distinct dollars.
 */
export function buildAudit(rows: readonly AuditRow[]): AuditSummary {
  const merged = new Map<string, AuditFinding>();
  rows.forEach((row, i) => {
    check(row, i);
    const key = `${row.family}|${row.ruleId}|${row.metric}|${row.kind}`;
    const prev = merged.get(key);
    if (prev) {
      prev.occurrences += row.occurrences;
      prev.dollarsCents += row.dollarsCents;
    } else {
      merged.set(key, { family: row.family, ruleId: row.ruleId, metric: row.metric, occurrences: row.occurrences, dollarsCents: row.dollarsCents, kind: row.kind });
    }
  });
  const findings = [...merged.values()].filter((f) => f.occurrences > 0 || f.dollarsCents > 0).sort(compareFindings);

  const families: FamilyFigure[] = AUDIT_FAMILIES.map((family) => {
    const own = findings.filter((f) => f.family === family);
    const byKind = emptyKinds();
    for (const f of own) byKind[f.kind] += f.dollarsCents;
    return {
      family,
      dollarsCents: own.reduce((s, f) => s + f.dollarsCents, 0),
      occurrences: own.reduce((s, f) => s + f.occurrences, 0),
      byKind,
      findings: own.map(({ family: _family, ...rest }) => rest),
    };
  });
  families.sort((a, b) => b.dollarsCents - a.dollarsCents || b.occurrences - a.occurrences || familyRank(a.family) - familyRank(b.family));

  const byKind = emptyKinds();
  for (const f of findings) byKind[f.kind] += f.dollarsCents;
  return {
    families,
    findings,
    totals: {
      dollarsCents: findings.reduce((s, f) => s + f.dollarsCents, 0),
      occurrences: findings.reduce((s, f) => s + f.occurrences, 0),
      byKind,
      findings: findings.length,
    },
  };
}

/** What a scrub finding's fix asks for, in codes: a line to add, or one code to bill instead of another. */
export type CodeGap = { add: string } | { bill: string; insteadOf: string };

const CODE = '([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})';
const ADD_LINE = new RegExp(`^Add an? ${CODE} line\\b`);
const BILL_INSTEAD = new RegExp(`^Bill ${CODE}\\b.*\\binstead of ${CODE}\\b`);

/**
 * CODE-7 / CODE-11: the scrub's fix text names the code that was not billed ("Add a 77003 line
 * for the guidance.") or the code that should have been billed ("Bill 99214 instead of 99213.").
 * Undefined when the fix names no code.
 */
export function codeGapFromFix(fix: string | undefined): CodeGap | undefined {
  if (!fix) return undefined;
  const add = ADD_LINE.exec(fix);
  if (add) return { add: add[1] };
  const bill = BILL_INSTEAD.exec(fix);
  if (bill) return { bill: bill[1], insteadOf: bill[2] };
  return undefined;
}

/**
 * Missed revenue of a code gap at the payer's allowables: the allowable of the line not billed,
 * or the difference between the supported code and the billed one (never below 0). A code without
 * an allowable counts $0 (the gap is still an occurrence).
 */
export function missedCentsForGap(gap: CodeGap, allowableCents: Readonly<Record<string, number>>): number {
  const of = (cpt: string) => allowableCents[cpt] ?? 0;
  if ('add' in gap) return of(gap.add);
  if (allowableCents[gap.bill] === undefined) return 0;
  return Math.max(0, of(gap.bill) - of(gap.insteadOf));
}

/** Estimated value of scheduled codes (sum of allowables; codes without one count $0). */
export function estimatedCents(cpts: readonly string[], allowableCents: Readonly<Record<string, number>>): number {
  return cpts.reduce((s, cpt) => s + (allowableCents[cpt] ?? 0), 0);
}

/** Validates an audit year: a whole number from 2000 to 2100 (the business-day calendar's range). */
export function isAuditYear(year: number): boolean {
  return Number.isInteger(year) && year >= 2000 && year <= 2100;
}
