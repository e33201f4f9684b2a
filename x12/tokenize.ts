/**
 * X12 tokenizer: ISA fixed-width check, delimiter detection, and segment splitting with exact
 * 1-based segment positions. One incremental implementation serves both the string parsers and
 * the streaming parsers, so a file tokenizes the same way whichever entry point reads it.
 * (Why not node-x12 or x12-parser: see x12/README.md.)
 */
import { StringDecoder } from 'node:string_decoder';
import { X12Error } from './errors';

export interface Delimiters {
  element: string;
  component: string;
  repetition: string;
  segment: string;
}

export interface Segment {
  /** Segment id, e.g. `CLP`. */
  id: string;
  /** 1-based number of the segment in the file. */
  position: number;
  /** elements[0] is the id; elements[1] is XX01 and so on. Values are not trimmed. */
  elements: string[];
  /** The delimiters of the interchange the segment belongs to (each ISA declares its own). */
  delimiters: Delimiters;
}

/** Element `i` (1-based) or '' when absent. */
export function el(seg: Segment, i: number): string {
  return seg.elements[i] ?? '';
}

export const ISA_LENGTH = 106;
/** Character offsets of the 16 element separators inside a 106-character ISA. */
const ISA_SEPARATORS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];

function isDelimiterChar(c: string): boolean {
  return c !== undefined && c.length === 1 && !/[A-Za-z0-9 ]/.test(c);
}

/**
 * Validate the ISA at the start of `head` (leading whitespace / BOM already removed) and return
 * the delimiters it declares. ISA is fixed width: 106 characters including the terminator.
 * `position` is the ISA's segment number in the file (1, or later for a following interchange).
 */
export function readIsa(head: string, position = 1): Delimiters {
  if (!head.startsWith('ISA')) {
    const id = head.split(/[^A-Z0-9]/)[0].slice(0, 3) || '(empty)';
    if (position > 1) {
      throw new X12Error(position, id, 'data after IEA: only another interchange (ISA ... IEA) may follow', 'ENVELOPE');
    }
    throw new X12Error(1, id, 'the file does not start with an ISA segment', 'ISA');
  }
  const element = head[3];
  if (!isDelimiterChar(element)) {
    throw new X12Error(position, 'ISA', `ISA04 position holds "${element}", not an element separator`, 'ISA');
  }
  if (head.length < ISA_LENGTH) {
    throw new X12Error(position, 'ISA', `ISA is truncated: ${head.length} of ${ISA_LENGTH} characters`, 'ISA');
  }
  for (const at of ISA_SEPARATORS) {
    if (head[at] !== element) {
      throw new X12Error(
        position,
        'ISA',
        `ISA is not fixed width: expected the element separator "${element}" at character ${at + 1} (ISA is ${ISA_LENGTH} characters with fixed field widths)`,
        'ISA',
      );
    }
  }
  const fields = head.slice(0, 103).split(element);
  if (fields.length !== 16) {
    throw new X12Error(position, 'ISA', `ISA has ${fields.length} elements before ISA16, expected 16`, 'ISA');
  }
  const component = head[104];
  const segment = head[105];
  const repetition = fields[11];
  if (!isDelimiterChar(component)) {
    throw new X12Error(position, 'ISA', `ISA16 component separator "${component}" is not a delimiter character`, 'ISA');
  }
  if (!(isDelimiterChar(segment) || segment === '\n' || segment === '\r')) {
    throw new X12Error(position, 'ISA', `character 106 "${segment}" is not a segment terminator`, 'ISA');
  }
  const delims = [element, component, segment];
  if (repetition !== 'U') delims.push(repetition);
  if (new Set(delims).size !== delims.length) {
    throw new X12Error(position, 'ISA', 'ISA declares the same character for two delimiters', 'ISA');
  }
  if (fields[12] !== '00501') {
    throw new X12Error(position, 'ISA', `ISA12 version "${fields[12]}" is not 00501`, 'ISA');
  }
  if (!/^\d{9}$/.test(fields[13])) {
    throw new X12Error(position, 'ISA', `ISA13 control number "${fields[13]}" is not 9 digits`, 'ISA');
  }
  if (!/^[01]$/.test(fields[14]) || !/^[PT]$/.test(fields[15])) {
    throw new X12Error(position, 'ISA', 'ISA14 must be 0/1 and ISA15 P/T', 'ISA');
  }
  return { element, component, repetition: repetition === 'U' ? '' : repetition, segment };
}

/**
 * Incremental tokenizer: feed text chunks, get whole segments back. Holds at most one partial
 * segment between chunks.
 *
 * - Whatever follows a segment terminator before the next segment id is ignored when it is
 *   white space: LF, CR LF, CR, blank lines, indentation (also when the terminator itself is CR
 *   or LF and the file has CR LF line ends).
 * - Several interchanges in one file: after each IEA the next ISA is read afresh (it may declare
 *   other delimiters); segment positions keep counting from the start of the file.
 * - Errors come in segment order: a malformed segment does not throw while the segments before
 *   it in the same chunk are still unread. `push` returns those segments and keeps the error;
 *   the caller (tokenize / tokenizeStream) throws it once they have been consumed, so an envelope
 *   error at segment 2 is reported before a syntax error at segment 40.
 */
export class Tokenizer {
  delimiters: Delimiters | undefined;
  private pending = '';
  private count = 0;
  private started = false;
  /** The first error found, thrown after the segments before it have been handed out. */
  error: X12Error | undefined;

  /** Number of segments produced so far (the position of the last one). */
  get segmentCount(): number {
    return this.count;
  }

  push(chunk: string, out: Segment[] = []): Segment[] {
    if (this.error) throw this.error;
    let text = this.pending + chunk;
    this.pending = '';
    try {
      for (;;) {
        if (!this.delimiters) {
          const trimmed = text.replace(/^[\s\uFEFF]+/, '');
          if (trimmed.length === 0) return out;
          this.started = true;
          text = trimmed;
          if (text.length < ISA_LENGTH) {
            // Could still be a valid ISA arriving in pieces; decide early if it cannot be.
            if (!'ISA'.startsWith(text.slice(0, 3))) readIsa(text, this.count + 1);
            this.pending = text;
            return out;
          }
          this.delimiters = readIsa(text, this.count + 1);
        }
        const term = this.delimiters.segment;
        let start = 0;
        let interchangeEnded = false;
        for (;;) {
          const end = text.indexOf(term, start);
          if (end < 0) break;
          const id = this.emit(text.slice(start, end), out);
          start = end + 1;
          if (id === 'IEA') {
            interchangeEnded = true;
            break;
          }
        }
        text = text.slice(start);
        if (!interchangeEnded) {
          this.pending = text;
          return out;
        }
        // The next interchange (if any) declares its own delimiters in its ISA.
        this.delimiters = undefined;
      }
    } catch (e) {
      if (!(e instanceof X12Error)) throw e;
      this.error = e;
      return out;
    }
  }

  /** Call after the last chunk; throws when data is left without a segment terminator. */
  end(out: Segment[] = []): Segment[] {
    if (this.error) throw this.error;
    if (!this.delimiters) {
      if (!this.started) throw new X12Error(1, '(empty)', 'the file is empty', 'ISA');
      if (this.pending.trim() === '') return out; // nothing after the last IEA
      readIsa(this.pending, this.count + 1); // throws: too short, or not an ISA
    }
    const rest = this.pending.replace(/\s+$/, '').replace(/^\s+/, '');
    if (rest.length > 0) {
      throw new X12Error(
        this.count + 1,
        rest.slice(0, 3),
        'the file ends inside a segment (missing segment terminator)',
        'SYNTAX',
      );
    }
    this.pending = '';
    return out;
  }

  /** Returns the id of the segment produced, or undefined for white space between terminators. */
  private emit(raw: string, out: Segment[]): string | undefined {
    const d = this.delimiters!;
    // Line ends and indentation between segments are not data; element values are not trimmed.
    let s = raw;
    if (s.charCodeAt(0) <= 32) s = s.replace(/^\s+/, '');
    const last = s.charCodeAt(s.length - 1);
    if (last === 10 || last === 13) s = s.replace(/[\r\n]+$/, '');
    if (s.length === 0) {
      if (raw.length === 0 && this.count > 0) {
        throw new X12Error(this.count + 1, '(empty)', 'empty segment (two segment terminators in a row)', 'SYNTAX');
      }
      return undefined;
    }
    const elements = s.split(d.element);
    const id = elements[0];
    const position = this.count + 1;
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(id)) {
      throw new X12Error(position, id.slice(0, 3) || '(empty)', `the segment does not start with a segment identifier (2–3 letters or digits); value withheld`, 'SYNTAX');
    }
    this.count = position;
    out.push({ id, position, elements, delimiters: d });
    return id;
  }
}

/** Tokenize a whole string (lazily: segments are produced as they are consumed). */
export function* tokenize(text: string, t: Tokenizer = new Tokenizer()): Generator<Segment, void> {
  const CHUNK = 1 << 16;
  const buf: Segment[] = [];
  for (let i = 0; i < text.length || i === 0; i += CHUNK) {
    t.push(text.slice(i, i + CHUNK), buf);
    for (const s of buf) yield s;
    buf.length = 0;
    if (t.error) throw t.error;
    if (text.length === 0) break;
  }
  t.end(buf);
  for (const s of buf) yield s;
}

/** Tokenize a byte or text stream (fs.createReadStream, a request body, ...). */
export async function* tokenizeStream(
  input: AsyncIterable<string | Uint8Array>,
  t: Tokenizer = new Tokenizer(),
  encoding: 'utf8' | 'latin1' = 'utf8',
): AsyncGenerator<Segment, void> {
  const decoder = new StringDecoder(encoding);
  const buf: Segment[] = [];
  for await (const chunk of input) {
    t.push(typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)), buf);
    for (const s of buf) yield s;
    buf.length = 0;
    if (t.error) throw t.error;
  }
  t.push(decoder.end(), buf);
  for (const s of buf) yield s;
  buf.length = 0;
  if (t.error) throw t.error;
  t.end(buf);
  for (const s of buf) yield s;
}

/** Split a composite element into its components. */
export function components(value: string, d: Delimiters): string[] {
  return value.split(d.component);
}
