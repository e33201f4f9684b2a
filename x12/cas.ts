/** CAS (claim adjustment) segments, as the 835 (2100/2110) and the 837P COB loops (2320/2430) carry them. */
import { X12Error } from './errors';
import { el, type Segment } from './tokenize';
import { parseCents, parseDecimal } from './values';

export const CAS_GROUPS: ReadonlySet<string> = new Set(['CO', 'PR', 'OA', 'PI', 'CR']);

export type CasEntry = { group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR'; carc: string; amountCents: number; quantity?: number };

/** CAS*group*(reason*amount*quantity) × up to 6: appends each adjustment to `into`, returns their total. */
export function readCasSegment(seg: Segment, into: CasEntry[]): number {
  const fail = (reason: string, code: X12Error['code']): never => {
    throw new X12Error(seg.position, seg.id, reason, code);
  };
  const group = el(seg, 1);
  if (!CAS_GROUPS.has(group)) fail(`CAS01 "${group}" is not a group code (CO, PR, OA, PI, CR)`, 'CONTENT');
  if (seg.elements.length > 20) fail('CAS holds more than 6 adjustment triplets', 'SYNTAX');
  let total = 0;
  let n = 0;
  for (let i = 2; i <= 17; i += 3) {
    const [carc, amount, qty] = [el(seg, i), el(seg, i + 1), el(seg, i + 2)];
    const name = `CAS${String(i + 1).padStart(2, '0')}`;
    if (!carc) {
      if (amount || qty) fail(`${name} amount without a reason code`, 'SYNTAX');
      continue;
    }
    if (carc.length > 5) fail(`CAS reason code "${carc}" is longer than 5 characters`, 'SYNTAX');
    const cents = parseCents(amount || fail(`${name} amount missing for reason ${carc}`, 'SYNTAX'), seg, name);
    const adj: CasEntry = { group: group as CasEntry['group'], carc, amountCents: cents };
    if (qty) adj.quantity = parseDecimal(qty, seg, `CAS${String(i + 2).padStart(2, '0')}`);
    into.push(adj);
    total += cents;
    n++;
  }
  if (n === 0) fail('CAS has no adjustment (CAS02/CAS03 missing)', 'SYNTAX');
  return total;
}
