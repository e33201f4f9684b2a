/** Generated mutations of a valid X12 file (segments end with `~` and a newline), for property tests. */
import fc from 'fast-check';

/** Mutations of a valid 835, segment by segment (the file uses `~` then a newline between segments). */
export type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number }
  | { kind: 'element'; at: number; element: number; value: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'char'; at: number; offset: number; char: string };

const weird = fc.oneof(
  fc.constantFrom('', '\u0000', '\ud800', 'ABC', '-1', '99999999999999', '1.234', 'NaN', '*', ':', '20260230', '99991231', '1', '22', '4', 'ZZ', '2U'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -100000, max: 100000 }).map(String),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('element' as const), at: fc.nat(), element: fc.integer({ min: 1, max: 16 }), value: weird }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), offset: fc.nat(), char: fc.constantFrom('\u0000', '~', '*', ':', '^', '\n', 'X', '9', '\udc00') }),
);

export function mutateX12(text: string, mutations: Mutation[]): string {
  let segs = text.split(/~\r?\n?/).filter(Boolean);
  for (const m of mutations) {
    const i = m.at % segs.length;
    switch (m.kind) {
      case 'delete':
        if (i > 0) segs.splice(i, 1); // keep the ISA: a file without one is too easy
        break;
      case 'duplicate':
        segs.splice(i, 0, segs[i]);
        break;
      case 'swap':
        if (i + 1 < segs.length) [segs[i], segs[i + 1]] = [segs[i + 1], segs[i]];
        break;
      case 'element': {
        if (i === 0) break; // ISA is fixed width
        const els = segs[i].split('*');
        els[Math.min(m.element, els.length)] = m.value;
        segs[i] = els.join('*');
        break;
      }
      case 'truncate':
        segs = segs.slice(0, Math.max(1, i));
        break;
      case 'char': {
        const s = segs[i];
        const o = m.offset % s.length;
        segs[i] = s.slice(0, o) + m.char + s.slice(o + 1);
        break;
      }
    }
  }
  return segs.map((s) => `${s}~\n`).join('');
}

/** One to three mutations. */
export const x12Mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });
