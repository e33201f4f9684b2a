/**
 * Eligibility over X12 270/271 (005010X279A1), mapped to what the ELIG rules read
 * (`EligibilityAnswer`, domain/eligibility.ts). Shared by every eligibility gateway: the request
 * becomes a real 270 (`request270`), a payer's 271 becomes the answer (`answerFrom271`), and the
 * simulator writes its decision as a 271 (`benefitsFor`).
 *
 * 271 → answer:
 * - coverage: the plan-level EB (EB03 includes 30, no EB13 procedure; else the first EB01 1–8 with
 *   no procedure): EB01 1–5 active, 6–8 inactive; `terminated` when inactive with a plan end date.
 *   Dates: DTP*346 / 356 plan / eligibility begin → effectiveDate, DTP*347 / 357 end →
 *   terminationDate, DTP*291 (D8 or RD8) when neither is sent; 2110C dates of that EB win.
 *   planName = EB05.
 * - services: one per EB with an EB13 HC procedure: EB01 I (non-covered) → covered false, else
 *   true; EB11 Y → authRequired; MSG texts → note. A CPT the 271 does not itemize stays absent
 *   (ELIG-2 then says "the payer did not answer for CPT …").
 * - frequencyUsed (ELIG-4): EB*F (limitations) with EB09 VS (visits) and EB10 the count, EB13 a
 *   CPT of the family and region group (codeInfo), EB06 21 (years) and MSG "SESSIONS IN THE LAST
 *   12 MONTHS". Our convention (payers word limitations in many ways; see the README).
 * - conservativeCareWeeksOnFile (ELIG-3): a plan-level MSG "CONSERVATIVE CARE ON FILE n WEEKS"
 *   (simulator convention; real 271s do not carry it, ELIG-3 then uses our chart).
 * - msp (ELIG-6): EB*R (other or additional payer) with an EB04 insurance type, a 2120C entity or
 *   a MSG → other_primary (otherPayerType = MSG, else 2120C NM103, else the EB04 meaning); EB*R
 *   with none of them → unknown; no EB*R and a plan EB04 MA/MB (Medicare Part A/B) →
 *   medicare_primary; else none.
 * - AAA request errors (e.g. 75 subscriber not found) with no plan EB → coverage inactive and the
 *   reasons in `requestErrors`.
 */
import { codeInfo, painCodeSet, type RegionGroup } from '../../domain/reference';
import type { EligibilityAnswer } from '../../domain/eligibility';
import { generate270, parse271, type Benefit, type Benefit271Input, type Eligibility270, type Eligibility271, type EnvelopeOptions, type X12Date } from '../../x12/eligibility';
import { X12Error } from '../../x12/errors';
import type { EligibilityRequest270, EligibilityResponse271 } from './eligibility-auth';

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** TRN02 (1–50 characters): the request id, or its first 41 characters + '-' + a hash when longer. */
export function trace270(requestId: string): string {
  if (requestId.length <= 50) return requestId;
  return `${requestId.slice(0, 41)}-${hash32(requestId).toString(36).toUpperCase().padStart(7, '0')}`;
}

export function request270(req: EligibilityRequest270, names: { payerName?: string; providerName?: string } = {}): Eligibility270 {
  return {
    traceNumber: trace270(req.requestId),
    payer: { name: names.payerName ?? req.payerId, id: req.payerId },
    provider: { name: names.providerName ?? req.practiceId, npi: req.providerNpi },
    subscriber: { ...(req.memberId ? { memberId: req.memberId } : {}) },
    serviceDate: req.serviceDate,
    serviceTypes: ['30'],
    procedures: req.cpts.map((code) => ({ qualifier: 'HC', code, modifiers: [] })),
  };
}

export function build270(req: EligibilityRequest270, opts: EnvelopeOptions): string {
  return generate270(request270(req), opts);
}

const MEDICARE = new Set(['MA', 'MB']);
const MSP_TYPES: Record<string, string> = {
  '12': 'employer group health plan (working aged)',
  '13': 'end-stage renal disease group health plan',
  '14': 'no-fault insurance',
  '15': "workers' compensation",
  '16': 'public health service or other federal agency',
  '41': 'black lung',
  '42': 'veterans affairs',
  '43': 'large group health plan (disability)',
  '47': 'other liability insurance',
};
const CONSERVATIVE = /^CONSERVATIVE CARE ON FILE:? (\d+) WEEKS?$/i;

function planBenefit(benefits: Benefit[]): Benefit | undefined {
  const plan = benefits.filter((b) => !b.procedure && /^[1-8]$/.test(b.code));
  return plan.find((b) => b.serviceTypes.includes('30')) ?? plan[0];
}

function dateOf(dates: X12Date[], begin: string[], end: string[]): { from?: string; to?: string } {
  const from = dates.find((d) => begin.includes(d.qualifier))?.from;
  const to = dates.find((d) => end.includes(d.qualifier));
  const plan = dates.find((d) => d.qualifier === '291');
  return { from: from ?? plan?.from, to: to ? (to.to ?? to.from) : plan?.to };
}

/** The ELIG rules' view of one 271 answer. */
export function eligibilityAnswerOf(a: Eligibility271): EligibilityAnswer & { requestErrors?: string[] } {
  const plan = planBenefit(a.benefits);
  const planDates = dateOf(a.planDates, ['346', '356'], ['347', '357']);
  const ebDates = plan ? dateOf(plan.dates, ['346', '356'], ['347', '357']) : {};
  const effectiveDate = ebDates.from ?? planDates.from;
  const terminationDate = ebDates.to ?? planDates.to;
  const active = plan ? /^[1-5]$/.test(plan.code) : false;
  const coverage: EligibilityAnswer['coverage'] = {
    status: active ? 'active' : terminationDate ? 'terminated' : 'inactive',
    ...(effectiveDate ? { effectiveDate } : {}),
    ...(terminationDate ? { terminationDate } : {}),
    ...(plan?.planDescription ? { planName: plan.planDescription } : {}),
  };
  const services: EligibilityAnswer['services'] = [];
  const frequencyUsed: NonNullable<EligibilityAnswer['frequencyUsed']> = [];
  for (const b of a.benefits) {
    if (!b.procedure || b.procedure.qualifier !== 'HC') continue;
    if (b.code === 'F' && b.quantityQualifier === 'VS' && b.quantity !== undefined) {
      const info = codeInfo(b.procedure.code);
      if (info?.family && info.regionGroup) frequencyUsed.push({ family: info.family, regionGroup: info.regionGroup, count: b.quantity });
      continue;
    }
    if (b.code === 'F' || b.code === 'R') continue;
    const cpt = b.procedure.code;
    if (services.some((s) => s.cpt === cpt)) continue; // the first EB for a procedure answers it
    const note = b.messages.join('; ');
    services.push({ cpt, covered: b.code !== 'I', ...(b.authorizationRequired === 'Y' ? { authRequired: true } : {}), ...(note ? { note } : {}) });
  }
  const conservative = plan?.messages.map((m) => CONSERVATIVE.exec(m.trim())).find(Boolean);
  const other = a.benefits.find((b) => b.code === 'R');
  let msp: EligibilityAnswer['msp'];
  if (other) {
    const text = other.messages.join('; ') || other.relatedEntities.find((e) => e.name)?.name || (other.insuranceType ? MSP_TYPES[other.insuranceType] ?? `insurance type ${other.insuranceType}` : undefined);
    msp = text || other.insuranceType || other.relatedEntities.length ? { status: 'other_primary', ...(text ? { otherPayerType: text } : {}) } : { status: 'unknown' };
  } else if (plan?.insuranceType && MEDICARE.has(plan.insuranceType)) {
    msp = { status: 'medicare_primary' };
  }
  const requestErrors = a.errors.map((e) => `AAA ${e.loop} ${e.reason}${e.followUp ? ` (follow-up ${e.followUp})` : ''}`);
  return {
    coverage,
    services,
    ...(conservative ? { conservativeCareWeeksOnFile: Number(conservative[1]) } : {}),
    frequencyUsed,
    ...(msp ? { msp } : {}),
    ...(requestErrors.length ? { requestErrors } : {}),
  };
}

/**
 * The answer to this request from a 271 text: the patient loop whose TRN02 is our trace (or the
 * only one when the payer sent no trace). A malformed 271, or one that answers another trace, is
 * refused whole (X12Error with its segment).
 */
export function answerFrom271(text: string, req: EligibilityRequest270, respondedOn: string): EligibilityResponse271 {
  const answers = parse271(text);
  const trace = trace270(req.requestId);
  const match = answers.find((a) => a.traceNumber === trace) ?? (answers.length === 1 && !answers[0].traceNumber ? answers[0] : undefined);
  if (!match) {
    const first = answers[0];
    if (!first) throw new X12Error(1, 'ST', 'the 271 holds no patient answer', 'CONTENT');
    throw new X12Error(first.segmentPosition, 'TRN', `the 271 answers trace ${first.traceNumber ?? '(none)'}, not this inquiry (${trace})`, 'CONTENT');
  }
  return { ...eligibilityAnswerOf(match), requestId: req.requestId, payerId: req.payerId, respondedOn, raw: text };
}

function representativeCpt(family: string, regionGroup: RegionGroup): string {
  const cpt = painCodeSet().find((c) => {
    const i = codeInfo(c);
    return i?.family === family && i.regionGroup === regionGroup && (i.levelOrdinal ?? 1) === 1;
  });
  if (!cpt) throw new Error(`no CPT of family ${family} in ${regionGroup} to report a frequency limitation with`);
  return cpt;
}

function mspType(text: string | undefined): string {
  const t = (text ?? '').toLowerCase();
  if (/employer|group health|working/.test(t)) return '12';
  if (/renal|esrd/.test(t)) return '13';
  if (/no-fault|auto/.test(t)) return '14';
  if (/workers/.test(t)) return '15';
  if (/veteran|\bva\b/.test(t)) return '42';
  return '47';
}

/** The simulator's decision as 271 benefits (the inverse of `eligibilityAnswerOf`). */
export function benefitsFor(answer: EligibilityAnswer): { planDates: X12Date[]; benefits: Benefit271Input[] } {
  const c = answer.coverage;
  const planDates: X12Date[] = [
    ...(c.effectiveDate ? [{ qualifier: '346', from: c.effectiveDate }] : []),
    ...(c.terminationDate ? [{ qualifier: '347', from: c.terminationDate }] : []),
  ];
  const benefits: Benefit271Input[] = [
    {
      code: c.status === 'active' ? '1' : '6',
      serviceTypes: ['30'],
      ...(answer.msp?.status === 'medicare_primary' ? { insuranceType: 'MB' } : {}),
      ...(c.planName ? { planDescription: c.planName } : {}),
      messages: answer.conservativeCareWeeksOnFile !== undefined ? [`CONSERVATIVE CARE ON FILE ${answer.conservativeCareWeeksOnFile} WEEKS`] : [],
    },
  ];
  for (const s of answer.services) {
    benefits.push({
      code: s.covered ? '1' : 'I',
      serviceTypes: [],
      authorizationRequired: s.authRequired ? 'Y' : 'N',
      procedure: { qualifier: 'HC', code: s.cpt, modifiers: [] },
      messages: s.note ? [s.note] : [],
    });
  }
  for (const f of answer.frequencyUsed ?? []) {
    benefits.push({
      code: 'F',
      serviceTypes: [],
      timePeriod: '21',
      quantityQualifier: 'VS',
      quantity: f.count,
      procedure: { qualifier: 'HC', code: representativeCpt(f.family, f.regionGroup), modifiers: [] },
      messages: ['SESSIONS IN THE LAST 12 MONTHS'],
    });
  }
  if (answer.msp && answer.msp.status !== 'medicare_primary') {
    benefits.push(
      answer.msp.status === 'other_primary'
        ? { code: 'R', serviceTypes: ['30'], insuranceType: mspType(answer.msp.otherPayerType), messages: answer.msp.otherPayerType ? [answer.msp.otherPayerType] : [] }
        : { code: 'R', serviceTypes: ['30'] },
    );
  }
  return { planDates, benefits };
}
