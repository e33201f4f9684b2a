/** X12 5010 module: 837P out; 999, 277CA and 835 in. Pure: no I/O besides the streams passed in. */
export { X12Error, isX12Error, type X12ErrorCode } from './errors';
export { generate837P, type Generate837POptions, type Address, type OtherPayer837P, type CasGroup } from './generate-837p';
export {
  parse837P,
  read837P,
  validate837P,
  claimIdFromClm01,
  type Parse837POptions,
  type Parsed837PClaim,
  type Read837PClaim,
  type Read837PLine,
  type OtherCoverage837P,
} from './parse-837p';
export {
  parse835,
  parse835All,
  parse835Stream,
  read835Stream,
  type Era835Event,
  type Parse835Options,
  type PayerIdentifiers,
  type Remittance835Header,
} from './parse-835';
export { generate835, type Generate835Options } from './generate-835';
export { parse999, type Ack999, type Ack999Transaction, type Ack999SegmentError, type Ack999ElementError } from './parse-999';
export { parse277CA, type ClaimAck277, type Status277 } from './parse-277ca';
export type { Party, ControlNumbers } from './build';
export { parseCents, formatCents } from './values';
export { generate277CA, type ClaimAck277Input, type Generate277CAOptions } from './generate-277ca';
