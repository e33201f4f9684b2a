/**
 * Eligibility, prior authorization and claim status through the file-drop clearinghouse (issue
 * 14): the 270 / 278 / 276 request goes to outbox/ once, the clearinghouse's answer dropped in
 * inbox/ is validated whole by the inbox poller (ST01 picks the reader) and found by its trace
 * number; until it arrives the eligibility / authorization call fails (the activity retries). The
 * "clearinghouse" here is the payer simulators answering the files they find in the outbox.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generate837P } from '../../x12';
import { tfesiClaim } from '../../test/fixtures';
import { FileDropClearinghouse } from './file-drop';
import { EligibilityAuthSimulator, type AuthorizationRequest278, type EligibilityRequest270 } from './eligibility-auth';
import { AwaitingPayerAnswer, X12EligibilityAuthGateway } from './eligibility-x12-gateway';
import { PayerSimulator } from './simulator';
import type { ClaimSubmission, InboundSink } from './types';
import { createEligibilityAuthGateway } from '../../lib/gateway';
import { ConfigError } from '../../lib/config';

let dir: string;
let fd: FileDropClearinghouse;
const sink: InboundSink = { acknowledgement: async () => undefined, remittance: async () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rcm-file-drop-x12-'));
  fd = new FileDropClearinghouse({ dir, sink, settleMs: 0, log: () => {} });
});
afterEach(async () => {
  await fd.stop();
  await rm(dir, { recursive: true, force: true });
});

const eligibility = (over: Partial<EligibilityRequest270> = {}): EligibilityRequest270 => ({
  requestId: 'eligibility:APT-3:check:1',
  payerId: 'COMMERCIAL',
  practiceId: 'demo-pain',
  providerNpi: '1234567893',
  patientId: 'PT-3',
  memberId: 'W555',
  serviceDate: '2026-12-10',
  inquiryDate: '2026-12-07',
  cpts: ['64483'],
  ...over,
});

async function outbox(prefix: string): Promise<string[]> {
  return (await readdir(fd.folders.outbox)).filter((n) => n.startsWith(prefix));
}

describe('X12 requests through the file-drop clearinghouse', () => {
  it('270/271: the 270 is dropped once; no answer → AwaitingPayerAnswer; the 271 dropped in the inbox is read and mapped (ELIG rules input, raw 271 kept)', async () => {
    const gateway = new X12EligibilityAuthGateway('file-drop', fd, { id: 'CLEARINGHOUSE', name: 'CLEARINGHOUSE' });
    const req = eligibility();
    await expect(gateway.checkEligibility(req)).rejects.toBeInstanceOf(AwaitingPayerAnswer);
    await expect(gateway.checkEligibility(req)).rejects.toThrow(/270 eligibility:APT-3:check:1 sent; no 271 answer yet/);
    const files = await outbox('270-');
    expect(files).toEqual(['270-eligibility_APT-3_check_1.x12']);
    // the sync tool takes the file away; a retry does not drop it again (sent/ keeps it)
    await rm(path.join(fd.folders.outbox, files[0]));
    await expect(gateway.checkEligibility(req)).rejects.toBeInstanceOf(AwaitingPayerAnswer);
    expect(await outbox('270-')).toEqual([]);
    // the clearinghouse answers the 270 it received
    const payer = new EligibilityAuthSimulator().forPatient('PT-3', { notCoveredCpts: ['64483'] });
    const x270 = await readFile(path.join(fd.folders.sent, files[0]), 'utf8');
    await writeFile(path.join(fd.folders.inbox, 'answer.271'), payer.answer270(x270, req));
    expect((await fd.pollOnce()).map((o) => o.outcome)).toEqual(['processed']);
    const answer = await gateway.checkEligibility(req);
    expect(answer).toMatchObject({ requestId: req.requestId, coverage: { status: 'active' }, services: [{ cpt: '64483', covered: false, note: 'service excluded by plan' }] });
    expect(answer.raw).toMatch(/^ST\*271\*/m);
  });

  it('a malformed 271 goes to failed/ with its segment; nothing is answered from it', async () => {
    const gateway = new X12EligibilityAuthGateway('file-drop', fd);
    const req = eligibility();
    await expect(gateway.checkEligibility(req)).rejects.toBeInstanceOf(AwaitingPayerAnswer);
    const x270 = await readFile(path.join(fd.folders.sent, (await readdir(fd.folders.sent))[0]), 'utf8');
    const good = new EligibilityAuthSimulator().answer270(x270, req);
    await writeFile(path.join(fd.folders.inbox, 'bad.271'), good.replace(/^EB\*1\*\*30/m, 'EB*1*****abc*1O'));
    const [outcome] = await fd.pollOnce();
    expect(outcome).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^segment \d+ \(EB\): EB07 is not an amount \(2 characters: digits, letters; value withheld\)$/) });
    expect(await readFile(path.join(fd.folders.failed, 'bad.271.error.txt'), 'utf8')).toContain('error code: SYNTAX');
    await expect(gateway.checkEligibility(req)).rejects.toBeInstanceOf(AwaitingPayerAnswer);
  });

  it('278: the request with its trace is dropped; the certified 278 response in the inbox becomes the approved decision', async () => {
    const gateway = new X12EligibilityAuthGateway('file-drop', fd);
    const req: AuthorizationRequest278 = {
      requestId: 'auth:AUTH-3:submit:1', authId: 'AUTH-3', payerId: 'COMMERCIAL', practiceId: 'demo-pain', providerNpi: '1234567893', patientId: 'PT-3',
      family: 'esi', cpts: ['64483'], region: 'lumbar', levels: ['L4-L5'], laterality: 'left', requestedFrom: '2026-12-01', requestedTo: '2027-02-28', visitsRequested: 1, submittedOn: '2026-11-20',
    };
    await expect(gateway.submitAuthorization(req)).rejects.toThrow(/278 auth:AUTH-3:submit:1 sent; no 278 response yet/);
    expect(await outbox('278-')).toEqual(['278-auth_AUTH-3_submit_1.x12']);
    const payer = new EligibilityAuthSimulator().forAuthorization('AUTH-3', [{ decision: 'approved', authNumber: 'PA-778899' }]);
    await writeFile(path.join(fd.folders.inbox, 'answer.278'), (await payer.submitAuthorization(req)).raw);
    await fd.pollOnce();
    expect(await gateway.submitAuthorization(req)).toMatchObject({ decision: 'approved', authNumber: 'PA-778899', validFrom: '2026-12-01', validTo: '2027-02-28', visitsAuthorized: 1 });
    expect(await gateway.authorizationStatus({ requestId: 'r', authId: 'AUTH-3', payerId: 'COMMERCIAL', inquiryDate: '2026-11-24' })).toMatchObject({ decision: 'pended', reason: expect.stringContaining('no 278 inquiry can be sent') });
  });

  it('278 pended, then the follow-up: a 278 inquiry (005010X215) is dropped once per day with its own trace; the payer\'s X215 response certifies it', async () => {
    const gateway = new X12EligibilityAuthGateway('file-drop', fd);
    const req: AuthorizationRequest278 = {
      requestId: 'auth:AUTH-4:submit:1', authId: 'AUTH-4', payerId: 'COMMERCIAL', practiceId: 'demo-pain', providerNpi: '1234567893', patientId: 'PT-4', memberId: 'W4444',
      family: 'rfa', cpts: ['64635'], region: 'lumbar', levels: ['L4-L5'], laterality: 'right', requestedFrom: '2026-12-01', requestedTo: '2027-02-28', visitsRequested: 1, submittedOn: '2026-11-20',
    };
    const payer = new EligibilityAuthSimulator().forAuthorization('AUTH-4', [{ decision: 'pended', reason: 'clinical review' }, { decision: 'approved', authNumber: 'PA-4040' }]);
    await expect(gateway.submitAuthorization(req)).rejects.toThrow(AwaitingPayerAnswer);
    await writeFile(path.join(fd.folders.inbox, 'pended.278'), (await payer.submitAuthorization(req)).raw);
    await fd.pollOnce();
    expect(await gateway.submitAuthorization(req)).toMatchObject({ decision: 'pended' });

    const q = { requestId: req.requestId, authId: 'AUTH-4', payerId: 'COMMERCIAL', inquiryDate: '2026-12-04', original: req };
    await expect(gateway.authorizationStatus(q)).rejects.toThrow(/278 inquiry auth:AUTH-4:submit:1:status:2026-12-04 sent; no 278 response yet/);
    await expect(gateway.authorizationStatus(q)).rejects.toThrow(AwaitingPayerAnswer); // asked again: nothing new dropped
    const inquiries = await outbox('278-auth_AUTH-4_submit_1_status');
    expect(inquiries).toEqual(['278-auth_AUTH-4_submit_1_status_2026-12-04.x12']);
    const x215 = await readFile(path.join(fd.folders.outbox, inquiries[0]), 'utf8');
    expect(x215).toMatch(/\*005010X215~/);
    expect(x215).toMatch(/NM1\*IL\*1\*+MI\*W4444~/);
    expect(x215).toMatch(/TRN\*1\*auth:AUTH-4:submit:1:status:2026-12-04\*/);

    await writeFile(path.join(fd.folders.inbox, 'inquiry-answer.278'), payer.answer278Inquiry(x215, q));
    await fd.pollOnce();
    expect(await gateway.authorizationStatus(q)).toMatchObject({ decision: 'approved', authNumber: 'PA-4040', decidedOn: '2026-12-04' });
  });

  it('AR-3 276/277: with a member id the 276 is dropped and the answer is pending until the 277 arrives, then the 277 status (P1:20, payer claim number)', async () => {
    const claim = tfesiClaim('FD-276');
    const x12 = generate837P(claim, {
      sender: { id: 'DEMOPAIN', name: 'DEMO PAIN', contactName: 'Billing', phone: '5555550100' },
      receiver: { id: 'CLEARINGHOUSE', name: 'Clearinghouse' },
      billingProvider: { npi: '1234567893', name: 'DEMO PAIN', taxId: '999999999', address: { line1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701' } },
      payer: { id: 'MEDICARE', name: 'MEDICARE' },
      controlNumbers: { isa: 31, gs: 31, st: 1 },
      createdAt: '2026-11-01T09:00:00Z',
    });
    const submission: ClaimSubmission = { submissionId: 31, claim, coveragePriority: 'primary', payerId: 'MEDICARE', frequencyCode: '1', interchangeControlNumber: 31, x12 };
    await fd.submitClaim(submission);
    const q = { claimId: 'FD-276', payerId: 'MEDICARE', submittedAt: '2026-11-01T09:00:00Z', memberId: claim.coverage.memberId, providerNpi: claim.renderingNpi, practiceId: 'demo-pain', chargeCents: 185000, serviceDate: claim.serviceDate };
    const first = await fd.statusInquiry(q);
    expect(first).toMatchObject({ category: 'pending', detail: expect.stringContaining('276 276-FD-276-20261101.x12 sent, no 277 answer in the inbox yet') });
    const payer = new PayerSimulator({ now: () => new Date('2026-12-01T10:00:00Z') });
    await payer.submitClaim(submission);
    const x276 = await readFile(path.join(fd.folders.outbox, '276-FD-276-20261101.x12'), 'utf8');
    await writeFile(path.join(fd.folders.inbox, 'status.277'), payer.answer276(x276));
    await fd.pollOnce();
    expect(await fd.statusInquiry(q)).toMatchObject({ category: 'pending', statusCodes: ['P1:20'], payerClaimControlNumber: 'SIM31', detail: '277 P1:20 pending: in process; payer claim SIM31' });
    expect(await outbox('276-')).toHaveLength(1);
  });

  it('RCM_ELIGIBILITY_GATEWAY: simulator by default; file-drop needs RCM_GATEWAY=file-drop; anything else is refused naming the variable', () => {
    expect(createEligibilityAuthGateway(new PayerSimulator(), {})).toBeInstanceOf(EligibilityAuthSimulator);
    expect(createEligibilityAuthGateway(fd, { RCM_ELIGIBILITY_GATEWAY: 'file-drop' })).toBeInstanceOf(X12EligibilityAuthGateway);
    expect(() => createEligibilityAuthGateway(new PayerSimulator(), { RCM_ELIGIBILITY_GATEWAY: 'file-drop' })).toThrow(ConfigError);
    expect(() => createEligibilityAuthGateway(fd, { RCM_ELIGIBILITY_GATEWAY: 'http' })).toThrow(/RCM_ELIGIBILITY_GATEWAY/);
    expect(() => createEligibilityAuthGateway(fd, { RCM_ELIGIBILITY_GATEWAY: 'file-drop', RCM_CLEARINGHOUSE_ID: 'bad*id' })).toThrow(/RCM_CLEARINGHOUSE_ID/);
  });
});
