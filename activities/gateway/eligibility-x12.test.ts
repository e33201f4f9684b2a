/**
 * Eligibility over X12 (issue 14): the simulator writes a real 270, reads it as a payer, answers
 * with a 271 built from its decision, and the 271 is parsed back and mapped to what the ELIG rules
 * read — the same answer its decision logic gives, with the raw 271 kept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EligibilityAuthSimulator, type EligibilityRequest270 } from './eligibility-auth';
import { answerFrom271, trace270 } from './eligibility-x12';
import { generate271, parse270 } from '../../x12/eligibility';
import { evaluateEligibility } from '../../domain/eligibility';
import { X12Error } from '../../x12/errors';
import { COMMERCIAL } from '../../domain/payer-policy';

const req = (over: Partial<EligibilityRequest270> = {}): EligibilityRequest270 => ({
  requestId: 'eligibility:APT-9:check:1',
  payerId: 'COMMERCIAL',
  practiceId: 'demo-pain',
  providerNpi: '1234567893',
  patientId: 'PT-9',
  memberId: 'W123456789',
  serviceDate: '2026-12-10',
  inquiryDate: '2026-12-07',
  cpts: ['64483', '77003'],
  ...over,
});

describe('270/271 through the eligibility simulator', () => {
  it('ELIG-2/ELIG-5/ELIG-3/ELIG-4/ELIG-7: the answer read back from the 271 equals the decision (coverage dates, non-covered CPT with note, auth required, conservative care, frequency)', async () => {
    const sim = new EligibilityAuthSimulator().forPatient('PT-9', {
      coverage: { status: 'active', effectiveDate: '2026-01-01', terminationDate: '2026-12-31' },
      notCoveredCpts: ['77003'],
      authRequiredCpts: ['64483'],
      conservativeCareWeeksOnFile: 6,
      frequencyUsed: [{ family: 'esi', regionGroup: 'lumbar_sacral', count: 3 }],
    });
    const r = req();
    const answer = await sim.checkEligibility(r);
    const { raw, requestId, payerId, respondedOn, ...mapped } = answer;
    expect({ requestId, payerId, respondedOn }).toEqual({ requestId: r.requestId, payerId: 'COMMERCIAL', respondedOn: '2026-12-07' });
    expect(mapped).toEqual(JSON.parse(JSON.stringify(sim.decide(r))));
    expect(mapped.services).toEqual([{ cpt: '64483', covered: true, authRequired: true }, { cpt: '77003', covered: false, note: 'service excluded by plan' }]);
    expect(raw).toMatch(/^ST\*271\*0001\*005010X279A1~$/m);
    expect(raw).toContain(`TRN*2*${r.requestId}`);
    expect(raw).toContain('HC:64483');
    expect(raw).toMatch(/^DTP\*347\*D8\*20261231~$/m);
  });

  it('ELIG-6: Medicare is primary by default (EB04 MB); another primary payer comes back as EB*R with its type; an undetermined MSP as a bare EB*R', async () => {
    const sim = new EligibilityAuthSimulator();
    expect((await sim.checkEligibility(req({ payerId: 'MEDICARE' }))).msp).toEqual({ status: 'medicare_primary' });
    sim.forPatient('PT-9', { msp: { status: 'other_primary', otherPayerType: 'employer group health plan' } });
    const other = await sim.checkEligibility(req({ payerId: 'MEDICARE' }));
    expect(other.msp).toEqual({ status: 'other_primary', otherPayerType: 'employer group health plan' });
    expect(other.raw).toMatch(/^EB\*R\*\*30\*12~$/m);
    sim.forPatient('PT-9', { msp: { status: 'unknown' } });
    expect((await sim.checkEligibility(req({ payerId: 'MEDICARE' }))).msp).toEqual({ status: 'unknown' });
    expect((await sim.checkEligibility(req({ payerId: 'COMMERCIAL' }))).msp).toEqual({ status: 'unknown' });
  });

  it('ELIG-7: a termination reported only from a later inquiry date: before it active, from it terminated with the date (EB*6 + DTP*347)', async () => {
    const sim = new EligibilityAuthSimulator().forPatient('PT-9', { coverage: { status: 'terminated', effectiveDate: '2025-01-01', terminationDate: '2026-12-08', reportedFrom: '2026-12-09' } });
    expect((await sim.checkEligibility(req({ inquiryDate: '2026-12-07' }))).coverage).toEqual({ status: 'active', effectiveDate: '2025-01-01', planName: 'Simulated plan' });
    const later = await sim.checkEligibility(req({ inquiryDate: '2026-12-09' }));
    expect(later.coverage).toEqual({ status: 'terminated', effectiveDate: '2025-01-01', terminationDate: '2026-12-08', planName: 'Simulated plan' });
    expect(later.raw).toMatch(/^EB\*6\*\*30\*\*Simulated plan~$/m);
  });

  it('the payer reads the procedures from the 270 it is sent (EQ**HC:cpt per CPT, DTP*291 the date of service)', async () => {
    const sim = new EligibilityAuthSimulator();
    const r = req({ requestId: `eligibility:${'A'.repeat(60)}:check:1` });
    let seen = '';
    const answer270 = sim.answer270.bind(sim);
    sim.answer270 = (x270, q) => ((seen = x270), answer270(x270, q));
    const answer = await sim.checkEligibility(r);
    expect(parse270(seen)[0]).toMatchObject({ traceNumber: trace270(r.requestId), serviceDate: '2026-12-10', procedures: [{ code: '64483' }, { code: '77003' }], subscriber: { memberId: 'W123456789' } });
    expect(trace270(r.requestId)).toHaveLength(49);
    expect(answer.services.map((s) => s.cpt)).toEqual(['64483', '77003']);
  });

  it('ELIG-2: a real-world 271 without procedure-level benefits (public LinuxForHealth subscriber 271) maps to active coverage, and every scheduled CPT is flagged as not answered', () => {
    const text = readFileSync(path.join(__dirname, '../../x12/fixtures/public/lfh-271-subscriber.271'), 'utf8');
    const answer = answerFrom271(text, req({ requestId: '930000000000' }), '2026-12-07');
    expect(answer).toMatchObject({ coverage: { status: 'active', effectiveDate: '2021-01-01', planName: 'GOLD 123 PLAN' }, services: [], frequencyUsed: [] });
    expect(answer.msp).toBeUndefined();
    const ev = evaluateEligibility({ scheduled: { serviceDate: '2026-12-10', cpts: ['64483'] }, answer, policy: COMMERCIAL, prior: [], authorizations: [] });
    expect(ev.findings.filter((f) => f.ruleId === 'ELIG-2').map((f) => f.message)).toEqual(['the payer did not answer for CPT 64483']);
  });

  it('AAA subscriber not found: coverage inactive, the request error kept; a 271 for another trace is refused', () => {
    const o = { sender: { id: 'PAYER', name: 'P' }, receiver: { id: 'DEMOPAIN', name: 'D' }, controlNumbers: { isa: 3, gs: 3, st: 1 }, createdAt: '2026-12-07T12:00:00Z' };
    const notFound = generate271({ traceNumber: 'eligibility:APT-9:check:1', payer: { name: 'P', id: 'COMMERCIAL' }, provider: { name: 'D', npi: '1234567893' }, subscriber: { memberId: 'W123456789' }, errors: [{ valid: 'N', reason: '75', followUp: 'C' }], benefits: [] }, o);
    const a = answerFrom271(notFound, req(), '2026-12-07');
    expect(a.coverage).toEqual({ status: 'inactive' });
    expect(a.requestErrors).toEqual(['AAA 2100C 75 (follow-up C)']);
    expect(() => answerFrom271(notFound, req({ requestId: 'OTHER' }), '2026-12-07')).toThrow(X12Error);
    expect(() => answerFrom271(notFound, req({ requestId: 'OTHER' }), '2026-12-07')).toThrow(/segment 10 \(TRN\): the 271 answers trace eligibility:APT-9:check:1, not this inquiry \(OTHER\)/);
  });
});
