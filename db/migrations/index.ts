/**
 * Migrations as an explicit, ordered list of modules (no directory scanning, so they work the same
 * under tsx, vitest and a bundle). Append new ones; never edit one that has shipped.
 */
import type { Knex } from 'knex';
import * as m001 from './001_foundation';
import * as m002 from './002_claim_lifecycle';
import * as m003 from './003_eligibility_auth';
import * as m004 from './004_parked_response_key';
import * as m005 from './005_payment_per_claim_payment';
import * as m006 from './006_simulator_answers';
import * as m007 from './007_payer_identifiers';
import * as m008 from './008_practice_master';
import * as m009 from './009_users';
import * as m010 from './010_access_log';
import * as m011 from './011_claim_payment_key';
import * as m012 from './012_deposits_per_entry';
import * as m013 from './013_web_dashboard';
import * as m014 from './014_contracts';
import * as m015 from './015_patient_master';
import * as m016 from './016_web_workspace';
import * as m018 from './018_clearinghouse_profile';
import * as m019 from './019_claim_id_per_practice';
import * as m020 from './020_bench_list_order_indexes';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_claim_lifecycle': m002,
  '003_eligibility_auth': m003,
  '004_parked_response_key': m004,
  '005_payment_per_claim_payment': m005,
  '006_simulator_answers': m006,
  '007_payer_identifiers': m007,
  '008_practice_master': m008,
  '009_users': m009,
  '010_access_log': m010,
  '011_claim_payment_key': m011,
  '012_deposits_per_entry': m012,
  '013_web_dashboard': m013,
  '014_contracts': m014,
  '015_patient_master': m015,
  '016_web_workspace': m016,
  '018_clearinghouse_profile': m018,
  '019_claim_id_per_practice': m019,
  '020_bench_list_order_indexes': m020,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
