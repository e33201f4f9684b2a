/**
 * Migration 019 on a database with data (issue 13: claim ids unique per practice): a claim and
 * every row that names it, written on the schema of migration 018, are intact afterwards with their
 * practice filled in; then a second practice may use the same claim id, and a child row must name
 * its claim's practice (composite foreign keys).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { migrationSource } from './index';
import { scratchDatabase } from '../../test/scratch-database';

const scratch = scratchDatabase('rcm_claimkey');
afterAll(() => scratch.drop());

describe('migration 019: claim key (practice_id, claim_id)', () => {
  it('keeps every row of an existing claim, fills in its practice, then lets another practice use the same id', async () => {
    const db = await scratch.create();
    const all = await migrationSource.getMigrations([]);
    const before = all.indexOf('019_claim_id_per_practice');
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < before; i++) await db.migrate.up({ migrationSource });

    // The schema of 018: claim "1001" of practice old-a with a version, lines, events, a submission,
    // a remittance with its payment, denial and claim payment, a write-off request, a simulator answer.
    await db('practices').insert([
      { id: 'old-a', name: 'Old A', tax_id: '990000011', billing_npi: '1456789019' },
      { id: 'old-b', name: 'Old B', tax_id: '990000012', billing_npi: '1456789027' },
    ]);
    await db('payers').insert({ id: 'OLDPAYER', name: 'Old payer', type: 'commercial' }).onConflict('id').ignore();
    const doc = { claimId: '1001', practiceId: 'old-a', patient: { id: 'PT-OLD-A' } };
    await db('claims').insert({ claim_id: '1001', practice_id: 'old-a', payer_id: 'OLDPAYER', rendering_npi: '1234567893', service_date: '2026-01-05', place_of_service: '24', status: 'denied', billed_cents: 100000, cpt_codes: ['64483'], document: doc, workflow_id: 'claim:1001' });
    await db('claim_versions').insert({ claim_id: '1001', version: 1, document: doc, actor: 'old' });
    await db('claim_lines').insert([
      { claim_id: '1001', line_number: 1, cpt: '64483', units: 1, charge_cents: 60000 },
      { claim_id: '1001', line_number: 2, cpt: '64484', units: 1, charge_cents: 40000 },
    ]);
    await db('claim_events').insert({ claim_id: '1001', at: new Date('2026-01-06T10:00:00Z'), actor: 'old', to_status: 'charge_entered', idempotency_key: 'claim:1001:entered' });
    await db('submissions').insert({ claim_id: '1001', claim_version: 1, payer_id: 'OLDPAYER', interchange_control_number: 7, gateway: 'simulator', status: 'accepted', submitted_at: new Date('2026-01-06T11:00:00Z'), idempotency_key: 'claim:1001:submit:1' });
    await db('remittances').insert({ remittance_key: 'OLDPAYER:T1', payer_id: 'OLDPAYER', trace_number: 'T1', payment_date: '2026-02-01', adjudication_date: '2026-01-30', total_paid_cents: 0, claim_count: 2, source: 'api-json', received_at: new Date() });
    await db('payments').insert({ claim_id: '1001', remittance_key: 'OLDPAYER:T1', remittance_seq: 0, claim_status_code: '4', charged_cents: 100000, paid_cents: 0, patient_responsibility_cents: 0, payment_date: '2026-02-01', posted_at: new Date() });
    await db('denials').insert({ claim_id: '1001', practice_id: 'old-a', payer_id: 'OLDPAYER', remittance_key: 'OLDPAYER:T1', cpt_codes: ['64483'], carc: '50', category: 'hard', kind: 'medical_necessity', denial_date: '2026-01-30', received_at: new Date() });
    await db('remittance_claims').insert([
      { remittance_key: 'OLDPAYER:T1', seq: 0, claim_id: '1001', claim_status_code: '4', paid_cents: 0, claim_payment: {}, match_status: 'matched', payment_key: 'k0' },
      { remittance_key: 'OLDPAYER:T1', seq: 1, claim_id: 'NOPE-9', claim_status_code: '1', paid_cents: 500, claim_payment: {}, match_status: 'unmatched', payment_key: 'k1' },
    ]);
    await db('write_off_requests').insert({ claim_id: '1001', practice_id: 'old-a', amount_cents: 100, rationale: 'small', requested_by: 'old' });
    await db('simulator_answers').insert({ kind: '835', claim_id: '1001', x12: 'ISA*', due_at: new Date() });

    await db.migrate.latest({ migrationSource });

    // Every row is still there, naming its claim's practice.
    expect(await db('claims').select('practice_id', 'claim_id', 'status', 'workflow_id')).toEqual([{ practice_id: 'old-a', claim_id: '1001', status: 'denied', workflow_id: 'claim:1001' }]);
    for (const [table, n] of [['claim_versions', 1], ['claim_lines', 2], ['claim_events', 1], ['submissions', 1], ['payments', 1], ['denials', 1], ['simulator_answers', 1]] as const) {
      expect(await db(table).where({ claim_id: '1001' }).select('practice_id'), table).toEqual(Array.from({ length: n }, () => ({ practice_id: 'old-a' })));
    }
    expect(await db('remittance_claims').orderBy('seq').select('claim_id', 'practice_id', 'match_status')).toEqual([
      { claim_id: '1001', practice_id: 'old-a', match_status: 'matched' },
      { claim_id: 'NOPE-9', practice_id: null, match_status: 'unmatched' }, // no claim: no practice
    ]);
    expect(await db('write_off_requests').select('claim_id', 'practice_id', 'status')).toEqual([{ claim_id: '1001', practice_id: 'old-a', status: 'pending' }]);

    // Another practice may now have claim "1001" (and a pending write-off of its own) ...
    await db('claims').insert({ claim_id: '1001', practice_id: 'old-b', payer_id: 'OLDPAYER', rendering_npi: '1234567893', service_date: '2026-03-05', place_of_service: '24', status: 'charge_entered', billed_cents: 5000, cpt_codes: ['64483'], document: { claimId: '1001', practiceId: 'old-b' }, workflow_id: 'claim:old-b:1001' });
    await db('claim_versions').insert({ practice_id: 'old-b', claim_id: '1001', version: 1, document: {}, actor: 'new' });
    await db('write_off_requests').insert({ claim_id: '1001', practice_id: 'old-b', amount_cents: 50, rationale: 'small', requested_by: 'new' });
    // ... but not twice, and a child row must name a claim of its practice.
    await expect(db('claims').insert({ claim_id: '1001', practice_id: 'old-b', payer_id: 'OLDPAYER', rendering_npi: '1234567893', service_date: '2026-03-05', place_of_service: '24', status: 'charge_entered', billed_cents: 1, cpt_codes: [], document: {}, workflow_id: 'x' })).rejects.toThrow(/claims_pkey/);
    await expect(db('claim_events').insert({ practice_id: 'old-b', claim_id: 'NOPE-9', at: new Date(), actor: 'x', to_status: 'x', idempotency_key: 'x:1' })).rejects.toThrow(/claim_events_practice_claim_foreign/);
    await expect(db('claim_events').insert({ claim_id: '1001', at: new Date(), actor: 'x', to_status: 'x', idempotency_key: 'x:2' })).rejects.toThrow(/practice_id/);
    expect(await db('claims').where({ claim_id: '1001' }).orderBy('practice_id').pluck('practice_id')).toEqual(['old-a', 'old-b']);

    // Down again is possible once no two practices share an id.
    await db('write_off_requests').where({ practice_id: 'old-b' }).delete();
    await db('claim_versions').where({ practice_id: 'old-b' }).delete();
    await db('claims').where({ practice_id: 'old-b' }).delete();
    await db.migrate.down({ migrationSource });
    expect(await db('claim_lines').where({ claim_id: '1001' }).count({ n: '*' }).first()).toEqual({ n: 2 });
  });
});
