/**
 * Integration wiring for the eligibility / authorization suites: the real worker (workflow bundle
 * and activity factory) with an `EligibilityAuthSimulator` the test configures per payer, patient
 * and authorization. Time-skipping (timer-heavy suites) or the dev server (HTTP suites).
 */
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { parseEncryptionKeys } from '../lib/config';
import { temporalTestServerPath } from '../lib/tools';
import { createActivities } from '../activities';
import { encryptingDataConverter } from '../lib/codec-converter';
import { startHarness, workflowBundle, type Harness } from './harness';
import { PayerSimulator } from '../activities/gateway/simulator';
import { EligibilityAuthSimulator } from '../activities/gateway/eligibility-auth';
import { TASK_QUEUE } from '../contracts/claim';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';
import { tfesiClaim } from './fixtures';

export type EligAuthTimeSkipping = {
  env: TestWorkflowEnvironment;
  db: Knex;
  sim: EligibilityAuthSimulator;
  today(): Promise<string>;
  close(): Promise<void>;
};

export async function startEligAuthTimeSkipping(): Promise<EligAuthTimeSkipping> {
  const keys = parseEncryptionKeys(inject('encryptionKeys'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
    client: { dataConverter: encryptingDataConverter(keys) },
  });
  const { temporal } = await import('@temporalio/proto');
  const T = temporal.api.enums.v1.IndexedValueType;
  const type: Record<string, number> = { KEYWORD: T.INDEXED_VALUE_TYPE_KEYWORD, KEYWORD_LIST: T.INDEXED_VALUE_TYPE_KEYWORD_LIST, DOUBLE: T.INDEXED_VALUE_TYPE_DOUBLE, DATETIME: T.INDEXED_VALUE_TYPE_DATETIME };
  await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, type[k.type]])) });
  const db = createDb(inject('databaseUrl'));
  const sim = new EligibilityAuthSimulator();
  const gateway = new PayerSimulator({ ackDelayMs: 0, remitDelayMs: 0 });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db, gateway, eligibilityAuthGateway: sim }),
    dataConverter: encryptingDataConverter(keys),
  });
  const running = worker.run();
  return {
    env,
    db,
    sim,
    today: async () => new Date(await env.currentTimeMs()).toISOString().slice(0, 10),
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      gateway.stop();
      await env.teardown();
      await db.destroy();
    },
  };
}

/** The dev-server harness (HTTP via inject) with our own worker so the simulator is configurable. */
export async function startEligAuthHarness(): Promise<Harness & { sim: EligibilityAuthSimulator }> {
  const h = await startHarness({ worker: false });
  const sim = new EligibilityAuthSimulator();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ db: h.db, gateway: h.simulator, eligibilityAuthGateway: sim }),
    dataConverter: encryptingDataConverter(parseEncryptionKeys(inject('encryptionKeys'))),
  });
  const running = worker.run();
  return {
    ...h,
    sim,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await h.close();
    },
  };
}

/** Our own claims for a patient: ESI sessions already billed (ELIG-4 / AUTH-2 history). */
export async function insertPriorEsiClaims(db: Knex, patientId: string, serviceDates: string[], payerId = 'COMMERCIAL'): Promise<void> {
  for (const serviceDate of serviceDates) {
    const claimId = `PRIOR-${patientId}-${serviceDate}`;
    const claim = tfesiClaim(claimId, { payerId, serviceDate, patient: { id: patientId, birthDate: '1960-01-01', sex: 'F' } });
    await db('claims')
      .insert({
        claim_id: claimId,
        practice_id: claim.practiceId,
        payer_id: payerId,
        rendering_npi: claim.renderingNpi,
        service_date: serviceDate,
        place_of_service: claim.placeOfService,
        status: 'posted',
        billed_cents: 185000,
        cpt_codes: ['64483'],
        document: claim,
        workflow_id: `claim:${claimId}`,
      })
      .onConflict(['practice_id', 'claim_id'])
      .ignore();
  }
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
