/**
 * Read-model rows for the read-route benches (bench/kpis.ts, bench/api.ts), inserted directly with
 * SQL (no workflows: these routes read only PostgreSQL): per practice, claims over the last 14
 * months in every status, first submissions (some rejected), payments with contractual adjustments
 * for most, denials for some, and optionally open work items. Plus the timing loop they share.
 */
import type { Knex } from 'knex';
import type { FastifyInstance } from 'fastify';
import { percentile } from './env';

export async function seedPracticeReadModel(db: Knex, id: string, claims: number, opts: { workItemsEvery?: number } = {}): Promise<void> {
  await db('remittances')
    .insert({ remittance_key: 'BENCH:1', payer_id: 'MEDICARE', trace_number: '1', payment_date: db.raw('current_date'), adjudication_date: db.raw('current_date'), total_paid_cents: 0, claim_count: 0, source: 'api-json', received_at: new Date() })
    .onConflict('remittance_key')
    .ignore();
  await db('practices').insert({ id, name: `Bench ${id}`, tax_id: '990000001', billing_npi: '1456789019', time_zone: 'America/Chicago' });
  await db.raw(
    `insert into claims (claim_id, practice_id, payer_id, rendering_npi, service_date, place_of_service, status, billed_cents, cpt_codes, document, workflow_id, dollars_at_risk_cents, charge_lag_days, created_at)
     select ? || '-' || g, ?, (array['MEDICARE','COMMERCIAL','MEDICAID','MEDICARE_ADVANTAGE'])[1 + g % 4], '1234567893', current_date - (g % 420), '24',
            (array['submitted','acknowledged','posted','denied','closed','partially_paid','charge_entered'])[1 + g % 7], 100000 + (g % 5000) * 10,
            array[(array['64483','64484','64493','62323'])[1 + g % 4]], jsonb_build_object('patient', jsonb_build_object('id', 'PT-' || (g % 3000))), 'claim:' || ? || '-' || g,
            (g * 7919) % 500000, g % 9, now() - ((g % 420) || ' days')::interval + interval '2 days'
     from generate_series(1, ?) g`,
    [id, id, id, claims],
  );
  // The claims' patients (3,000 per practice), named for "Find a claim" by patient name.
  await db.raw(
    `insert into patients (practice_id, id, name, birth_date)
     select ?, 'PT-' || g, (array['Avery','Blake','Casey','Devon','Emery'])[1 + g % 5] || ' Benchname' || g || ' ' || (array['Nguyen','Okafor','Petrov','Quintero'])[1 + g % 4], date '1950-01-01' + g
       from generate_series(0, 2999) g`,
    [id],
  );
  await db.raw(
    `insert into submissions (practice_id, claim_id, claim_version, payer_id, interchange_control_number, gateway, status, submitted_at, idempotency_key)
     select practice_id, claim_id, 1, payer_id, 1, 'bench', case when random() < 0.08 then 'rejected' else 'accepted' end, service_date + 3, 'bench:' || claim_id
       from claims where practice_id = ? and status <> 'charge_entered'`,
    [id],
  );
  await db.raw(
    `insert into payments (practice_id, claim_id, remittance_key, claim_status_code, charged_cents, paid_cents, patient_responsibility_cents, payment_date, posted_at, posting_lag_business_days)
     select practice_id, claim_id, 'BENCH:1', '1', billed_cents, billed_cents * 45 / 100, billed_cents / 10, service_date + 25, service_date + 26, (random() * 2)::int
       from claims where practice_id = ? and status in ('posted', 'closed', 'partially_paid')`,
    [id],
  );
  await db.raw(
    `insert into adjustments (payment_id, line_number, group_code, carc, amount_cents)
     select p.id, 1, 'CO', '45', p.charged_cents * 40 / 100 from payments p where p.practice_id = ?`,
    [id],
  );
  await db.raw(
    `insert into denials (claim_id, practice_id, payer_id, remittance_key, cpt_codes, carc, category, kind, denial_date, received_at, appeal_deadline)
     select claim_id, practice_id, payer_id, 'BENCH:' || claim_id, cpt_codes, '50', 'soft', 'medical_necessity', service_date + 25, now(), service_date + 85
       from claims where practice_id = ? and status = 'denied'`,
    [id],
  );
  if (opts.workItemsEvery) {
    await db.raw(
      `insert into work_items (practice_id, kind, rule_id, entity_type, entity_id, workflow_id, title, due_date, dollars_at_risk_cents, idempotency_key)
       select practice_id, (array['active_payer_contact','appeal','underpayment_dispute'])[1 + (row_number() over ()) % 3], 'AR-2', 'claim', claim_id, workflow_id,
              'Follow up with the payer', service_date + 45, dollars_at_risk_cents, 'bench-wi:' || claim_id
         from claims where practice_id = ? and status <> 'closed' and (substring(claim_id from '[0-9]+$')::int % ?) = 0`,
      [id, opts.workItemsEvery],
    );
  }
}

export async function analyzeReadModel(db: Knex): Promise<void> {
  for (const t of ['claims', 'patients', 'submissions', 'payments', 'adjustments', 'denials', 'work_items']) await db.raw(`analyze ${t}`);
}

export type Latency = { label: string; requests: number; p50: number; p95: number; p99: number };

/** `requests` sequential GETs through the app (after 5 warm-ups), each answer checked; prints and returns p50/p95/p99 in ms. */
export async function measureGet(
  app: FastifyInstance,
  opts: { label: string; url: string | ((i: number) => string); headers: Record<string, string>; requests: number; check?: (body: any) => void; log?: (line: string) => void },
): Promise<Latency> {
  const urlOf = typeof opts.url === 'string' ? () => opts.url as string : opts.url;
  for (let i = 0; i < 5; i++) await app.inject({ method: 'GET', url: urlOf(i), headers: opts.headers });
  const ms: number[] = [];
  const sql: number[] = []; // the server's own SQL time, when the answer reports it (`queryMs`)
  for (let i = 0; i < opts.requests; i++) {
    const s = process.hrtime.bigint();
    const res = await app.inject({ method: 'GET', url: urlOf(i), headers: opts.headers });
    ms.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (res.statusCode !== 200) throw new Error(`${opts.label}: ${res.statusCode} ${res.body}`);
    const body = res.json();
    opts.check?.(body);
    if (typeof body.queryMs === 'number') sql.push(body.queryMs);
  }
  ms.sort((a, b) => a - b);
  sql.sort((a, b) => a - b);
  const out = { label: opts.label, requests: opts.requests, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
  const sqlPart = sql.length ? `; SQL p50 ${percentile(sql, 50).toFixed(1)} ms, p95 ${percentile(sql, 95).toFixed(1)} ms` : '';
  (opts.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(`${out.label}: ${out.requests} requests, p50 ${out.p50.toFixed(1)} ms, p95 ${out.p95.toFixed(1)} ms, p99 ${out.p99.toFixed(1)} ms${sqlPart}`);
  return out;
}
