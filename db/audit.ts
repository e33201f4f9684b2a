/**
 * Read-model queries of the revenue-gap audit (DOMAIN.md §6): per rule family, how often a rule
 * was not met for a practice in a year and the dollars attached. Ranking and totals are in
 * domain/audit.ts; this module only reads.
 *
 * Which date puts a figure in the year:
 * - everything attached to a claim (denials, payments, scrub findings, claim events, claim work
 *   items): the claim's **date of service** (`claims.service_date`), so a year's figures are the
 *   year's services, whenever the payer answered;
 * - appointments (ELIG/AUTH flags, CHG-2 missing charges): the appointment's date of service;
 * - authorizations: `valid_from`, else the day the request was created;
 * - credential lapses: the credential's expiry date; credential work items: their due date;
 * - POST-7 deposit differences: the payment date reconciled; DEN-7 patterns: the last denial date.
 *
 * "Late" (a deadline not met) is judged against `asOf` (today, UTC, for the API): an open item
 * past its due date, or one completed after it.
 */
import type { Knex } from 'knex';
import { codeGapFromFix, estimatedCents, familyOfRule, missedCentsForGap, type AuditFamily, type AuditRow, type GapKind } from '../domain/audit';
import { loadEffectiveContract } from './contracts';
import type { EffectiveContract } from '../domain/practice-contract';

export type AuditQuery = { practiceId: string; year: number; asOf: string };

type Ctx = AuditQuery & { db: Knex; from: string; to: string; fees: (payerId: string, year: number) => Promise<Record<string, number>> };

const n = (v: unknown) => Number(v ?? 0);
const utcDate = (col: string) => `(${col} at time zone 'UTC')::date`;
/** Claim of the practice with its date of service in the year: 3 bindings (practice, from, to). */
const CLAIM_IN_YEAR = `c.practice_id = ? and c.service_date >= ?::date and c.service_date < ?::date`;
/** A work item whose deadline was missed (1 binding: asOf). Items closed by the system (claim paid, re-verified) are not late. */
const LATE = `((w.status = 'open' and w.due_date < ?::date) or (w.status = 'completed' and ${utcDate('w.completed_at')} > w.due_date))`;

async function rows(ctx: Ctx, sql: string, bindings: unknown[]): Promise<any[]> {
  const res = await ctx.db.raw(sql, bindings as any[]);
  return res.rows;
}
const claimBindings = (ctx: Ctx) => [ctx.practiceId, ctx.from, ctx.to];

/** `claimIds`: the claims behind the figure (the dashboard's drill-down), when it is about claims. */
function fig(family: AuditFamily, ruleId: string, metric: string, kind: GapKind, occurrences: unknown, dollarsCents: unknown, claimIds?: unknown): AuditRow {
  const row: AuditRow = { family, ruleId, metric, kind, occurrences: n(occurrences), dollarsCents: n(dollarsCents) };
  if (claimIds !== undefined) row.claimIds = ((claimIds as string[] | null) ?? []).filter(Boolean);
  return row;
}

// ------------------------------------------------------------------ DEN
async function denials(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // DEN-2: denied dollars by category and kind. A claim denied twice in one category/kind counts
  // two occurrences but its billed amount once.
  const byKind = await rows(
    ctx,
    `select category, kind, array_agg(claim_id) as claim_ids, sum(cnt)::int as occurrences, coalesce(sum(billed), 0)::bigint as dollars from (
       select d.claim_id, d.category, d.kind, count(*) as cnt, max(c.billed_cents) as billed
       from denials d join claims c on c.practice_id = d.practice_id and c.claim_id = d.claim_id
       where ${CLAIM_IN_YEAR}
       group by d.claim_id, d.category, d.kind) x
     group by category, kind`,
    claimBindings(ctx),
  );
  for (const r of byKind) out.push(fig('DEN', 'DEN-2', `denied_${r.category}_${r.kind}`, 'denied', r.occurrences, r.dollars, r.claim_ids));

  // DEN-3 (soft: corrected claim within 5 business days) and DEN-4 (hard, appealable: appeal within
  // 30 days of the denial date). Deadline from denials.action_due; the claim's dollars count while
  // the denial was not later paid.
  const [soft] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.billed_cents) filter (where d.status <> 'resolved_paid'), 0)::bigint as dollars
     from denials d join claims c on c.practice_id = d.practice_id and c.claim_id = d.claim_id
     where ${CLAIM_IN_YEAR} and d.category = 'soft' and d.action_due is not null and d.action_due < ?::date
       and not exists (select 1 from claim_versions v where v.practice_id = d.practice_id and v.claim_id = d.claim_id and v.created_at >= d.received_at and ${utcDate('v.created_at')} <= d.action_due)`,
    [...claimBindings(ctx), ctx.asOf],
  );
  out.push(fig('DEN', 'DEN-3', 'soft_denial_not_corrected_in_5_business_days', 'at_risk', soft.occurrences, soft.dollars, soft.claim_ids));
  const [hard] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.billed_cents) filter (where d.status <> 'resolved_paid'), 0)::bigint as dollars
     from denials d join claims c on c.practice_id = d.practice_id and c.claim_id = d.claim_id
     where ${CLAIM_IN_YEAR} and d.category = 'hard' and d.action_due is not null and d.action_due < ?::date
       and not exists (select 1 from claim_events e where e.practice_id = d.practice_id and e.claim_id = d.claim_id and e.to_status = 'appealed' and e.at >= d.received_at and ${utcDate('e.at')} <= d.action_due)`,
    [...claimBindings(ctx), ctx.asOf],
  );
  out.push(fig('DEN', 'DEN-4', 'hard_denial_not_appealed_in_30_days', 'at_risk', hard.occurrences, hard.dollars, hard.claim_ids));

  // DEN-5: peer-to-peer for a medical-necessity denial not requested on time.
  out.push(...(await lateClaimItems(ctx, ['peer_to_peer'], 'DEN', 'peer_to_peer_late')));

  // DEN-7: recurring patterns (root-cause items). Dollars: the billed dollars of the claims those
  // patterns' denials are on, each denied claim counted once, whatever the number of patterns
  // (CPT × payer × CARC, one item per month) it matches or the number of times it was denied.
  const [patterns] = await rows(
    ctx,
    `with items as (
       select w.practice_id, w.detail from work_items w
       where w.practice_id = ? and w.kind = 'denial_root_cause' and w.rule_id = 'DEN-7'
         and (w.detail->>'lastDenialDate')::date >= ?::date and (w.detail->>'lastDenialDate')::date < ?::date
     ), denied_claims as (
       select distinct c.claim_id, c.billed_cents from items w
       join denials d on d.payer_id = w.detail->>'payerId' and d.carc = w.detail->>'carc' and (w.detail->>'cpt') = any(d.cpt_codes)
       join claims c on c.practice_id = d.practice_id and c.claim_id = d.claim_id and c.practice_id = w.practice_id
       where c.service_date >= ?::date and c.service_date < ?::date
     )
     select (select count(*) from items)::int as occurrences, (select coalesce(sum(billed_cents), 0) from denied_claims)::bigint as dollars,
            (select array_agg(claim_id) from denied_claims) as claim_ids`,
    [ctx.practiceId, ctx.from, ctx.to, ctx.from, ctx.to],
  );
  out.push(fig('DEN', 'DEN-7', 'recurring_denial_pattern', 'denied', patterns.occurrences, patterns.dollars, patterns.claim_ids));
  return out;
}

/** Claim work items of these kinds whose deadline was missed, grouped by their rule. */
async function lateClaimItems(ctx: Ctx, kinds: string[], family: AuditFamily, metric: string, dollars = 'w.dollars_at_risk_cents'): Promise<AuditRow[]> {
  const found = await rows(
    ctx,
    `select w.rule_id, array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(${dollars}), 0)::bigint as dollars
     from work_items w join claims c on c.practice_id = w.practice_id and c.claim_id = w.entity_id
     where w.entity_type = 'claim' and w.kind in (${kinds.map(() => '?').join(', ')}) and ${CLAIM_IN_YEAR} and ${LATE}
     group by w.rule_id`,
    [...kinds, ...claimBindings(ctx), ctx.asOf],
  );
  return found.filter((r) => familyOfRule(r.rule_id ?? '') === family).map((r) => fig(family, r.rule_id, metric, 'at_risk', r.occurrences, r.dollars, r.claim_ids));
}

// ------------------------------------------------------------------ POST
async function posting(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // POST-2…POST-5: paid below the contract (variance = expected − paid, > 0 is an underpayment).
  const [under] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(p.variance_cents), 0)::bigint as dollars
     from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id where ${CLAIM_IN_YEAR} and p.variance_cents > 0`,
    claimBindings(ctx),
  );
  out.push(fig('POST', 'POST-5', 'underpaid_vs_contract', 'underpaid', under.occurrences, under.dollars, under.claim_ids));
  // POST-5: dispute not opened within 5 business days of the ERA.
  out.push(...(await lateClaimItems(ctx, ['underpayment_dispute'], 'POST', 'dispute_not_opened_in_5_business_days', `coalesce((w.detail->>'underpaidCents')::bigint, w.dollars_at_risk_cents)`)));
  // POST-1: ERA posted more than one business day after receipt.
  const [lag] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(p.paid_cents), 0)::bigint as dollars
     from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id where ${CLAIM_IN_YEAR} and p.posting_lag_business_days > 1`,
    claimBindings(ctx),
  );
  out.push(fig('POST', 'POST-1', 'posted_after_1_business_day', 'at_risk', lag.occurrences, lag.dollars, lag.claim_ids));
  // POST-7: posted payments vs bank deposit differences (reconciliation items).
  const [recon] = await rows(
    ctx,
    `select count(*)::int as occurrences, coalesce(sum(w.dollars_at_risk_cents), 0)::bigint as dollars
     from work_items w where w.practice_id = ? and w.kind = 'reconciliation' and w.rule_id = 'POST-7'
       and (w.detail->>'date')::date >= ?::date and (w.detail->>'date')::date < ?::date`,
    [ctx.practiceId, ctx.from, ctx.to],
  );
  out.push(fig('POST', 'POST-7', 'deposit_difference', 'at_risk', recon.occurrences, recon.dollars));
  return out;
}

// ------------------------------------------------------------------ CHG
async function charges(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  const [lag] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.billed_cents), 0)::bigint as dollars from claims c where ${CLAIM_IN_YEAR} and c.charge_lag_days > 7`,
    claimBindings(ctx),
  );
  out.push(fig('CHG', 'CHG-1', 'charge_lag_over_7_days', 'at_risk', lag.occurrences, lag.dollars, lag.claim_ids));
  // CHG-2: completed appointments with no charge; dollars estimated at the payer's allowables.
  const missing = await rows(
    ctx,
    `select distinct a.appointment_id, a.payer_id, a.service_date, a.cpts
     from work_items w join appointments a on a.appointment_id = w.entity_id
     where w.entity_type = 'appointment' and w.kind = 'missing_charge' and w.rule_id = 'CHG-2'
       and a.practice_id = ? and a.service_date >= ?::date and a.service_date < ?::date`,
    [ctx.practiceId, ctx.from, ctx.to],
  );
  let missed = 0;
  for (const a of missing) missed += estimatedCents(a.cpts, await ctx.fees(a.payer_id, Number(String(a.service_date).slice(0, 4))));
  out.push(fig('CHG', 'CHG-2', 'appointment_without_charge', 'missed', missing.length, missed));
  // CHG-3 / CRED-7: claims held because the provider was not credentialed/enrolled on the DOS.
  const [held] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.billed_cents), 0)::bigint as dollars from claims c
     where ${CLAIM_IN_YEAR} and exists (select 1 from claim_events e where e.practice_id = c.practice_id and e.claim_id = c.claim_id and e.to_status = 'held')`,
    claimBindings(ctx),
  );
  out.push(fig('CHG', 'CHG-3', 'claims_held_for_credentials', 'at_risk', held.occurrences, held.dollars, held.claim_ids));
  return out;
}

// ------------------------------------------------------------------ SUB + scrub findings by rule
async function submission(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // SUB-1: claims whose first scrub (version 1) had errors, and each rule that failed then.
  const firstPass = await rows(
    ctx,
    `select c.claim_id, max(c.billed_cents) as billed, jsonb_agg(w.detail->'findings') as findings
     from work_items w join claims c on c.practice_id = w.practice_id and c.claim_id = w.entity_id
     where w.entity_type = 'claim' and w.kind = 'correction' and w.rule_id = 'SUB-1' and w.idempotency_key like '%:correction:v1'
       and ${CLAIM_IN_YEAR}
     group by c.practice_id, c.claim_id`,
    claimBindings(ctx),
  );
  out.push(fig('SUB', 'SUB-1', 'claims_with_scrub_errors_first_pass', 'at_risk', firstPass.length, firstPass.reduce((s, r) => s + n(r.billed), 0), firstPass.map((r) => r.claim_id)));
  const byRule = new Map<string, { claims: number; dollars: number; ids: string[] }>();
  for (const r of firstPass) {
    const rules = new Set<string>(
      (r.findings as unknown[]).flatMap((list) => (Array.isArray(list) ? list : [])).filter((f: any) => f?.severity === 'error' || f?.severity === undefined).map((f: any) => String(f?.ruleId ?? '')),
    );
    for (const ruleId of rules) {
      if (!familyOfRule(ruleId)) continue;
      const acc = byRule.get(ruleId) ?? { claims: 0, dollars: 0, ids: [] };
      acc.ids.push(r.claim_id);
      acc.claims += 1;
      acc.dollars += n(r.billed);
      byRule.set(ruleId, acc);
    }
  }
  for (const [ruleId, acc] of byRule) out.push(fig(familyOfRule(ruleId)!, ruleId, 'scrub_error_first_pass', 'at_risk', acc.claims, acc.dollars, acc.ids));

  // SUB-4: the timely-filing window closed before the claim was accepted.
  const [expired] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.billed_cents), 0)::bigint as dollars from claims c
     where ${CLAIM_IN_YEAR} and (c.status = 'timely_filing_expired' or exists (select 1 from claim_events e where e.practice_id = c.practice_id and e.claim_id = c.claim_id and e.to_status = 'timely_filing_expired'))`,
    claimBindings(ctx),
  );
  out.push(fig('SUB', 'SUB-4', 'timely_filing_expired', 'missed', expired.occurrences, expired.dollars, expired.claim_ids));
  // SUB-5: front-end rejections (each rejection counts; the claim's dollars once).
  const [rejected] = await rows(
    ctx,
    `select array_agg(claim_id) as claim_ids, coalesce(sum(cnt), 0)::int as occurrences, coalesce(sum(billed), 0)::bigint as dollars from (
       select c.claim_id, count(*) as cnt, max(c.billed_cents) as billed
       from claim_events e join claims c on c.practice_id = e.practice_id and c.claim_id = e.claim_id where ${CLAIM_IN_YEAR} and e.to_status = 'rejected' group by c.practice_id, c.claim_id) x`,
    claimBindings(ctx),
  );
  out.push(fig('SUB', 'SUB-5', 'rejected_by_clearinghouse_or_payer', 'at_risk', rejected.occurrences, rejected.dollars, rejected.claim_ids));
  return out;
}

// ------------------------------------------------------------------ CODE (missed revenue from the last scrub)
async function coding(ctx: Ctx): Promise<AuditRow[]> {
  const claims = await rows(
    ctx,
    `select c.claim_id, c.payer_id, c.service_date, c.scrub_findings from claims c
     where ${CLAIM_IN_YEAR} and (c.scrub_findings @> '[{"ruleId":"CODE-7"}]'::jsonb or c.scrub_findings @> '[{"ruleId":"CODE-11"}]'::jsonb)`,
    claimBindings(ctx),
  );
  const acc = { 'CODE-7': { occurrences: 0, dollars: 0, ids: [] as string[] }, 'CODE-11': { occurrences: 0, dollars: 0, ids: [] as string[] } };
  for (const c of claims) {
    const fees = await ctx.fees(c.payer_id, Number(String(c.service_date).slice(0, 4)));
    for (const f of (c.scrub_findings ?? []) as Array<{ ruleId: string; severity: string; message: string; fix?: string }>) {
      const missedRevenue = (f.ruleId === 'CODE-7' && f.severity === 'warning') || (f.ruleId === 'CODE-11' && f.severity === 'warning' && /under-coded/.test(f.message));
      if (!missedRevenue) continue;
      const gap = codeGapFromFix(f.fix);
      const a = acc[f.ruleId as 'CODE-7' | 'CODE-11'];
      a.occurrences += 1;
      a.ids.push(c.claim_id);
      a.dollars += gap ? missedCentsForGap(gap, fees) : 0;
    }
  }
  return [
    fig('CODE', 'CODE-7', 'guidance_documented_not_billed', 'missed', acc['CODE-7'].occurrences, acc['CODE-7'].dollars, acc['CODE-7'].ids),
    fig('CODE', 'CODE-11', 'em_under_coded', 'missed', acc['CODE-11'].occurrences, acc['CODE-11'].dollars, acc['CODE-11'].ids),
  ];
}

// ------------------------------------------------------------------ AR
const AR_TOUCH_KINDS = ['active_payer_contact', 'status_inquiry', 'payer_call', 'resolution_path', 'payment_overdue'];

async function receivables(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // AR-5: no payment 90 days after the first submission, still with the payer (denials are under DEN).
  const [unpaid] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences, coalesce(sum(c.dollars_at_risk_cents), 0)::bigint as dollars from claims c
     where ${CLAIM_IN_YEAR} and c.status in ('submitted', 'acknowledged', 'rejected', 'needs_correction', 'held', 'charge_entered', 'scrubbed')
       and (select min(s.submitted_at) from submissions s where s.practice_id = c.practice_id and s.claim_id = c.claim_id and s.coverage_priority = 'primary') < (?::date - 90)
       and not exists (select 1 from payments p where p.practice_id = c.practice_id and p.claim_id = c.claim_id and p.paid_cents > 0)`,
    [...claimBindings(ctx), ctx.asOf],
  );
  out.push(fig('AR', 'AR-5', 'unpaid_over_90_days', 'at_risk', unpaid.occurrences, unpaid.dollars, unpaid.claim_ids));
  // AR-6: approved write-offs: the closing event "written off $X.XX (AR-6, …)", or a partial one's event "written off $X.XX (AR-6 partial, …)".
  const [writeOffs] = await rows(
    ctx,
    `select array_agg(distinct c.claim_id) as claim_ids, count(*)::int as occurrences,
            coalesce(sum(round((substring(e.detail->>'note' from '^written off \\$([0-9]+\\.[0-9]{2})'))::numeric * 100)), 0)::bigint as dollars
     from claim_events e join claims c on c.practice_id = e.practice_id and c.claim_id = e.claim_id
     where ${CLAIM_IN_YEAR} and e.detail->>'note' ~ '^written off \\$[0-9]+\\.[0-9]{2}'`,
    claimBindings(ctx),
  );
  out.push(fig('AR', 'AR-6', 'written_off', 'written_off', writeOffs.occurrences, writeOffs.dollars, writeOffs.claim_ids));
  // AR-1…AR-5: follow-up touches done late or not at all.
  out.push(...(await lateClaimItems(ctx, AR_TOUCH_KINDS, 'AR', 'follow_up_touch_overdue')));
  return out;
}

// ------------------------------------------------------------------ ELIG / AUTH
async function eligibilityAndAuth(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // Appointment flags by rule (ELIG-x, AUTH-x), from every check and the current flags; each
  // appointment once per rule; dollars = the scheduled codes at the payer's allowables.
  const flagged = await rows(
    ctx,
    `select a.appointment_id, a.payer_id, a.service_date, a.cpts, f->>'ruleId' as rule_id
       from appointments a cross join lateral jsonb_array_elements(a.flags) f
       where a.practice_id = ? and a.service_date >= ?::date and a.service_date < ?::date and jsonb_typeof(a.flags) = 'array'
     union
     select a.appointment_id, a.payer_id, a.service_date, a.cpts, f->>'ruleId' as rule_id
       from eligibility_checks ec join appointments a on a.appointment_id = ec.appointment_id
       cross join lateral jsonb_array_elements(ec.findings) f
       where a.practice_id = ? and a.service_date >= ?::date and a.service_date < ?::date and jsonb_typeof(ec.findings) = 'array'`,
    [ctx.practiceId, ctx.from, ctx.to, ctx.practiceId, ctx.from, ctx.to],
  );
  const byRule = new Map<string, { occurrences: number; dollars: number }>();
  for (const r of flagged) {
    const family = familyOfRule(r.rule_id ?? '');
    if (!family) continue;
    const acc = byRule.get(r.rule_id) ?? { occurrences: 0, dollars: 0 };
    acc.occurrences += 1;
    acc.dollars += estimatedCents(r.cpts, await ctx.fees(r.payer_id, Number(String(r.service_date).slice(0, 4))));
    byRule.set(r.rule_id, acc);
  }
  for (const [ruleId, acc] of byRule) out.push(fig(familyOfRule(ruleId)!, ruleId, 'appointments_flagged_before_service', 'at_risk', acc.occurrences, acc.dollars));

  const authYear = `coalesce(a.valid_from, ${utcDate('a.created_at')})`;
  const authValue = async (list: any[]) => {
    let cents = 0;
    for (const a of list) cents += estimatedCents(a.cpts, await ctx.fees(a.payer_id, Number(String(a.year_date).slice(0, 4))));
    return cents;
  };
  // AUTH-1/2/4/6: package incomplete (not submitted), by the rule that blocked it.
  const incomplete = await rows(
    ctx,
    `select distinct w.rule_id, a.auth_id, a.payer_id, a.cpts, ${authYear} as year_date
     from work_items w join authorizations a on a.auth_id = w.entity_id
     where w.entity_type = 'authorization' and w.kind = 'auth_package_incomplete' and a.practice_id = ? and ${authYear} >= ?::date and ${authYear} < ?::date`,
    [ctx.practiceId, ctx.from, ctx.to],
  );
  for (const ruleId of new Set(incomplete.map((r) => String(r.rule_id)))) {
    if (familyOfRule(ruleId) !== 'AUTH') continue;
    const list = incomplete.filter((r) => r.rule_id === ruleId);
    out.push(fig('AUTH', ruleId, 'package_incomplete', 'at_risk', list.length, await authValue(list)));
  }
  // Denied authorizations: AUTH-5 when a peer-to-peer was requested (medical necessity), else AUTH-1.
  const denied = await rows(
    ctx,
    `select a.auth_id, a.payer_id, a.cpts, ${authYear} as year_date,
            case when exists (select 1 from work_items w where w.entity_type = 'authorization' and w.entity_id = a.auth_id and w.kind = 'peer_to_peer') then 'AUTH-5' else 'AUTH-1' end as rule_id
     from authorizations a where a.practice_id = ? and a.status = 'denied' and ${authYear} >= ?::date and ${authYear} < ?::date`,
    [ctx.practiceId, ctx.from, ctx.to],
  );
  for (const ruleId of ['AUTH-1', 'AUTH-5']) {
    const list = denied.filter((r) => r.rule_id === ruleId);
    out.push(fig('AUTH', ruleId, 'authorization_denied', 'denied', list.length, await authValue(list)));
  }
  // AUTH-5: peer-to-peer not requested the same business day.
  const lateP2p = await rows(
    ctx,
    `select a.auth_id, a.payer_id, a.cpts, ${authYear} as year_date
     from work_items w join authorizations a on a.auth_id = w.entity_id
     where w.entity_type = 'authorization' and w.kind = 'peer_to_peer' and a.practice_id = ? and ${authYear} >= ?::date and ${authYear} < ?::date and ${LATE}`,
    [ctx.practiceId, ctx.from, ctx.to, ctx.asOf],
  );
  out.push(fig('AUTH', 'AUTH-5', 'peer_to_peer_late', 'at_risk', lateP2p.length, await authValue(lateP2p)));
  return out;
}

// ------------------------------------------------------------------ CRED
const CRED_RULE: Record<string, string> = { license: 'CRED-1', dea: 'CRED-2', malpractice: 'CRED-3', caqh: 'CRED-4', enrollment: 'CRED-5' };

async function credentialing(ctx: Ctx): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  // Lapsed credentials; dollars = the year's claims of that provider (and payer, for an
  // enrollment) that were held (CRED-7).
  const lapsed = await rows(
    ctx,
    `select cr.kind, count(*)::int as occurrences, coalesce(sum((
        select coalesce(sum(c.billed_cents), 0) from claims c
        where c.rendering_npi = cr.npi and ${CLAIM_IN_YEAR} and (cr.kind <> 'enrollment' or c.payer_id = cr.payer_id)
          and exists (select 1 from claim_events e where e.practice_id = c.practice_id and e.claim_id = c.claim_id and e.to_status = 'held'))), 0)::bigint as dollars
     from credentials cr join providers p on p.npi = cr.npi
     where p.practice_id = ? and cr.status = 'lapsed' and cr.expiry_date >= ?::date and cr.expiry_date < ?::date
     group by cr.kind`,
    [...claimBindings(ctx), ctx.practiceId, ctx.from, ctx.to],
  );
  for (const r of lapsed) out.push(fig('CRED', CRED_RULE[r.kind] ?? 'CRED-7', `${r.kind}_lapsed`, 'at_risk', r.occurrences, r.dollars));
  // Credential work items (renewals, CAQH attestation, enrollment) done late or not at all.
  const late = await rows(
    ctx,
    `select w.rule_id, count(*)::int as occurrences from work_items w
     where w.practice_id = ? and w.entity_type = 'provider' and w.rule_id like 'CRED-%' and w.due_date >= ?::date and w.due_date < ?::date and ${LATE}
     group by w.rule_id`,
    [ctx.practiceId, ctx.from, ctx.to, ctx.asOf],
  );
  for (const r of late) if (familyOfRule(r.rule_id) === 'CRED') out.push(fig('CRED', r.rule_id, 'credential_task_overdue', 'at_risk', r.occurrences, 0));
  return out;
}

/** The terms an audit priced its figures with, per payer and service year (contract version or payer default). */
export type AuditPricing = { payerId: string; year: number; source: 'contract' | 'payer_default'; version: number | null; feeSchedule: string };

/** Every figure of every family for a practice and a year (unranked; see buildAudit). */
export async function auditRows(db: Knex, query: AuditQuery): Promise<AuditRow[]> {
  return (await auditRowsWithPricing(db, query)).rows;
}

/**
 * The figures, and which fee schedule priced them: the practice's contract for each payer and
 * service year, else the payer's default (DOMAIN.md §4).
 */
export async function auditRowsWithPricing(db: Knex, query: AuditQuery): Promise<{ rows: AuditRow[]; pricing: AuditPricing[] }> {
  const cache = new Map<string, Promise<EffectiveContract>>();
  const ctx: Ctx = {
    ...query,
    db,
    from: `${query.year}-01-01`,
    to: `${query.year + 1}-01-01`,
    fees: async (payerId, year) => {
      const key = `${payerId}|${year}`;
      let p = cache.get(key);
      if (!p) {
        p = loadEffectiveContract(db, query.practiceId, payerId, year);
        cache.set(key, p);
      }
      return (await p).feeSchedule.allowableCents as Record<string, number>;
    },
  };
  const parts = await Promise.all([denials(ctx), posting(ctx), charges(ctx), submission(ctx), coding(ctx), receivables(ctx), eligibilityAndAuth(ctx), credentialing(ctx)]);
  const pricing = (await Promise.all(cache.values()))
    .map((c) => ({ payerId: c.payerId, year: c.year, source: c.source, version: c.version, feeSchedule: c.feeSchedule.label ?? c.sources.feeSchedule }))
    .sort((a, b) => a.payerId.localeCompare(b.payerId) || a.year - b.year);
  return { rows: parts.flat(), pricing };
}
