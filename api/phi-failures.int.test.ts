/**
 * No PHI in failures: a claim whose 837P cannot be built (its member id holds an X12 delimiter)
 * fails an activity and goes to needs_correction. The stored workflow history, read raw (a client
 * without the codec), the API and worker logs, and the rows the failure writes (work item, claim
 * event) must not carry the fixture's member id, birth date or patient id: builder errors name the
 * element and position, and the failure converter encrypts failure messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { inject } from 'vitest';
import { eventually, startHarness, type Harness } from '../test/harness';
import { tfesiClaim } from '../test/fixtures';
import { claimStateQuery, claimWorkflowId } from '../contracts/claim';
import { buildApp } from './app';
import { AesGcmCodec } from '../lib/codec';
import { parseEncryptionKeys } from '../lib/config';

let h: Harness;
const captured: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);
beforeAll(async () => {
  // Everything the worker and the SDK print goes through these.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return (originalStdout as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return (originalStderr as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  h = await startHarness();
});
afterAll(async () => {
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  await h?.close();
});

describe('no PHI in failures', () => {
  it('an 837P that cannot be built: the raw history, the logs and the failure rows hold no member id, birth date or patient id', async () => {
    const tag = Date.now().toString(36).toUpperCase();
    const memberId = `MB${tag}Q7`;
    const patientId = `PTX${tag}Z3`;
    const birthDate = '1947-08-23';
    // An 837P that cannot be built: the practice's billing address has a 5-digit ZIP, and X222A1
    // wants the billing provider's ZIP+4 (a practice data problem: correction work item).
    const practiceId = `phi-${tag.toLowerCase()}`;
    await h.db('practices').insert({ id: practiceId, name: 'PHI Test Pain', tax_id: '990000001', billing_npi: '1456789019', address: { line1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' }, phone: '5125550100', time_zone: 'America/Chicago' });
    const claim = tfesiClaim(`PHI-${tag}`, {
      practiceId,
      serviceDate: new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10),
      coverage: { memberId, priority: 'primary' },
      patient: { id: patientId, birthDate, sex: 'M' },
    });
    // The API with a real logger, its lines captured.
    const apiLog: string[] = [];
    const app = await buildApp({
      db: h.db,
      temporal: h.client,
      inbound: h.inbound,
      codec: new AesGcmCodec(parseEncryptionKeys(inject('encryptionKeys'))),
      config: { temporalNamespace: 'default', temporalUiOrigin: 'http://localhost:8233' },
      logger: { level: 'trace', stream: new Writable({ write: (c, _e, cb) => (apiLog.push(String(c)), cb()) }) },
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/claims', headers: h.auth('biller'), payload: claim });
      expect(res.statusCode, res.body).toBe(201);
      const handle = h.client.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId));
      const state = await eventually(async () => {
        const s = await handle.query(claimStateQuery);
        return s.status === 'needs_correction' ? s : undefined;
      }, 'needs_correction after the 837P failed');
      // The failure is still useful: it names the element and its position.
      const reason = state.history.at(-1)?.note ?? '';
      expect(reason).toMatch(/N403/);
      expect(reason).toMatch(/segment \d+ \(N4\)/);

      // The stored history, raw: a client without the codec sees what the Temporal server stores.
      const raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'default' });
      try {
        const history = await raw.workflow.getHandle(claimWorkflowId(claim.practiceId, claim.claimId)).fetchHistory();
        const failed = history.events!.filter((e) => e.activityTaskFailedEventAttributes);
        expect(failed.length).toBeGreaterThan(0);
        // The failure message itself is encrypted (encodeCommonAttributes): the plain field says so, the payload holds it.
        for (const e of failed) {
          const f = e.activityTaskFailedEventAttributes!.failure!;
          expect(f.encodedAttributes?.metadata?.encoding && Buffer.from(f.encodedAttributes.metadata.encoding).toString()).toBe('binary/encrypted');
          expect(f.message).not.toContain('N403');
        }
        const asJson = JSON.stringify(temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, bytes: String }));
        const asBytes = Buffer.from(temporal.api.history.v1.History.encode(temporal.api.history.v1.History.fromObject(history)).finish()).toString('latin1');
        for (const needle of [memberId, `${tag}Q7`, patientId, birthDate, birthDate.replace(/-/g, '')]) {
          expect(asJson.includes(needle), `history JSON holds ${needle}`).toBe(false);
          expect(asBytes.includes(needle), `history bytes hold ${needle}`).toBe(false);
        }
      } finally {
        await raw.connection.close();
      }

      // The rows the failure wrote: the correction work item and the claim event.
      const items = await eventually(async () => {
        const rows = await h.db('work_items').where({ entity_type: 'claim', entity_id: claim.claimId }).select('title', 'detail');
        return rows.some((i) => /N403/.test(i.title)) ? rows : undefined;
      }, 'the SUB-5 correction work item naming N403');
      const events = await h.db('claim_events').where({ claim_id: claim.claimId }).select('detail');
      const rows = JSON.stringify([items, events]);
      // The logs: API request logs and everything the worker printed.
      const logs = apiLog.join('') + captured.join('');
      expect(apiLog.length).toBeGreaterThan(0);
      for (const needle of [`${tag}Q7`, patientId, birthDate, birthDate.replace(/-/g, '')]) {
        expect(rows.includes(needle), `work items / events hold ${needle}`).toBe(false);
        expect(logs.includes(needle), `logs hold ${needle}`).toBe(false);
      }
    } finally {
      await app.close();
    }
  });
});
