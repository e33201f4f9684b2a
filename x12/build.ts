/** Shared writer for generated X12: envelopes, delimiter safety, ISA fixed-width fields. */
import { X12Error } from './errors';

export const DELIMS = { element: '*', component: ':', repetition: '^', segment: '~' } as const;

export interface Party {
  /** Interchange / application id (ISA06/08, GS02/03), up to 15 characters. */
  id: string;
  name: string;
  /** ISA05/07 qualifier, default ZZ (mutually defined). */
  qualifier?: string;
}

export interface ControlNumbers {
  isa: number;
  gs: number;
  st: number;
}

/** Collects segments, counting them and refusing values that contain a delimiter. */
export class SegmentWriter {
  readonly segments: string[] = [];
  /** Values built by `rep` (their '^' separates repetitions and is not data). */
  private readonly repeated = new Set<string>();

  /** A repeated element: values joined with the repetition separator '^' (each value checked). */
  rep(values: string[]): string {
    for (const v of values) {
      if (/[*~^:\r\n]/.test(v)) throw new X12Error(this.segments.length + 1, '(repetition)', 'a repeated value contains an X12 delimiter (* ~ ^ : or a line break); value withheld', 'CONTENT');
    }
    const joined = values.join(DELIMS.repetition);
    this.repeated.add(joined);
    return joined;
  }

  add(id: string, ...elements: Array<string | undefined>): void {
    const values = elements.map((e) => e ?? '');
    while (values.length && values[values.length - 1] === '') values.pop();
    const position = this.segments.length + 1;
    // Messages name the element and position, never its value: values are member ids, names, birth dates.
    values.forEach((v, i) => {
      const delimiter = this.repeated.has(v) ? /[*~]/ : /[*~^]/;
      if (delimiter.test(v) || /[\r\n]/.test(v)) {
        throw new X12Error(position, id, `${id}${String(i + 1).padStart(2, '0')} contains an X12 delimiter (* ~ ^ or a line break); value withheld`, 'CONTENT');
      }
    });
    this.segments.push([id, ...values].join(DELIMS.element));
  }

  /** A composite: components joined with ':' (trailing empty components dropped). */
  comp(...parts: Array<string | undefined>): string {
    const values = parts.map((e) => e ?? '');
    while (values.length && values[values.length - 1] === '') values.pop();
    values.forEach((v, i) => {
      if (v.includes(DELIMS.component)) {
        throw new X12Error(this.segments.length + 1, '(composite)', `component ${i + 1} of a composite contains the component separator (:); value withheld`, 'CONTENT');
      }
    });
    return values.join(DELIMS.component);
  }

  toString(): string {
    return this.segments.map((s) => s + DELIMS.segment).join('\n') + '\n';
  }
}

function pad(value: string, width: number, field: string): string {
  if (value.length > width) throw new X12Error(1, 'ISA', `${field} is ${value.length} characters, longer than ${width}; value withheld`, 'CONTENT');
  return value.padEnd(width, ' ');
}

function controlNumber(n: number, digits: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 1 || String(n).length > digits) {
    throw new X12Error(1, what, `control number ${n} is not 1..${'9'.repeat(digits)}`, 'CONTENT');
  }
  return String(n).padStart(digits, '0');
}

export function instantParts(createdAt: string): { date8: string; date6: string; time4: string } {
  const d = new Date(createdAt);
  if (Number.isNaN(d.getTime())) throw new RangeError(`createdAt is not an ISO instant: ${createdAt}`);
  const iso = d.toISOString();
  const date8 = iso.slice(0, 10).replace(/-/g, '');
  return { date8, date6: date8.slice(2), time4: iso.slice(11, 16).replace(':', '') };
}

/** Open ISA/GS/ST; returns a function that closes SE/GE/IEA with correct counts. */
export function openEnvelope(
  w: SegmentWriter,
  p: {
    sender: Party;
    receiver: Party;
    controlNumbers: ControlNumbers;
    createdAt: string;
    functionalId: string;
    transactionSet: string;
    version: string;
    usage?: 'P' | 'T';
  },
): () => void {
  const { date8, date6, time4 } = instantParts(p.createdAt);
  const isa13 = controlNumber(p.controlNumbers.isa, 9, 'ISA');
  const gs06 = String(controlNumber(p.controlNumbers.gs, 9, 'GS').replace(/^0+/, ''));
  const st02 = controlNumber(p.controlNumbers.st, 9, 'ST').replace(/^0+/, '').padStart(4, '0');
  for (const [v, f] of [[p.sender.id, 'ISA06'], [p.receiver.id, 'ISA08']] as const) {
    if (/[*~^:\r\n]/.test(v)) throw new X12Error(1, 'ISA', `${f} "${v}" contains an X12 delimiter`, 'CONTENT');
  }
  const isa = [
    'ISA', '00', pad('', 10, 'ISA02'), '00', pad('', 10, 'ISA04'),
    pad(p.sender.qualifier ?? 'ZZ', 2, 'ISA05'), pad(p.sender.id, 15, 'ISA06'),
    pad(p.receiver.qualifier ?? 'ZZ', 2, 'ISA07'), pad(p.receiver.id, 15, 'ISA08'),
    date6, time4, DELIMS.repetition, '00501', isa13, '0', p.usage ?? 'P', DELIMS.component,
  ].join(DELIMS.element);
  w.segments.push(isa);
  w.add('GS', p.functionalId, p.sender.id, p.receiver.id, date8, time4, gs06, 'X', p.version);
  const stIndex = w.segments.length;
  w.add('ST', p.transactionSet, st02, p.version);
  return () => {
    const count = w.segments.length - stIndex + 1;
    w.add('SE', String(count), st02);
    w.add('GE', '1', gs06);
    w.add('IEA', '1', isa13);
  };
}
