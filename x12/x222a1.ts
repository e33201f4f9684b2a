/**
 * X222A1 validation pass: the 005010X222A1 (837P) implementation-guide rules this product checks on
 * every 837P it generates, before it is sent (activities/submission.ts) and in tests. Independent
 * of the reader in parse-837p.ts (which maps what it reads): this pass only judges.
 *
 * Rules implemented:
 *  - envelope: ST01 837 / ST03 005010X222A1, SE01 = segments from ST to SE, SE02 = ST02, GE01 = the
 *    group's transaction sets, GE02 = GS06, IEA01 = the interchange's groups, IEA02 = ISA13;
 *  - element usage and lengths for every segment 837P writes (min/max per element, required
 *    elements, composites of SV1/HI/CLM05, diagnosis pointers 1–12, at most 4 per line);
 *  - required segments per loop: BHT; 1000A NM1*41 + PER; 1000B NM1*40; 2000A → 2010AA NM1*85 + N3 +
 *    N4 (9-digit ZIP) + REF*EI/SY; 2000B SBR (SBR09) → 2010BA NM1*IL, 2010BB NM1*PR; 2010BA DMG when the
 *    subscriber is the patient; 2000C PAT → 2010CA NM1*QC + N3 + N4 + DMG; 2300 CLM + HI (≤ 12 codes);
 *    2310x NM1; 2320 SBR + OI → 2330A NM1*IL + 2330B NM1*PR; 2400 LX + SV1 + DTP*472; 2430 SVD + DTP*573;
 *    every claim has a service line, every subscriber or patient level a claim;
 *  - HL structure: HL01 1, 2, 3… in order; HL02 names an earlier HL one level up (20 → 22 → 23);
 *    HL04 1 exactly when a child HL follows; a subscriber with a patient level (2000C) has SBR02
 *    empty and no claims of its own, one without has SBR02 18; PAT01 is not 18.
 *
 * Not enforced (situational, data-dependent): 2010BA N3/N4 (written whenever master data has the
 * subscriber's address; a claim of a patient not registered in master data goes without it and the
 * submission records the gap, see activities/submission.ts), payer-specific edits.
 *
 * Findings name the segment position, id, loop and element, never a value (values are PHI).
 */
import { X12Error } from './errors';
import { el, tokenize, type Segment } from './tokenize';

export interface X222Finding {
  segmentPosition: number;
  segmentId: string;
  loop: string;
  /** e.g. `NM103`; absent for a whole-segment or loop rule. */
  element?: string;
  rule: string;
}

export const describeFinding = (f: X222Finding): string =>
  `segment ${f.segmentPosition} ${f.segmentId} (loop ${f.loop})${f.element ? ` ${f.element}` : ''}: ${f.rule}`;

/** [usage, min, max] per element (index 0 = XX01). R required, S situational (checked when present), '' not used. */
type ElementRule = readonly ['R' | 'S' | '', number, number];
const R = (min: number, max: number): ElementRule => ['R', min, max];
const S = (min: number, max: number): ElementRule => ['S', min, max];
const N: ElementRule = ['', 0, 0];

const ELEMENTS: Record<string, ElementRule[]> = {
  GS: [R(2, 2), R(2, 15), R(2, 15), R(8, 8), R(4, 8), R(1, 9), R(1, 2), R(1, 12)],
  ST: [R(3, 3), R(4, 9), R(1, 35)],
  SE: [R(1, 10), R(4, 9)],
  GE: [R(1, 6), R(1, 9)],
  IEA: [R(1, 5), R(9, 9)],
  BHT: [R(4, 4), R(2, 2), R(1, 50), R(8, 8), R(4, 8), R(2, 2)],
  NM1: [R(2, 3), R(1, 1), R(1, 60), S(1, 35), S(1, 25), N, S(1, 10), S(1, 2), S(2, 80)],
  PER: [R(2, 2), S(1, 60), R(2, 2), R(1, 256), S(2, 2), S(1, 256), S(2, 2), S(1, 256)],
  N3: [R(1, 55), S(1, 55)],
  N4: [R(2, 30), S(2, 2), S(3, 15), S(2, 3), N, N, S(1, 3)],
  REF: [R(2, 3), R(1, 50)],
  HL: [R(1, 12), S(1, 12), R(1, 2), R(1, 1)],
  PRV: [R(1, 3), R(2, 3), R(1, 50)],
  SBR: [R(1, 1), S(2, 2), S(1, 50), S(1, 60), S(1, 3), N, N, N, S(1, 2)],
  PAT: [R(2, 2)],
  DMG: [R(2, 3), R(1, 35), R(1, 1)],
  CLM: [R(1, 38), R(1, 18), N, N, R(1, 10), R(1, 1), R(1, 1), R(1, 1), R(1, 1)],
  HI: [R(1, 100), ...Array.from({ length: 11 }, () => S(1, 100))],
  LX: [R(1, 6)],
  SV1: [R(1, 100), R(1, 18), R(2, 2), R(1, 15), S(1, 2), N, R(1, 20)],
  DTP: [R(3, 3), R(2, 3), R(1, 35)],
  SVD: [R(2, 80), R(1, 18), R(1, 100), N, R(1, 15)],
  CAS: [R(1, 2), R(1, 5), R(1, 18), S(1, 15)],
  AMT: [R(1, 3), R(1, 18)],
  OI: [N, N, R(1, 1), N, N, R(1, 1)],
};

/** Loops and the segments each must hold (REF/DTP/NM1 by qualifier as `ID*Q`, alternatives with `|`). */
const REQUIRED: Record<string, string[]> = {
  '1000A': ['NM1', 'PER'],
  '1000B': ['NM1'],
  '2010AA': ['NM1', 'N3', 'N4', 'REF*EI|REF*SY'],
  '2000B': ['SBR'],
  '2010BA': ['NM1'],
  '2010BB': ['NM1'],
  '2000C': ['PAT'],
  '2010CA': ['NM1', 'N3', 'N4', 'DMG'],
  '2300': ['CLM', 'HI'],
  '2310': ['NM1'],
  '2320': ['SBR', 'OI'],
  '2330A': ['NM1'],
  '2330B': ['NM1'],
  '2400': ['LX', 'SV1', 'DTP*472'],
  '2430': ['SVD', 'DTP*573'],
};

interface LoopInstance {
  loop: string;
  seg: Segment;
  seen: Set<string>;
  children: Set<string>;
}

interface HlInfo {
  level: string;
  seg: Segment;
  hl04: string;
  children: number;
  claims: number;
  sbr02?: string;
  sbrSeg?: Segment;
}

export function validateX222A1(text: string): X222Finding[] {
  const findings: X222Finding[] = [];
  let loop = 'ISA';
  const add = (seg: Segment, rule: string, element?: string, at = loop) => findings.push({ segmentPosition: seg.position, segmentId: seg.id, loop: at, ...(element ? { element } : {}), rule });

  let isa: Segment | undefined;
  let gs: Segment | undefined;
  let st: Segment | undefined;
  let groups = 0;
  let sets = 0;
  const hl = new Map<string, HlInfo>();
  let currentHl: HlInfo | undefined;
  let open: LoopInstance[] = [];
  let claim: LoopInstance | undefined;
  let claimLines = 0;
  let sawBht = false;

  const close = (keep: (l: LoopInstance) => boolean) => {
    const still: LoopInstance[] = [];
    for (const l of open) {
      if (keep(l)) {
        still.push(l);
        continue;
      }
      for (const need of REQUIRED[l.loop] ?? []) {
        if (!need.split('|').some((k) => l.seen.has(k))) add(l.seg, `loop ${l.loop} has no ${need.replace('|', ' or ').replace(/\*/g, '*')} segment (required)`, undefined, l.loop);
      }
      if (l.loop === '2000A' && !l.children.has('2010AA')) add(l.seg, 'loop 2000A has no billing provider 2010AA (NM1*85)', undefined, l.loop);
      if (l.loop === '2000B') {
        if (!l.children.has('2010BA')) add(l.seg, 'loop 2000B has no subscriber 2010BA (NM1*IL)', undefined, l.loop);
        if (!l.children.has('2010BB')) add(l.seg, 'loop 2000B has no payer 2010BB (NM1*PR)', undefined, l.loop);
      }
      if (l.loop === '2000C' && !l.children.has('2010CA')) add(l.seg, 'loop 2000C has no patient 2010CA (NM1*QC)', undefined, l.loop);
      if (l.loop === '2320') {
        if (!l.children.has('2330A')) add(l.seg, 'loop 2320 has no other subscriber 2330A (NM1*IL)', undefined, l.loop);
        if (!l.children.has('2330B')) add(l.seg, 'loop 2320 has no other payer 2330B (NM1*PR)', undefined, l.loop);
      }
    }
    open = still;
  };
  const depth: Record<string, number> = {
    '1000A': 1, '1000B': 1, '2000A': 1, '2010AA': 2, '2010AB': 2, '2000B': 1, '2010BA': 2, '2010BB': 2, '2000C': 1, '2010CA': 2,
    '2300': 2, '2310': 3, '2320': 3, '2330A': 4, '2330B': 4, '2330': 4, '2400': 3, '2420': 4, '2430': 4,
  };
  /** Open a loop: closes the loops at its depth or deeper (and every HL-level loop for a new HL). */
  const openLoop = (name: string, seg: Segment) => {
    const d = depth[name] ?? 1;
    close((l) => (depth[l.loop] ?? 1) < d);
    const parent = open[open.length - 1];
    parent?.children.add(name);
    const inst: LoopInstance = { loop: name, seg, seen: new Set(), children: new Set() };
    open.push(inst);
    loop = name;
    return inst;
  };
  const closeClaim = () => {
    if (claim && claimLines === 0) add(claim.seg, 'the claim has no service line (loop 2400 LX/SV1)', undefined, '2300');
    claim = undefined;
    claimLines = 0;
  };

  const checkElements = (seg: Segment) => {
    const rules = ELEMENTS[seg.id];
    if (!rules) return;
    const name = (i: number) => `${seg.id}${String(i + 1).padStart(2, '0')}`;
    rules.forEach(([usage, min, max], i) => {
      const v = el(seg, i + 1);
      if (v === '') {
        if (usage === 'R') add(seg, 'required element missing', name(i));
        return;
      }
      if (usage === '') add(seg, 'element not used in X222A1', name(i));
      else if (v.length < min || v.length > max) add(seg, `length ${v.length} outside ${min}–${max}`, name(i));
    });
    if (seg.elements.length - 1 > rules.length) add(seg, `${seg.elements.length - 1} elements, at most ${rules.length}`, name(seg.elements.length - 2));
  };

  let segs: Segment[];
  try {
    segs = [...tokenize(text)];
  } catch (err) {
    if (err instanceof X12Error) return [{ segmentPosition: err.segmentPosition, segmentId: err.segmentId, loop: 'ISA', rule: err.reason }];
    throw err;
  }
  let stCount = 0;
  for (const seg of segs) {
    if (st) stCount++;
    step(seg);
    // After the segment moved the loop, so a finding names the loop the segment belongs to.
    checkElements(seg);
  }
  // 2010BA DMG: required when the subscriber is the patient.
  return findings.concat(subscriberDmg(segs));

  function step(seg: Segment): void {
    const key = ['NM1', 'REF', 'DTP'].includes(seg.id) ? `${seg.id}*${el(seg, 1)}` : seg.id;
    const current = open[open.length - 1];
    switch (seg.id) {
      case 'ISA':
        isa = seg;
        groups = 0;
        loop = 'ISA';
        return;
      case 'GS':
        gs = seg;
        groups++;
        sets = 0;
        return;
      case 'ST':
        st = seg;
        stCount = 1;
        sets++;
        loop = 'header';
        hl.clear();
        open = [];
        sawBht = false;
        if (el(seg, 1) !== '837') add(seg, 'ST01 must be 837', 'ST01');
        if (el(seg, 3) !== '005010X222A1') add(seg, 'ST03 must be 005010X222A1', 'ST03');
        if (gs && el(gs, 8) !== el(seg, 3)) add(seg, 'ST03 is not GS08', 'ST03');
        return;
      case 'BHT':
        sawBht = true;
        return;
      case 'SE': {
        closeClaim();
        close(() => false);
        for (const [id, info] of hl) {
          const hasChild = info.children > 0;
          if ((info.hl04 === '1') !== hasChild) add(info.seg, `HL04 ${info.hl04 === '1' ? 'says a child level follows but none does' : 'says no child level follows but HL ' + [...hl].find(([, c]) => c.seg.position > info.seg.position && el(c.seg, 2) === id)?.[0] + ' is its child'}`, 'HL04', info.level === '20' ? '2000A' : info.level === '22' ? '2000B' : '2000C');
          if (info.level === '22') {
            if (hasChild && info.sbr02) add(info.sbrSeg!, 'SBR02 must be empty when the patient is not the subscriber (loop 2000C follows)', 'SBR02', '2000B');
            if (!hasChild && info.sbrSeg && info.sbr02 !== '18') add(info.sbrSeg, 'SBR02 must be 18 when the subscriber is the patient (no loop 2000C)', 'SBR02', '2000B');
            if (hasChild && info.claims) add(info.seg, 'claims under a subscriber level that has patient levels: they belong to loop 2000C', undefined, '2000B');
          }
          if ((info.level === '22' && !hasChild) || info.level === '23') {
            if (!info.claims) add(info.seg, 'a billable level without a claim (CLM)', undefined, info.level === '22' ? '2000B' : '2000C');
          }
        }
        if (!sawBht) add(seg, 'the transaction set has no BHT', undefined, 'header');
        if (el(seg, 1) !== String(stCount)) add(seg, `SE01 is not the number of segments from ST to SE (${stCount})`, 'SE01', 'SE');
        if (st && el(seg, 2) !== el(st, 2)) add(seg, 'SE02 is not ST02', 'SE02', 'SE');
        st = undefined;
        loop = 'SE';
        return;
      }
      case 'GE':
        if (el(seg, 1) !== String(sets)) add(seg, `GE01 is not the number of transaction sets in the group (${sets})`, 'GE01', 'GE');
        if (gs && el(seg, 2) !== el(gs, 6)) add(seg, 'GE02 is not GS06', 'GE02', 'GE');
        return;
      case 'IEA':
        if (el(seg, 1) !== String(groups)) add(seg, `IEA01 is not the number of functional groups (${groups})`, 'IEA01', 'IEA');
        if (isa && el(seg, 2) !== el(isa, 13)) add(seg, 'IEA02 is not ISA13', 'IEA02', 'IEA');
        return;
      case 'HL': {
        closeClaim();
        const [id, parent, level, child] = [el(seg, 1), el(seg, 2), el(seg, 3), el(seg, 4)];
        if (id !== String(hl.size + 1)) add(seg, `HL01 out of sequence (expected ${hl.size + 1})`, 'HL01', 'HL');
        const want: Record<string, string | undefined> = { '20': undefined, '22': '20', '23': '22' };
        const name = level === '20' ? '2000A' : level === '22' ? '2000B' : level === '23' ? '2000C' : 'HL';
        if (!(level in want)) add(seg, 'HL03 is not 20, 22 or 23', 'HL03', name);
        const p = parent ? hl.get(parent) : undefined;
        if (parent && !p) add(seg, 'HL02 names no earlier HL', 'HL02', name);
        if ((p?.level ?? undefined) !== want[level]) add(seg, `HL level ${level} must have ${want[level] ? `a level ${want[level]} parent` : 'no parent'}`, 'HL02', name);
        if (p) p.children++;
        if (child !== '0' && child !== '1') add(seg, 'HL04 must be 0 or 1', 'HL04', name);
        currentHl = { level, seg, hl04: child, children: 0, claims: 0 };
        hl.set(id, currentHl);
        close(() => false);
        openLoop(name, seg).seen.add('HL');
        return;
      }
      case 'NM1': {
        const q = el(seg, 1);
        let next: string | undefined;
        if (q === '41') next = '1000A';
        else if (q === '40') next = '1000B';
        else if (q === '85') next = '2010AA';
        else if (q === '87') next = '2010AB';
        else if (q === 'IL') next = loop === '2320' ? '2330A' : '2010BA';
        else if (q === 'PR') next = loop === '2330A' ? '2330B' : '2010BB';
        else if (q === 'QC') next = '2010CA';
        else if (loop.startsWith('24')) next = '2420';
        else if (loop.startsWith('233')) next = '2330';
        else next = '2310';
        const inst = openLoop(next, seg);
        inst.seen.add('NM1');
        if (next === '2010AA' || next === '2310' || next === '2420') {
          if (el(seg, 8) !== 'XX') add(seg, 'NM108 must be XX (an NPI)', 'NM108', next);
          if (!/^\d{10}$/.test(el(seg, 9))) add(seg, 'NM109 must be a 10-digit NPI', 'NM109', next);
        }
        if (el(seg, 2) === '1' && !el(seg, 4) && ['2010CA', '2310', '2420'].includes(next)) add(seg, 'NM104 (first name) required for a person', 'NM104', next);
        if (!!el(seg, 8) !== !!el(seg, 9)) add(seg, 'NM108 and NM109 go together', el(seg, 8) ? 'NM109' : 'NM108', next);
        if (['2010BA', '2010BB', '2330A', '2330B', '2010AA'].includes(next) && !el(seg, 9)) add(seg, 'NM109 (identifier) required', 'NM109', next);
        return;
      }
      case 'CLM':
        closeClaim();
        if (!currentHl || (currentHl.level !== '22' && currentHl.level !== '23')) add(seg, 'CLM outside a subscriber or patient level', undefined, '2300');
        if (currentHl) currentHl.claims++;
        if (!['2010BB', '2010CA', '2300', '2310', '2320', '2330A', '2330B', '2330', '2400', '2420', '2430'].includes(loop)) add(seg, `CLM in loop ${loop}`, undefined, '2300');
        claim = openLoop('2300', seg);
        claim.seen.add('CLM');
        checkClm(seg, add);
        return;
      case 'SBR':
        if (claim) {
          openLoop('2320', seg).seen.add('SBR');
        } else if (current?.loop === '2000B') {
          current.seen.add('SBR');
          currentHl!.sbr02 = el(seg, 2);
          currentHl!.sbrSeg = seg;
          if (!el(seg, 9)) add(seg, 'required element missing', 'SBR09', '2000B');
        } else add(seg, `SBR not allowed in loop ${loop}`);
        return;
      case 'PAT':
        if (current?.loop !== '2000C' && current?.loop !== '2000B') add(seg, `PAT not allowed in loop ${loop}`);
        current?.seen.add('PAT');
        if (current?.loop === '2000C' && el(seg, 1) === '18') add(seg, 'PAT01 is 18 (self): a patient level is for a patient who is not the subscriber', 'PAT01', '2000C');
        return;
      case 'LX':
        if (!claim) add(seg, 'LX outside a claim', undefined, '2400');
        claimLines++;
        openLoop('2400', seg).seen.add('LX');
        if (el(seg, 1) !== String(claimLines)) add(seg, `LX01 out of sequence (expected ${claimLines})`, 'LX01', '2400');
        return;
      case 'SVD':
        openLoop('2430', seg).seen.add('SVD');
        return;
    }
    if (!current) {
      if (seg.id !== 'BHT') add(seg, `${seg.id} outside any loop`);
      return;
    }
    current.seen.add(key);
    if (seg.id === 'N4' && !el(seg, 4)) {
      if (!el(seg, 2)) add(seg, 'required for a US address (no N404 country)', 'N402', current.loop);
      if (!el(seg, 3)) add(seg, 'required for a US address (no N404 country)', 'N403', current.loop);
      else if (current.loop === '2010AA' && !/^\d{9}$/.test(el(seg, 3))) add(seg, 'the billing provider ZIP must be the 9-digit ZIP+4', 'N403', '2010AA');
      else if (!/^\d{5}(\d{4})?$/.test(el(seg, 3))) add(seg, 'a US ZIP is 5 or 9 digits', 'N403', current.loop);
    }
    if (seg.id === 'SV1') checkSv1(seg, add);
    if (seg.id === 'HI') checkHi(seg, add);
    if (seg.id === 'DMG' && !/^\d{8}$/.test(el(seg, 2))) add(seg, 'DMG02 must be CCYYMMDD', 'DMG02', current.loop);
  }
}

function checkClm(seg: Segment, add: (seg: Segment, rule: string, element?: string, at?: string) => void): void {
  const c5 = el(seg, 5).split(seg.delimiters.component);
  if (c5.length < 3 || !/^\d{2}$/.test(c5[0]) || c5[1] !== 'B' || !/^[178]$/.test(c5[2])) add(seg, 'CLM05 must be place of service (2 digits) : B : frequency code 1, 7 or 8', 'CLM05', '2300');
  if (!/^\d+(\.\d{1,2})?$/.test(el(seg, 2))) add(seg, 'CLM02 is not an amount', 'CLM02', '2300');
}

function checkSv1(seg: Segment, add: (seg: Segment, rule: string, element?: string, at?: string) => void): void {
  const c = el(seg, 1).split(seg.delimiters.component);
  if (c[0] !== 'HC' && c[0] !== 'ER' && c[0] !== 'IV' && c[0] !== 'WK') add(seg, 'SV101-1 is not a product/service id qualifier (HC)', 'SV101', '2400');
  if (!c[1] || c[1].length > 48) add(seg, 'SV101-2 procedure code is 1–48 characters', 'SV101', '2400');
  if (c.slice(2, 6).some((m) => m !== '' && m.length !== 2)) add(seg, 'SV101-3..6 modifiers are 2 characters', 'SV101', '2400');
  if (!['UN', 'MJ'].includes(el(seg, 3))) add(seg, 'SV103 must be UN (units) or MJ (minutes)', 'SV103', '2400');
  const pointers = el(seg, 7).split(seg.delimiters.component).filter((p) => p !== '');
  if (pointers.length < 1 || pointers.length > 4 || pointers.some((p) => !/^([1-9]|1[0-2])$/.test(p))) add(seg, 'SV107 holds 1–4 diagnosis pointers, each 1–12', 'SV107', '2400');
}

function checkHi(seg: Segment, add: (seg: Segment, rule: string, element?: string, at?: string) => void): void {
  if (seg.elements.length - 1 > 12) add(seg, 'HI holds at most 12 codes', `HI${seg.elements.length - 1}`, '2300');
  for (let i = 1; i < seg.elements.length; i++) {
    const [q, code] = el(seg, i).split(seg.delimiters.component);
    const name = `HI${String(i).padStart(2, '0')}`;
    if (!q || q.length > 3 || !code || code.length > 30) add(seg, 'a code list qualifier (1–3) and a code (1–30)', name, '2300');
  }
}

/** 2010BA DMG is required when the subscriber is the patient (2000B SBR02 18). */
function subscriberDmg(segs: Segment[]): X222Finding[] {
  const out: X222Finding[] = [];
  let sbr: Segment | undefined;
  let nm1: Segment | undefined;
  let dmg = false;
  const done = () => {
    if (sbr && el(sbr, 2) === '18' && nm1 && !dmg) out.push({ segmentPosition: nm1.position, segmentId: 'NM1', loop: '2010BA', rule: 'loop 2010BA has no DMG (required when the subscriber is the patient)' });
    sbr = undefined;
    nm1 = undefined;
    dmg = false;
  };
  let inBa = false;
  let inClaim = false;
  for (const s of segs) {
    if (s.id === 'HL') {
      done();
      inClaim = false;
    }
    if (inClaim) continue;
    if (s.id === 'SBR') sbr = s;
    if (s.id === 'NM1') {
      inBa = el(s, 1) === 'IL';
      if (inBa) nm1 = s;
    }
    if (s.id === 'DMG' && inBa) dmg = true;
    if (s.id === 'CLM' || s.id === 'SE') {
      done();
      inBa = false;
      inClaim = s.id === 'CLM';
    }
  }
  return out;
}

/** Throws an X12Error for the first finding (segment position, id and element; no value). */
export function assertX222A1(text: string): void {
  const [first, ...rest] = validateX222A1(text);
  if (!first) return;
  const more = rest.length ? ` (and ${rest.length} more)` : '';
  throw new X12Error(first.segmentPosition, first.segmentId, `X222A1: loop ${first.loop}${first.element ? ` ${first.element}` : ''}: ${first.rule}${more}`, 'CONTENT');
}
