/**
 * Claim read-model activities. Every write is idempotent (keyed on the workflow id + step), so an
 * activity retried after a timeout never writes twice.
 */
import type { Knex } from 'knex';
import type { ClaimDocument } from '../domain/claim-document';
import { claimKey } from './claim-key';
import { atomically } from '../db/knex';

export function claimActivities(db: Knex) {
  return {
    /** First step of every claim: the charge as entered. A retry or a replay finds the row and does nothing. */
    async recordClaim(input: { claim: ClaimDocument; enteredAt: string; actor: string; workflowId: string }): Promise<{ created: boolean }> {
      const { claim } = input;
      const billedCents = claim.lines.reduce((s, l) => s + l.chargeCents, 0);
      return atomically(db, async (trx) => {
        const inserted = await trx('claims')
          .insert({
            claim_id: claim.claimId,
            practice_id: claim.practiceId,
            payer_id: claim.payerId,
            rendering_npi: claim.renderingNpi,
            service_date: claim.serviceDate,
            place_of_service: claim.placeOfService,
            status: 'charge_entered',
            version: 1,
            billed_cents: billedCents,
            cpt_codes: [...new Set(claim.lines.map((l) => l.cpt))],
            document: claim,
            workflow_id: input.workflowId,
            dollars_at_risk_cents: billedCents,
            created_at: input.enteredAt,
            updated_at: input.enteredAt,
          })
          .onConflict(['practice_id', 'claim_id'])
          .ignore()
          .returning('claim_id');
        if (inserted.length === 0) return { created: false };
        await trx('claim_versions').insert({ practice_id: claim.practiceId, claim_id: claim.claimId, version: 1, document: claim, reason: 'original', actor: input.actor, created_at: input.enteredAt });
        await trx('claim_lines').insert(
          claim.lines.map((l, i) => ({
            practice_id: claim.practiceId,
            claim_id: claim.claimId,
            line_number: i + 1,
            cpt: l.cpt,
            modifiers: l.modifiers ?? [],
            units: l.units,
            charge_cents: l.chargeCents,
          })),
        );
        await trx('claim_events').insert({
          practice_id: claim.practiceId,
          claim_id: claim.claimId,
          at: input.enteredAt,
          actor: input.actor,
          from_status: null,
          to_status: 'charge_entered',
          idempotency_key: `${input.workflowId}:entered`,
        });
        return { created: true };
      });
    },

    /** A status change with its time and actor; the claim row follows it. */
    async recordClaimEvent(input: {
      claimId: string;
      practiceId: string;
      idempotencyKey: string;
      at: string;
      actor: string;
      fromStatus: string;
      toStatus: string;
      note?: string;
      detail?: Record<string, unknown>;
    }): Promise<void> {
      const key = await claimKey(db, input);
      await atomically(db, async (trx) => {
        const inserted = await trx('claim_events')
          .insert({
            ...key,
            at: input.at,
            actor: input.actor,
            from_status: input.fromStatus,
            to_status: input.toStatus,
            detail: { note: input.note, ...input.detail },
            idempotency_key: input.idempotencyKey,
          })
          .onConflict('idempotency_key')
          .ignore()
          .returning('id');
        if (inserted.length) await trx('claims').where(key).update({ status: input.toStatus, updated_at: input.at });
      });
    },

    /**
     * A claim imported as already submitted elsewhere (`rcm import claims`): its submission is
     * recorded as the old system sent it — gateway `imported`, accepted, the payer's claim control
     * number when known — so the claim page and AR aging count from the real date. Idempotent.
     */
    async recordImportedSubmission(input: { workflowId: string; claimId: string; practiceId: string; version: number; payerId: string; submittedAt: string; payerClaimControlNumber?: string }): Promise<void> {
      await db('submissions')
        .insert({
          ...(await claimKey(db, input)),
          claim_version: input.version,
          payer_id: input.payerId,
          coverage_priority: 'primary',
          frequency_code: '1',
          interchange_control_number: 0,
          gateway: 'imported',
          status: 'accepted',
          ack_detail: { source: 'imported', ...(input.payerClaimControlNumber ? { payerClaimControlNumber: input.payerClaimControlNumber } : {}) },
          submitted_at: input.submittedAt,
          acknowledged_at: input.submittedAt,
          idempotency_key: `${input.workflowId}:imported`,
        })
        .onConflict('idempotency_key')
        .ignore();
    },
  };
}
