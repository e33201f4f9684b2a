/**
 * The dashboard's charts (issue 15), SQL over the read model of one practice: 12-month trends
 * (collections, denials, days in AR at each month's end), denials by CPT × payer × reason with the
 * current DEN-7 patterns, and KPIs per rendering provider. "Today" is the practice's date.
 */
import type { Knex } from 'knex';
import { denialPatterns } from '../domain/denials';

const n = (v: unknown) => Number(v ?? 0);
const pct = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 1000) / 10 : null);

export type TrendMonth = {
  /** YYYY-MM */
  month: string;
  /** Payer payments dated in the month (ERA payment date). */
  collectionsCents: number;
  deniedClaims: number;
  adjudicatedClaims: number;
  denialRate: number | null;
  /** Open AR at the month's end (today for the current month) ÷ (charges of the 90 days before ÷ 90). */
  daysInAr: number | null;
  openArCents: number;
};

/**
 * Twelve months ending with the current one. Open AR at a month's end: claims first submitted by
 * then and not closed (or expired) by then, billed − payer paid − patient responsibility − CO
 * adjustments of the payments dated by then.
 */
export async function monthlyTrends(db: Knex, practiceId: string, today: string): Promise<TrendMonth[]> {
  const { rows } = await db.raw(
    `with months as (
       select to_char(m, 'YYYY-MM') as month, m::date as ms, least((m + interval '1 month' - interval '1 day')::date, ?::date) as me
         from generate_series(date_trunc('month', ?::date) - interval '11 months', date_trunc('month', ?::date), interval '1 month') m),
     firsts as (
       select s.claim_id, min(s.submitted_at)::date as first_sub
         from submissions s join claims c on c.practice_id = s.practice_id and c.claim_id = s.claim_id where c.practice_id = ? group by s.claim_id),
     closings as (
       select e.claim_id, min(e.at)::date as closed_on
         from claim_events e join claims c on c.practice_id = e.practice_id and c.claim_id = e.claim_id
        where c.practice_id = ? and e.to_status in ('closed', 'timely_filing_expired') group by e.claim_id),
     facts as (
       select c.claim_id, c.billed_cents, f.first_sub,
              coalesce(x.closed_on, case when c.status in ('closed', 'timely_filing_expired') then c.updated_at::date end) as closed_on
         from claims c join firsts f on f.claim_id = c.claim_id left join closings x on x.claim_id = c.claim_id
        where c.practice_id = ?),
     co as (
       select a.payment_id, sum(a.amount_cents) as co_cents
         from adjustments a join payments p on p.id = a.payment_id join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id
        where c.practice_id = ? and a.group_code = 'CO' group by a.payment_id),
     pays as (
       select p.claim_id, p.payment_date, p.paid_cents, p.paid_cents + p.patient_responsibility_cents + coalesce(co.co_cents, 0) as reduced
         from payments p join claims c on c.practice_id = p.practice_id and c.claim_id = p.claim_id left join co on co.payment_id = p.id where c.practice_id = ?),
     adjudicated as (
       select claim_id, payment_date as on_date from pays
       union all
       select claim_id, denial_date from denials where practice_id = ?),
     open_billed as (
       select mo.month, sum(f.billed_cents) as v from months mo join facts f on f.first_sub <= mo.me and (f.closed_on is null or f.closed_on > mo.me) group by mo.month),
     open_reduced as (
       select mo.month, sum(p.reduced) as v from months mo join pays p on p.payment_date <= mo.me join facts f on f.claim_id = p.claim_id
        where f.first_sub <= mo.me and (f.closed_on is null or f.closed_on > mo.me) group by mo.month),
     collections as (select mo.month, sum(p.paid_cents) as v from months mo join pays p on p.payment_date between mo.ms and mo.me group by mo.month),
     denied as (select mo.month, count(distinct d.claim_id) as v from months mo join denials d on d.practice_id = ? and d.denial_date between mo.ms and mo.me group by mo.month),
     adjudicated_m as (select mo.month, count(distinct a.claim_id) as v from months mo join adjudicated a on a.on_date between mo.ms and mo.me group by mo.month),
     charges as (select mo.month, sum(c.billed_cents) as v from months mo join claims c on c.practice_id = ? and c.service_date > mo.me - 90 and c.service_date <= mo.me group by mo.month)
     select mo.month, coalesce(co.v, 0) as collections, coalesce(de.v, 0) as denied, coalesce(ad.v, 0) as adjudicated,
            coalesce(ob.v, 0) as billed_open, coalesce(orr.v, 0) as reduced_open, coalesce(ch.v, 0) as charges_90
       from months mo
       left join collections co on co.month = mo.month left join denied de on de.month = mo.month left join adjudicated_m ad on ad.month = mo.month
       left join open_billed ob on ob.month = mo.month left join open_reduced orr on orr.month = mo.month left join charges ch on ch.month = mo.month
      order by mo.month`,
    [today, today, today, practiceId, practiceId, practiceId, practiceId, practiceId, practiceId, practiceId, practiceId],
  );
  return rows.map((r: Record<string, unknown>) => {
    const openAr = Math.max(0, n(r.billed_open) - n(r.reduced_open));
    const charges = n(r.charges_90);
    return {
      month: String(r.month),
      collectionsCents: n(r.collections),
      deniedClaims: n(r.denied),
      adjudicatedClaims: n(r.adjudicated),
      denialRate: pct(n(r.denied), n(r.adjudicated)),
      daysInAr: charges > 0 ? Math.round((openAr / (charges / 90)) * 10) / 10 : null,
      openArCents: openAr,
    };
  });
}

export type DenialCell = { cpt: string; payerId: string; carc: string; denials: number; claims: number; /** Billed on the denied claims, each claim once. */ billedCents: number; lastDenialDate: string; den7Pattern: boolean };

/**
 * Denials of the last 12 months by CPT × payer × CARC, most first (at most `limit`); `den7Pattern`
 * marks a group that is a DEN-7 recurring pattern today (≥ 3 in the 30 days ending today).
 */
export async function denialMatrix(db: Knex, practiceId: string, today: string, limit = 40): Promise<DenialCell[]> {
  const { rows } = await db.raw(
    `select cpt, d.payer_id, d.carc, count(*) as denials, count(distinct d.claim_id) as claims,
            (select coalesce(sum(cc.billed_cents), 0) from claims cc where cc.practice_id = min(d.practice_id) and cc.claim_id = any(array_agg(distinct d.claim_id))) as billed,
            max(d.denial_date)::text as last_date,
            array_agg(d.denial_date::text) filter (where d.denial_date > ?::date - 30) as recent
       from denials d cross join lateral unnest(d.cpt_codes) cpt
      where d.practice_id = ? and d.denial_date > ?::date - 365 and d.denial_date <= ?::date
      group by cpt, d.payer_id, d.carc
      order by count(*) desc, max(d.denial_date) desc, cpt, d.payer_id, d.carc
      limit ?`,
    [today, practiceId, today, today, limit],
  );
  const events = rows.flatMap((r: Record<string, any>) => ((r.recent as string[] | null) ?? []).map((denialDate) => ({ cpt: r.cpt, payerId: r.payer_id, carc: r.carc, denialDate })));
  const current = new Set(denialPatterns(events, today).map((p) => `${p.cpt}|${p.payerId}|${p.carc}`));
  return rows.map((r: Record<string, any>) => ({
    cpt: r.cpt,
    payerId: r.payer_id,
    carc: r.carc,
    denials: n(r.denials),
    claims: n(r.claims),
    billedCents: n(r.billed),
    lastDenialDate: r.last_date,
    den7Pattern: current.has(`${r.cpt}|${r.payer_id}|${r.carc}`),
  }));
}

export type ProviderKpis = { npi: string; name: string | null; claims90: number; charges90Cents: number; openArCents: number; daysInAr: number | null; arOver90: number | null; denialRate: number | null };

/** Per rendering provider: the practice KPIs that divide by provider (same definitions, last 90 days). */
export async function providerKpis(db: Knex, practiceId: string, today: string, openArSql: string, notAr: readonly string[]): Promise<ProviderKpis[]> {
  const { rows } = await db.raw(
    `with ar as (${openArSql}),
     arp as (select rendering_npi, sum(balance) as open_ar, sum(balance) filter (where service_date < ?::date - 90) as ar_over_90 from ar group by rendering_npi),
     ch as (select rendering_npi, count(*) as claims, sum(billed_cents) as charges from claims where practice_id = ? and service_date > ?::date - 90 and service_date <= ?::date group by rendering_npi),
     adj as (
       select c.rendering_npi, count(distinct x.claim_id) as adjudicated, count(distinct x.claim_id) filter (where x.denied) as denied
         from (select p.practice_id, p.claim_id, false as denied from payments p where p.payment_date > ?::date - 90
               union all select d.practice_id, d.claim_id, true from denials d where d.practice_id = ? and d.denial_date > ?::date - 90) x
         join claims c on c.practice_id = x.practice_id and c.claim_id = x.claim_id where c.practice_id = ? group by c.rendering_npi),
     npis as (select rendering_npi from arp union select rendering_npi from ch union select rendering_npi from adj)
     select npis.rendering_npi as npi, pr.name, coalesce(ch.claims, 0) as claims, coalesce(ch.charges, 0) as charges, coalesce(arp.open_ar, 0) as open_ar,
            coalesce(arp.ar_over_90, 0) as ar_over_90, coalesce(adj.adjudicated, 0) as adjudicated, coalesce(adj.denied, 0) as denied
       from npis left join providers pr on pr.npi = npis.rendering_npi
       left join arp on arp.rendering_npi = npis.rendering_npi left join ch on ch.rendering_npi = npis.rendering_npi left join adj on adj.rendering_npi = npis.rendering_npi
      order by coalesce(ch.charges, 0) desc, npis.rendering_npi`,
    [practiceId, [...notAr], today, practiceId, today, today, today, practiceId, today, practiceId],
  );
  return rows.map((r: Record<string, unknown>) => {
    const openAr = n(r.open_ar);
    const charges = n(r.charges);
    return {
      npi: String(r.npi),
      name: (r.name as string | null) ?? null,
      claims90: n(r.claims),
      charges90Cents: charges,
      openArCents: openAr,
      daysInAr: charges > 0 ? Math.round((openAr / (charges / 90)) * 10) / 10 : null,
      arOver90: pct(n(r.ar_over_90), openAr),
      denialRate: pct(n(r.denied), n(r.adjudicated)),
    };
  });
}
