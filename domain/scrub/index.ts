/**
 * The claim scrub (SUB-1): every CODE, CHG and SUB rule plus the claim-time AUTH-2/3/8 checks run
 * on every claim before submission; errors block submission, warnings do not. Pure: no I/O, no
 * clock (the submission date is `context.asOf`, defaulting to the service date). Never throws on
 * a schema-valid claim: a rule that fails unexpectedly becomes a blocking SUB-1 finding.
 */
import type { ClaimDocument } from '../claim-document';
import {
  type PayerPolicy,
  applyPolicyOverrides,
  builtInFeeSchedule,
  defaultPolicyForType,
  hasPayerPolicy,
  isKnownPayer,
  resolvePayerPolicy,
} from '../payer-policy';
import { AUTHORIZATION_RULES } from './authorization';
import { CHARGE_RULES } from './charge';
import { type ClaimView, buildDocumentedProcedures, buildLineViews, finding } from './claim-view';
import { CODING_RULES } from './coding';
import { type Finding, type ScrubContext, ScrubCase, type ScrubResult, type ScrubStatus } from './schemas';
import { SUBMISSION_RULES } from './submission';

export * from './schemas';
export { supportedEmLevel } from './coding';

type Rule = (view: ClaimView) => Finding[];

/** Every rule, in report order. Exported so tests and the audit can enumerate the rule set. */
export const ALL_RULES: readonly Rule[] = [...CODING_RULES, ...CHARGE_RULES, ...SUBMISSION_RULES, ...AUTHORIZATION_RULES];

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function effectivePolicy(claim: ClaimDocument, context: ScrubContext): { policy: PayerPolicy; known: boolean } {
  if (hasPayerPolicy(claim.payerId, context.payerPolicy)) {
    return { policy: resolvePayerPolicy(claim.payerId, context.payerPolicy), known: true };
  }
  // Unknown payer: scrub against the defaults of the overridden type (or the strictest, commercial).
  const base = defaultPolicyForType(context.payerPolicy?.type ?? 'commercial');
  return { policy: applyPolicyOverrides({ ...base, payerId: claim.payerId }, context.payerPolicy), known: false };
}

export function buildClaimView(claim: ClaimDocument, context: ScrubContext = {}): ClaimView {
  const { policy, known } = effectivePolicy(claim, context);
  const serviceYear = Number(claim.serviceDate.slice(0, 4));
  return {
    claim,
    context,
    policy,
    payerKnown: known,
    asOf: context.asOf ?? claim.serviceDate,
    feeSchedule: context.feeSchedule ?? builtInFeeSchedule(isKnownPayer(claim.payerId) ? claim.payerId : policyIdOfType(policy), serviceYear),
    lines: buildLineViews(claim),
    procedures: buildDocumentedProcedures(claim),
    em: claim.documentation?.em,
  };
}

function policyIdOfType(policy: PayerPolicy): string {
  return defaultPolicyForType(policy.type).payerId;
}

export function statusOf(findings: readonly Finding[]): ScrubStatus {
  if (findings.some((f) => f.severity === 'error')) return 'errors';
  if (findings.some((f) => f.severity === 'warning')) return 'warnings';
  return 'clean';
}

/** SUB-1: scrub one claim. Findings are ordered errors first, then by line. */
export function scrubClaim(claim: ClaimDocument, context: ScrubContext = {}): ScrubResult {
  const findings: Finding[] = [];
  let view: ClaimView;
  try {
    view = buildClaimView(claim, context);
  } catch (err) {
    findings.push(internalFinding('the claim could not be prepared', err));
    return { claimId: claim.claimId, status: 'errors', findings };
  }
  if (!view.payerKnown) {
    findings.push(
      finding('SUB-1', 'error', `Payer '${claim.payerId}' has no payer policy; the claim was checked against ${view.policy.type} defaults.`, {
        fix: 'Correct the payer id (MEDICARE, MEDICARE_ADVANTAGE, MEDICAID, COMMERCIAL) or configure a policy for this payer.',
      }),
    );
  }
  for (const rule of ALL_RULES) {
    try {
      for (const f of rule(view)) findings.push(f);
    } catch (err) {
      findings.push(internalFinding(`rule ${rule.name} failed`, err));
    }
  }
  findings.sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.line ?? 0) - (b.line ?? 0) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return { claimId: claim.claimId, status: statusOf(findings), findings };
}

function internalFinding(what: string, err: unknown): Finding {
  const reason = err instanceof Error ? err.message : String(err);
  return finding('SUB-1', 'error', `Internal scrub error: ${what} (${reason}); the claim is held for manual review.`, {
    fix: 'Report this claim id to the RCM engineering team.',
  });
}

/** A validation problem with a JSON path into the input, e.g. `$.claim.lines[0].cpt`. */
export type ScrubCaseIssue = { path: string; message: string };
export type ScrubCaseOutcome = { ok: true; result: ScrubResult } | { ok: false; issues: ScrubCaseIssue[] };

/** `['claim', 'lines', 0, 'cpt']` → `$.claim.lines[0].cpt`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${acc}.${String(key)}` : `${acc}[${JSON.stringify(String(key))}]`),
    '$',
  );
}

/** Validate an untrusted scrub case against the zod schema. */
export function validateScrubCase(input: unknown): { ok: true; value: ScrubCase } | { ok: false; issues: ScrubCaseIssue[] } {
  const parsed = ScrubCase.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: formatJsonPath(issue.path), message: issue.message })) };
}

/** Validate an untrusted scrub case (`{ claim, context? }`) and scrub it, or return the JSON paths that failed. */
export function scrubCase(input: unknown): ScrubCaseOutcome {
  const validated = validateScrubCase(input);
  if (!validated.ok) return validated;
  return { ok: true, result: scrubClaim(validated.value.claim, validated.value.context) };
}
