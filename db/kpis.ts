/**
 * The practice dashboard's figures (issue 15), computed by SQL over the read model for one practice.
 * Definitions and target bands are DOMAIN.md §7 (HFMA MAP Keys where one exists); each KPI carries
 * its definition so the page shows what it measures. The indexes they use are in migration
 * 013_web_dashboard. "Today" is the practice's local date (DOMAIN.md: deadlines end in the
 * practice's time zone).
 */
import type { Knex } from 'knex';
import { resolvePayerPolicy } from '../domain/payer-policy';

export type Band = 'good' | 'watch' | 'bad' | 'no_data';
export type Kpi = {
  key: string;
  /** The heading the dashboard shows. */
  name: string;
  value: number | null;
  /** `dollars`: the value is in cents. */
  unit: 'days' | 'percent' | 'business days' | 'dollars';
  definition: string;
  target: string;
  band: Band;
  /** Numerator / denominator, for the curious. */
  detail?: string;
};

/** Claims in these statuses are not (yet, or any more) receivables. */
export const NOT_AR = ['charge_entered', 'needs_correction', 'held', 'scrubbed', 'closed', 'timely_filing_expired'];
/** Not yet accepted by a payer: the timely-filing clock still matters. */
const BEFORE_FILING = ['charge_entered', 'needs_correction', 'held', 'scrubbed', 'rejected'];

export function practiceToday(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const pct = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 1000) / 10 : null);
const bandOf = (v: number | null, good: (v: number) => boolean, bad: (v: number) => boolean): Band => (v === null ? 'no_data' : good(v) ? 'good' : bad(v) ? 'bad' : 'watch');
const n = (v: unknown) => Number(v ?? 0);

/** Open AR per claim: billed − payer paid − patient responsibility − contractual (CO) adjustments, never below 0. Bindings: practiceId, NOT_AR. */
export const OPEN_AR_SQL = `select c.claim_id, c.payer_id, c.service_date, c.rendering_npi,
            greatest(c.billed_cents - coalesce(sum(p.paid_cents + p.patient_responsibility_cents), 0) - coalesce(sum(co.co_cents), 0), 0)::bigint as balance
       from claims c
       left join payments p on p.practice_id = c.practice_id and p.claim_id = c.claim_id
       left join lateral (select sum(a.amount_cents) as co_cents from adjustments a where a.payment_id = p.id and a.group_code = 'CO') co on true
      where c.practice_id = ? and c.status <> all(?)
      group by c.practice_id, c.claim_id`;

export async function practiceKpis(db: Knex, practiceId: string, today: string): Promise<Kpi[]> {
  const [arRow] = (
    await db.raw(
      `with ar as (${OPEN_AR_SQL})
       select coalesce(sum(balance), 0) as open_ar,
              coalesce(sum(balance) filter (where service_date < ?::date - 90), 0) as ar_over_90,
              (select coalesce(sum(billed_cents), 0) from claims where practice_id = ? and service_date > ?::date - 90 and service_date <= ?::date) as charges_90
         from ar`,
      [practiceId, NOT_AR, today, practiceId, today, today],
    )
  ).rows;
  const openAr = n(arRow.open_ar);
  const charges90 = n(arRow.charges_90);
  const daysInAr = charges90 > 0 ? Math.round((openAr / (charges90 / 90)) * 10) / 10 : null;
  const arOver90 = pct(n(arRow.ar_over_90), openAr);

  const [clean] = (
    await db.raw(
      `with firsts as (
         select distinct on (s.claim_id) s.claim_id, s.practice_id, s.status, s.submitted_at
           from submissions s join claims c on c.practice_id = s.practice_id and c.claim_id = s.claim_id
          where c.practice_id = ?
          order by s.claim_id, s.id)
       select count(*) as answered,
              count(*) filter (where f.status = 'accepted'
                and not exists (select 1 from submissions r where r.practice_id = f.practice_id and r.claim_id = f.claim_id and r.status = 'rejected')
                and not exists (select 1 from claim_versions v where v.practice_id = f.practice_id and v.claim_id = f.claim_id and v.version > 1)) as clean
         from firsts f
        where f.status <> 'sent' and f.submitted_at >= ?::date - 90`,
      [practiceId, today],
    )
  ).rows;
  const cleanRate = pct(n(clean.clean), n(clean.answered));

  const [den] = (
    await db.raw(
      `with adjudicated as (
         select p.claim_id from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id
          where c.practice_id = ? and p.payment_date > ?::date - 90
         union
         select d.claim_id from denials d where d.practice_id = ? and d.denial_date > ?::date - 90)
       select (select count(*) from adjudicated) as adjudicated,
              (select count(distinct d.claim_id) from denials d where d.practice_id = ? and d.denial_date > ?::date - 90) as denied`,
      [practiceId, today, practiceId, today, practiceId, today],
    )
  ).rows;
  const denialRate = pct(n(den.denied), n(den.adjudicated));

  const [ncr] = (
    await db.raw(
      `select coalesce(sum(c.billed_cents), 0) as charges,
              coalesce(sum(pay.collected), 0) as collected,
              coalesce(sum(pay.co), 0) as contractual
         from claims c
         left join lateral (
           select sum(p.paid_cents + p.patient_responsibility_cents) as collected,
                  sum((select coalesce(sum(a.amount_cents), 0) from adjustments a where a.payment_id = p.id and a.group_code = 'CO')) as co
             from payments p where p.practice_id = c.practice_id and p.claim_id = c.claim_id) pay on true
        where c.practice_id = ? and c.service_date > ?::date - 180 and c.service_date <= ?::date - 90`,
      [practiceId, today, today],
    )
  ).rows;
  const ncrDen = n(ncr.charges) - n(ncr.contractual);
  const netCollection = pct(n(ncr.collected), ncrDen);

  const [lag] = (
    await db.raw(
      `select percentile_cont(0.5) within group (order by charge_lag_days) as median,
              percentile_cont(0.9) within group (order by charge_lag_days) as p90,
              count(charge_lag_days) as claims
         from claims where practice_id = ? and created_at >= ?::date - 90 and charge_lag_days is not null`,
      [practiceId, today],
    )
  ).rows;
  const chargeLag = lag.median === null ? null : Number(lag.median);

  const [post] = (
    await db.raw(
      `select avg(p.posting_lag_business_days)::float as avg, count(p.posting_lag_business_days) as payments
         from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id
        where c.practice_id = ? and p.posted_at >= ?::date - 90 and p.posting_lag_business_days is not null`,
      [practiceId, today],
    )
  ).rows;
  const postingLag = post.avg === null ? null : Math.round(Number(post.avg) * 10) / 10;

  // Underpayments (POST-5): variance found on payments dated in the last 12 months, and what later
  // payments on the same claim recovered (capped at what was found per claim).
  const [under] = (
    await db.raw(
      `with found as (
         select p.practice_id, p.claim_id, min(p.id) as first_id, sum(p.variance_cents) as found
           from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id
          where c.practice_id = ? and p.variance_cents > 0 and p.payment_date > ?::date - 365
          group by p.practice_id, p.claim_id)
       select coalesce(sum(f.found), 0) as found, count(*) as claims,
              (select count(*) from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id where c.practice_id = ? and p.payment_date > ?::date - 365) as payments,
              coalesce(sum(least(f.found, (select coalesce(sum(l.paid_cents), 0) from payments l where l.practice_id = f.practice_id and l.claim_id = f.claim_id and l.id > f.first_id))), 0) as recovered
         from found f`,
      [practiceId, today, practiceId, today],
    )
  ).rows;
  const recoveredPct = pct(n(under.recovered), n(under.found));
  // Write-offs: approved AR-6 write-offs (their claim event "written off $X.XX") and claims whose
  // timely-filing window expired unpaid (SUB-4, their billed amount), in the last 12 months.
  const [wo] = (
    await db.raw(
      `select coalesce(sum(round((substring(e.detail->>'note' from '^written off \\$([0-9]+\\.[0-9]{2})'))::numeric * 100)) filter (where e.detail->>'note' ~ '^written off \\$[0-9]+\\.[0-9]{2}'), 0) as approved,
              coalesce(sum(c.billed_cents) filter (where e.to_status = 'timely_filing_expired' and e.from_status <> 'timely_filing_expired'), 0) as timely_filing,
              count(*) as events
         from claim_events e join claims c on c.practice_id = e.practice_id and c.claim_id = e.claim_id
        where c.practice_id = ? and e.at > ?::date - 365`,
      [practiceId, today],
    )
  ).rows;
  const writeOffs = n(wo.approved) + n(wo.timely_filing);

  const dollars = (c: number) => `$${(c / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
  return [
    {
      key: 'days_in_ar', name: 'Days in AR', value: daysInAr, unit: 'days', target: '< 35 days (over 50 is bad)',
      definition: 'Open AR $ today ÷ (gross charges of the last 90 days ÷ 90).',
      band: bandOf(daysInAr, (v) => v < 35, (v) => v > 50),
      detail: `open AR ${dollars(openAr)}; charges of the last 90 days ${dollars(charges90)}`,
    },
    {
      key: 'clean_claim_rate', name: 'Clean-claim rate', value: cleanRate, unit: 'percent', target: '≥ 95% (best ≥ 98%)',
      definition: 'Claims accepted by the payer on their first submission with no correction or rejection ÷ claims first submitted (and answered) in the last 90 days.',
      band: bandOf(cleanRate, (v) => v >= 95, (v) => v < 90),
      detail: `${n(clean.clean)} of ${n(clean.answered)} claims`,
    },
    {
      key: 'denial_rate', name: 'Denial rate', value: denialRate, unit: 'percent', target: '< 5%',
      definition: 'Claims with a denial (whole claim or a line) ÷ claims adjudicated in the last 90 days.',
      band: bandOf(denialRate, (v) => v < 5, (v) => v >= 10),
      detail: `${n(den.denied)} of ${n(den.adjudicated)} claims`,
    },
    {
      key: 'net_collection_rate', name: 'Net collection rate', value: netCollection, unit: 'percent', target: '≥ 97%',
      definition: 'Payments (payer paid + patient responsibility) ÷ (charges − contractual adjustments), claims with a date of service 90–180 days ago (measured ≥ 90 days after it).',
      band: bandOf(netCollection, (v) => v >= 97, (v) => v < 90),
      detail: `${dollars(n(ncr.collected))} of ${dollars(ncrDen)}`,
    },
    {
      key: 'ar_over_90', name: 'AR over 90 days', value: arOver90, unit: 'percent', target: '< 12%',
      definition: 'Open AR $ with a date of service more than 90 days ago ÷ open AR $.',
      band: bandOf(arOver90, (v) => v < 12, (v) => v >= 20),
      detail: `${dollars(n(arRow.ar_over_90))} of ${dollars(openAr)}`,
    },
    {
      key: 'charge_lag', name: 'Charge lag', value: chargeLag, unit: 'days', target: '≤ 3 days (CHG-1: same week)',
      definition: 'Days from date of service to charge entry, median (90th percentile in the detail), claims entered in the last 90 days.',
      band: bandOf(chargeLag, (v) => v <= 3, (v) => v > 7),
      detail: lag.p90 === null ? undefined : `90th percentile ${Number(lag.p90)} days; ${n(lag.claims)} claims`,
    },
    {
      key: 'posting_lag', name: 'Posting lag', value: postingLag, unit: 'business days', target: '≤ 1 business day (POST-1)',
      definition: 'Business days from ERA receipt to posting, average over payments posted in the last 90 days.',
      band: bandOf(postingLag, (v) => v <= 1, (v) => v > 3),
      detail: `${n(post.payments)} payments`,
    },
    {
      key: 'underpayments', name: 'Underpayments', value: n(under.payments) ? n(under.found) : null, unit: 'dollars', target: 'recovered ≥ 80% of found',
      definition: 'Paid below the contract (POST-5 variance) on payments dated in the last 12 months, and the share later payments on those claims recovered.',
      band: !n(under.payments) ? 'no_data' : n(under.found) === 0 ? 'good' : bandOf(recoveredPct, (v) => v >= 80, (v) => v < 50),
      detail: `recovered ${dollars(n(under.recovered))}${recoveredPct === null ? '' : ` (${recoveredPct}%)`} on ${n(under.claims)} claims`,
    },
    {
      key: 'write_offs', name: 'Write-offs', value: n(wo.events) ? writeOffs : null, unit: 'dollars', target: 'timely-filing write-offs = $0',
      definition: 'Dollars written off in the last 12 months: approved write-offs (AR-6) and claims whose timely-filing window expired unpaid (SUB-4).',
      band: !n(wo.events) ? 'no_data' : n(wo.timely_filing) > 0 ? 'bad' : 'good',
      detail: `approved (AR-6) ${dollars(n(wo.approved))}; timely filing ${dollars(n(wo.timely_filing))}`,
    },
  ];
}

export type AgingRow = { payerId: string; b0_30: number; b31_60: number; b61_90: number; b90plus: number; totalCents: number };

/** Open AR by payer in the buckets 0–30, 31–60, 61–90 and 90+ days from the date of service. */
export async function arAging(db: Knex, practiceId: string, today: string): Promise<AgingRow[]> {
  const rows = (
    await db.raw(
      `with ar as (${OPEN_AR_SQL}), aged as (select payer_id, balance, (?::date - service_date) as age from ar where balance > 0)
       select payer_id,
              coalesce(sum(balance) filter (where age <= 30), 0) as b0_30,
              coalesce(sum(balance) filter (where age between 31 and 60), 0) as b31_60,
              coalesce(sum(balance) filter (where age between 61 and 90), 0) as b61_90,
              coalesce(sum(balance) filter (where age > 90), 0) as b90plus,
              sum(balance) as total
         from aged group by payer_id order by total desc`,
      [practiceId, NOT_AR, today],
    )
  ).rows;
  return rows.map((r: Record<string, unknown>) => ({ payerId: String(r.payer_id), b0_30: n(r.b0_30), b31_60: n(r.b31_60), b61_90: n(r.b61_90), b90plus: n(r.b90plus), totalCents: n(r.total) }));
}

export type Deadline = { kind: 'authorization' | 'credential' | 'appeal' | 'timely_filing'; id: string; what: string; due: string; daysLeft: number; ruleId?: string };

/**
 * What falls due soon: authorizations expiring in 30 days, credentials and CAQH attestations due in
 * 60 days (or overdue), appeal deadlines this week, claims not yet accepted within 30 days of
 * timely filing (AR-7). No patient names or member ids.
 */
export async function comingDeadlines(db: Knex, practiceId: string, today: string): Promise<Deadline[]> {
  const payers = await db('payers').select('id', 'policy');
  const tf = payers.map((p: { id: string; policy: Record<string, unknown> }) => {
    try {
      return [p.id, resolvePayerPolicy(p.id, p.policy as never).timelyFilingDays] as const;
    } catch {
      return [p.id, 365] as const;
    }
  });
  const [auths, creds, appeals, filing] = await Promise.all([
    db.raw(
      `select auth_id, payer_id, family, valid_to::text as due, (valid_to - ?::date) as days_left, visits_authorized, visits_used
         from authorizations where practice_id = ? and status = 'approved' and valid_to between ?::date and ?::date + 30 order by valid_to limit 50`,
      [today, practiceId, today, today],
    ),
    db.raw(
      `select c.npi, c.kind, c.payer_id, pr.name as provider, c.expiry_date::text as due, (c.expiry_date - ?::date) as days_left
         from credentials c join providers pr on pr.npi = c.npi
        where pr.practice_id = ? and c.expiry_date is not null and c.expiry_date <= ?::date + 60 order by c.expiry_date limit 50`,
      [today, practiceId, today],
    ),
    db.raw(
      `select claim_id, carc, appeal_deadline::text as due, (appeal_deadline - ?::date) as days_left
         from denials where practice_id = ? and status = 'open' and appeal_deadline between ?::date and ?::date + 7 order by appeal_deadline limit 50`,
      [today, practiceId, today, today],
    ),
    tf.length
      ? db.raw(
          `with tf(payer_id, days) as (values ${tf.map(() => '(?, ?::int)').join(', ')})
           select c.claim_id, c.payer_id, (c.service_date + tf.days)::text as due, (c.service_date + tf.days - ?::date) as days_left
             from claims c join tf on tf.payer_id = c.payer_id
            where c.practice_id = ? and c.status = any(?) and c.service_date + tf.days - ?::date <= 30
            order by days_left limit 50`,
          [...tf.flat(), today, practiceId, BEFORE_FILING, today],
        )
      : { rows: [] },
  ]);
  const out: Deadline[] = [
    ...auths.rows.map((r: Record<string, any>) => ({ kind: 'authorization' as const, id: r.auth_id, what: `Authorization ${r.auth_id} (${r.family}, ${r.payer_id}) expires${r.visits_authorized ? `; ${r.visits_authorized - r.visits_used} of ${r.visits_authorized} visits left` : ''}`, due: r.due, daysLeft: n(r.days_left), ruleId: 'AUTH-8' })),
    ...creds.rows.map((r: Record<string, any>) => ({ kind: 'credential' as const, id: `${r.npi}:${r.kind}${r.payer_id ? `:${r.payer_id}` : ''}`, what: `${r.kind === 'caqh' ? 'CAQH attestation' : `${r.kind} credential`}${r.payer_id ? ` (${r.payer_id})` : ''} of ${r.provider} ${n(r.days_left) < 0 ? 'was due' : 'is due'}`, due: r.due, daysLeft: n(r.days_left) })),
    ...appeals.rows.map((r: Record<string, any>) => ({ kind: 'appeal' as const, id: r.claim_id, what: `Appeal of claim ${r.claim_id} (CARC ${r.carc}) must be filed`, due: r.due, daysLeft: n(r.days_left) })),
    ...filing.rows.map((r: Record<string, any>) => ({ kind: 'timely_filing' as const, id: r.claim_id, what: `Claim ${r.claim_id} (${r.payer_id}) is not accepted yet; timely filing ${n(r.days_left) < 0 ? 'closed' : 'closes'}`, due: r.due, daysLeft: n(r.days_left), ruleId: 'AR-7' })),
  ];
  return out.sort((a, b) => a.daysLeft - b.daysLeft);
}

export type ClaimHit = { claimId: string; practiceId: string; payerId: string; patientId: string; patientName?: string; serviceDate: string; status: string; cptCodes: string[]; billedCents: number };

/**
 * "Find a claim": one box matches a claim id (prefix), patient id, patient name (part), date of
 * service (YYYY-MM-DD or MM/DD/YYYY), payer, CPT or status, within the given practices; an empty
 * term lists the most recently entered claims.
 */
/** The patient's name from the practice's patients table (the claim document carries only the id). */
const PATIENT_NAME_SQL = `(select p.name from patients p where p.practice_id = c.practice_id and p.id = c.document->'patient'->>'id') as patient_name`;

export async function searchClaims(db: Knex, q: string, practiceIds: string[] | 'all', limit = 50): Promise<ClaimHit[]> {
  const term = q.trim();
  if (!term) {
    // No term: the most recently entered claims.
    const recent = db('claims as c')
      .select('c.claim_id', 'c.practice_id', 'c.payer_id', db.raw(`c.document->'patient'->>'id' as patient_id`), db.raw('c.service_date::text as service_date'), 'c.status', 'c.cpt_codes', 'c.billed_cents', db.raw(PATIENT_NAME_SQL))
      .orderBy([{ column: 'c.created_at', order: 'desc' }, { column: 'c.claim_id' }])
      .limit(limit);
    if (practiceIds !== 'all') recent.whereIn('c.practice_id', practiceIds);
    return (await recent).map(hit);
  }
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(term);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(term) ? term : us ? `${us[3]}-${us[1].padStart(2, '0')}-${us[2].padStart(2, '0')}` : undefined;
  const query = db('claims as c')
    .select('c.claim_id', 'c.practice_id', 'c.payer_id', db.raw(`c.document->'patient'->>'id' as patient_id`), db.raw('c.service_date::text as service_date'), 'c.status', 'c.cpt_codes', 'c.billed_cents', db.raw(PATIENT_NAME_SQL))
    .where((w) => {
      w.where('c.claim_id', 'ilike', `${term.replace(/[%_\\]/g, '\\$&')}%`)
        .orWhereRaw(`c.document->'patient'->>'id' = ?`, [term])
        .orWhere('c.payer_id', term.toUpperCase())
        .orWhere('c.status', term.toLowerCase())
        .orWhereRaw('c.cpt_codes @> ?::text[]', [[term.toUpperCase()]]);
      if (date) w.orWhere('c.service_date', date);
      // Patient name: every word of the term (any order, "Last, First" too) in the practice's patients table.
      const words = term.split(/[\s,]+/).filter((x) => x.length >= 2);
      if (term.length >= 3 && !date && words.length) {
        w.orWhereExists((e) => {
          e.select(db.raw('1')).from('patients as p').whereRaw(`p.practice_id = c.practice_id and p.id = c.document->'patient'->>'id'`);
          for (const word of words) e.andWhere('p.name', 'ilike', `%${word.replace(/[%_\\]/g, '\\$&')}%`);
        });
      }
    })
    .orderBy([{ column: 'c.service_date', order: 'desc' }, { column: 'c.claim_id' }])
    .limit(limit);
  if (practiceIds !== 'all') query.whereIn('c.practice_id', practiceIds);
  return (await query).map(hit);
}

const hit = (r: Record<string, any>): ClaimHit => ({ claimId: r.claim_id, practiceId: r.practice_id, payerId: r.payer_id, patientId: r.patient_id, patientName: r.patient_name ?? undefined, serviceDate: r.service_date, status: r.status, cptCodes: r.cpt_codes, billedCents: n(r.billed_cents) });

export type Activity = { claimId: string; from: string | null; to: string; at: string; actor: string };

/** The practice's latest claim moves (status changes), newest first: the dashboard's live feed. */
export async function recentActivity(db: Knex, practiceId: string, limit = 10): Promise<Activity[]> {
  const rows = await db('claim_events as e')
    .join('claims as c', (j) => j.on('c.practice_id', 'e.practice_id').andOn('c.claim_id', 'e.claim_id'))
    .where('c.practice_id', practiceId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .select('e.claim_id', 'e.from_status', 'e.to_status', 'e.at', 'e.actor');
  return rows.map((r: Record<string, any>) => ({ claimId: r.claim_id, from: r.from_status, to: r.to_status, at: new Date(r.at).toISOString(), actor: r.actor }));
}
