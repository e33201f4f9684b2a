/**
 * The one error type of the X12 module. Every rejection names the 1-based segment number in the
 * file (ISA is segment 1), the segment id and a reason, so an API can answer
 * `400 segment 14 (CLP): ...` and nothing from the file is used.
 */
export type X12ErrorCode =
  | 'ISA' // missing or malformed ISA (fixed width, delimiters)
  | 'SYNTAX' // not a segment, bad element value (amount, date, code)
  | 'ENVELOPE' // ISA/GS/ST/SE/GE/IEA order, counts, control numbers
  | 'LOOP' // segment outside its loop, unknown segment or loop
  | 'BALANCE' // 835 totals that do not balance
  | 'CONTENT'; // a required value missing or not valid for the model

export class X12Error extends Error {
  override readonly name = 'X12Error';
  constructor(
    /** 1-based number of the segment in the file (ISA = 1). */
    readonly segmentPosition: number,
    /** Segment id, e.g. `CLP`; the first characters of the data when it is not a segment. */
    readonly segmentId: string,
    readonly reason: string,
    readonly code: X12ErrorCode = 'SYNTAX',
  ) {
    super(`segment ${segmentPosition} (${segmentId}): ${reason}`);
  }
}

export function isX12Error(e: unknown): e is X12Error {
  return e instanceof X12Error;
}
