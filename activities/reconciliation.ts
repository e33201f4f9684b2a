/**
 * Daily reconciliations (run by Temporal Schedules through dailyReconciliationWorkflow):
 * CHG-2 schedule vs entered charges, POST-7 posted payments vs bank deposits. Each finding is a
 * work item, idempotent per practice, day and subject, so a re-run (or a retried activity) opens
 * nothing twice.
 */
import type { Knex } from 'knex';
import { addBusinessDays, addCalendarDays } from '../domain/business-days';
import { openWorkItem } from './work-items';

export function reconciliationActivities(db: Knex) {
  return {
    /**
     * CHG-2: every appointment whose "end of next business day" has passed (service date + 1
     * business day < asOf) and that was not cancelled must have a charge: a claim of the same
     * practice for the same patient and date of service. Otherwise a missing-charge work item.
     */
    async reconcileCharges(input: { practiceId: string; asOf: string; lookbackDays?: number }): Promise<{ checked: number; missing: string[]; contractsMissing: string[] }> {
      const rows = await db('appointments as a')
        .where('a.practice_id', input.practiceId)
        .whereNot('a.status', 'cancelled')
        .where('a.service_date', '<', input.asOf)
        .where('a.service_date', '>=', db.raw(`?::date - ?::int`, [input.asOf, input.lookbackDays ?? 60]))
        .select('a.appointment_id', 'a.patient_id', 'a.service_date', 'a.cpts', 'a.workflow_id');
      const missing: string[] = [];
      for (const a of rows) {
        if (addBusinessDays(a.service_date, 1) >= input.asOf) continue; // still inside its charge-entry day
        const charged = await db('claims')
          .where({ practice_id: input.practiceId, service_date: a.service_date })
          .whereRaw(`document->'patient'->>'id' = ?`, [a.patient_id])
          .first('claim_id');
        if (charged) continue;
        missing.push(a.appointment_id);
        await openWorkItem(db, {
          idempotencyKey: `chg2:${input.practiceId}:${a.appointment_id}`,
          practiceId: input.practiceId,
          kind: 'missing_charge',
          ruleId: 'CHG-2',
          entityType: 'appointment',
          entityId: a.appointment_id,
          workflowId: a.workflow_id,
          title: `No charge entered for appointment ${a.appointment_id} on ${a.service_date} (${(a.cpts as string[]).join(', ')})`,
          detail: { serviceDate: a.service_date, cpts: a.cpts },
          dueDate: input.asOf,
        });
      }
      // The daily run also looks ahead at next year's contracts (the workflow calls this activity only).
      const contractsMissing = await nextYearContracts(db, input.practiceId, input.asOf);
      return { checked: rows.length, missing, contractsMissing };
    },

    /**
     * POST-7: payments posted for a payment date must equal that day's bank deposit. Compares the
     * sum of posted claim payments (by ERA payment date, net of provider-level adjustments) with
     * the recorded deposit; a difference opens a reconciliation work item.
     */
    async reconcileDeposits(input: { practiceId: string; date: string }): Promise<{ postedCents: number; depositedCents: number | null; differenceCents: number }> {
      const posted = await db('payments as p')
        .join('claims as c', (j) => j.on('c.practice_id', 'p.practice_id').andOn('c.claim_id', 'p.claim_id'))
        .where('c.practice_id', input.practiceId)
        .where('p.payment_date', input.date)
        .sum({ cents: 'p.paid_cents' })
        .first();
      const plb = await db('remittances as r')
        .where('r.payment_date', input.date)
        .whereExists(
          db('payments as p').join('claims as c', (j) => j.on('c.practice_id', 'p.practice_id').andOn('c.claim_id', 'p.claim_id')).whereRaw('p.remittance_key = r.remittance_key').where('c.practice_id', input.practiceId),
        )
        .select('r.provider_adjustments');
      const plbCents = plb.reduce((s, r) => s + (r.provider_adjustments as Array<{ amountCents: number }>).reduce((t, a) => t + a.amountCents, 0), 0);
      const postedCents = Number(posted?.cents ?? 0) - plbCents;
      // POST-7: every deposit of the day counts (several deposits on one day add up).
      const [deposit] = await db('deposits').where({ practice_id: input.practiceId, deposit_date: input.date }).count<{ n: string; total: string | null }[]>('* as n').sum('amount_cents as total');
      const depositedCents = Number(deposit.n) > 0 ? Number(deposit.total) : null;
      const differenceCents = postedCents - (depositedCents ?? 0);
      if (differenceCents !== 0) {
        await openWorkItem(db, {
          idempotencyKey: `post7:${input.practiceId}:${input.date}`,
          practiceId: input.practiceId,
          kind: 'reconciliation',
          ruleId: 'POST-7',
          entityType: 'practice',
          entityId: `${input.practiceId}:${input.date}`,
          title:
            depositedCents === null
              ? `Payments of $${(postedCents / 100).toFixed(2)} posted for ${input.date} but no bank deposit recorded`
              : `Posted $${(postedCents / 100).toFixed(2)} vs deposited $${(depositedCents / 100).toFixed(2)} on ${input.date}: difference $${(differenceCents / 100).toFixed(2)}`,
          detail: { date: input.date, postedCents, depositedCents, differenceCents },
          dueDate: addBusinessDays(input.date, 1),
          dollarsAtRiskCents: Math.abs(differenceCents),
        });
      }
      return { postedCents, depositedCents, differenceCents };
    },
  };
}

/** How long before January 1 a missing contract for the new year becomes a work item. */
export const NEXT_YEAR_CONTRACT_LEAD_DAYS = 60;

/**
 * Issue 13: from 60 days before January 1, each payer the practice has claims with this year (by
 * date of service) and no contract for next year gets a work item — without one, every posting in
 * January would be checked against payer defaults only. Idempotent per practice × payer × year; an
 * item whose contract has since been stored is closed. Returns the payers still missing one.
 */
export async function nextYearContracts(db: Knex, practiceId: string, asOf: string): Promise<string[]> {
  const year = Number(asOf.slice(0, 4));
  const nextYear = year + 1;
  const janFirst = `${nextYear}-01-01`;
  if (asOf < addCalendarDays(janFirst, -NEXT_YEAR_CONTRACT_LEAD_DAYS)) return [];
  const payers = await db('claims')
    .where({ practice_id: practiceId })
    .where('service_date', '>=', `${year}-01-01`)
    .where('service_date', '<', janFirst)
    .groupBy('payer_id')
    .orderBy('payer_id')
    .select('payer_id', db.raw('count(*)::int as claims'), db.raw('sum(billed_cents)::bigint as billed'));
  const contracted = new Set<string>(await db('payer_contracts').where({ practice_id: practiceId, year: nextYear }).distinct().pluck('payer_id'));
  const missing: string[] = [];
  for (const p of payers) {
    const key = `contract-next-year:${practiceId}:${p.payer_id}:${nextYear}`;
    if (contracted.has(p.payer_id)) {
      await db('work_items').where({ idempotency_key: key, status: 'open' }).update({ status: 'closed', closed_reason: `the ${nextYear} contract is stored`, completed_at: db.fn.now() });
      continue;
    }
    missing.push(p.payer_id);
    await openWorkItem(db, {
      idempotencyKey: key,
      practiceId,
      kind: 'contract_renewal',
      ruleId: 'POST-2',
      entityType: 'practice',
      entityId: `${practiceId}:${p.payer_id}:${nextYear}`,
      title: `No ${nextYear} contract with ${p.payer_id} (${p.claims} claim(s) this year): load the fee schedule before January 1, or January's payments cannot be verified against it`,
      detail: { payerId: p.payer_id, year: nextYear, claimsThisYear: p.claims, billedThisYearCents: Number(p.billed) },
      dueDate: addCalendarDays(janFirst, -1),
      // About one month of this payer's billing would be posted unverified.
      dollarsAtRiskCents: Math.round(Number(p.billed) / 12),
    });
  }
  return missing;
}
