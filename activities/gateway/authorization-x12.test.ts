/**
 * Prior authorization over X12 278 (issue 14): the simulator reads the 278 request it is sent and
 * answers with a 278 response built from its scripted decision, parsed back into the AUTH
 * workflow's response type (certified A1, pended A4, denied A3), with the raw 278 kept.
 */
import { describe, expect, it } from 'vitest';
import { EligibilityAuthSimulator, type AuthorizationRequest278 } from './eligibility-auth';
import { answerFrom278, build278Response, request278 } from './authorization-x12';
import { parse278Request } from '../../x12/authorization';
import { X12Error } from '../../x12/errors';

const req = (over: Partial<AuthorizationRequest278> = {}): AuthorizationRequest278 => ({
  requestId: 'auth:AUTH-7:submit:1',
  authId: 'AUTH-7',
  payerId: 'COMMERCIAL',
  practiceId: 'demo-pain',
  providerNpi: '1234567893',
  patientId: 'PT-7',
  family: 'esi',
  cpts: ['64483'],
  region: 'lumbar',
  approach: 'transforaminal',
  levels: ['L4-L5'],
  laterality: 'bilateral',
  requestedFrom: '2026-12-01',
  requestedTo: '2027-02-28',
  visitsRequested: 2,
  submittedOn: '2026-11-20',
  ...over,
});

describe('278 through the authorization simulator', () => {
  it('AUTH-3: certified (HCR*A1): auth number (REF*BB / HCR02), the requested window (DTP*AAH) and visits (HSD*VS) the payer read from the 278 request', async () => {
    const sim = new EligibilityAuthSimulator();
    const r = req({ memberId: 'W1', diagnoses: ['M54.16'], attachments: [{ reportType: 'RR', transmission: 'EL', controlNumber: 'AUTH-7-IMAGING' }] });
    const res = await sim.submitAuthorization(r);
    const { raw, ...decision } = res;
    expect(decision).toEqual({ requestId: r.requestId, authId: 'AUTH-7', payerId: 'COMMERCIAL', decidedOn: '2026-11-20', decision: 'approved', authNumber: expect.stringMatching(/^SIM[0-9A-Z]+$/), validFrom: '2026-12-01', validTo: '2027-02-28', visitsAuthorized: 2 });
    expect(raw).toMatch(/^HCR\*A1\*SIM/m);
    expect(raw).toContain(`TRN*2*${r.requestId}`);
    const [read] = parse278Request(sim.lastRequest278!);
    expect(read).toMatchObject({ traceNumber: r.requestId, subscriber: { memberId: 'W1' }, diagnoses: ['M54.16'], attachments: [{ reportType: 'RR', transmission: 'EL', controlNumber: 'AUTH-7-IMAGING' }], eventFrom: '2026-12-01', eventTo: '2027-02-28', visits: 2 });
  });

  it('AUTH-5: pended (A4) then, on the status follow-up, denied for medical necessity (A3 + HCR03), each decision from the parsed 278', async () => {
    const sim = new EligibilityAuthSimulator().forAuthorization('AUTH-7', [{ decision: 'pended' }, { decision: 'denied', denialReason: 'medical_necessity', reason: 'conservative care not documented' }]);
    const first = await sim.submitAuthorization(req());
    expect(first).toMatchObject({ decision: 'pended', reason: 'clinical review' });
    expect(first.raw).toMatch(/^HCR\*A4~$/m);
    const second = await sim.authorizationStatus({ requestId: 'auth:AUTH-7:status:1', authId: 'AUTH-7', payerId: 'COMMERCIAL', inquiryDate: '2026-11-24' });
    expect(second).toMatchObject({ decision: 'denied', denialReason: 'medical_necessity', reason: 'conservative care not documented', decidedOn: '2026-11-24' });
    expect(second.raw).toMatch(/^HCR\*A3\*\*MN~$/m);
    // a retried request gets the same answer
    expect(await sim.authorizationStatus({ requestId: 'auth:AUTH-7:status:1', authId: 'AUTH-7', payerId: 'COMMERCIAL', inquiryDate: '2026-11-24' })).toEqual(second);
  });

  it('a 278 response for another trace, or malformed, is refused with its segment; an unknown HCR03 leaves the denial reason unset', () => {
    const ids = { requestId: 'auth:AUTH-7:submit:1', authId: 'AUTH-7', payerId: 'COMMERCIAL' };
    const o = { sender: { id: 'COMMERCIAL', name: 'C' }, receiver: { id: 'DEMOPAIN', name: 'D' }, controlNumbers: { isa: 4, gs: 4, st: 1 }, createdAt: '2026-11-20T12:00:00Z' };
    const asked = { ...request278(req()), traceNumber: 'OTHER-TRACE' };
    const text = build278Response({ ...ids, decision: 'denied', denialReason: 'frequency', decidedOn: '2026-11-20' }, asked, o);
    expect(() => answerFrom278(text, ids, '2026-11-20')).toThrow(/segment 11 \(HL\): the 278 answers trace OTHER-TRACE, not this request \(auth:AUTH-7:submit:1\)/);
    const ours = build278Response({ ...ids, decision: 'denied', denialReason: 'frequency', decidedOn: '2026-11-20' }, { ...asked, traceNumber: ids.requestId }, o);
    expect(answerFrom278(ours, ids, '2026-11-21')).toMatchObject({ decision: 'denied', denialReason: 'frequency', decidedOn: '2026-11-20' });
    const unknown = answerFrom278(ours.replace('HCR*A3**FQ', 'HCR*A3**XX'), ids, '2026-11-21');
    expect(unknown.decision).toBe('denied');
    expect(unknown.denialReason).toBeUndefined();
    expect(unknown.reason).toBe('HCR03 XX');
    expect(() => answerFrom278(ours.replace('HCR*A3**FQ', 'HCR**FQ'), ids, '2026-11-21')).toThrow(X12Error);
  });
});
