import type { Knex } from 'knex';

/**
 * One payments row per claim payment of a remittance (its position in the file), not per
 * (claim, remittance, CLP02): a payer may split one claim into two CLPs with the same status.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.integer('remittance_seq');
  });
  await knex.raw(`update payments p set remittance_seq = rc.seq from remittance_claims rc
                  where rc.remittance_key = p.remittance_key and rc.claim_id = p.claim_id and rc.claim_status_code = p.claim_status_code`);
  await knex.raw('update payments set remittance_seq = -id where remittance_seq is null');
  await knex.schema.alterTable('payments', (t) => {
    t.dropUnique(['claim_id', 'remittance_key', 'claim_status_code']);
    t.unique(['remittance_key', 'remittance_seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropUnique(['remittance_key', 'remittance_seq']);
    t.unique(['claim_id', 'remittance_key', 'claim_status_code']);
    t.dropColumn('remittance_seq');
  });
}
