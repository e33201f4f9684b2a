import { AesGcmCodec } from './codec';
import type { EncryptionKey } from '../lib/config';

/** The data converter every worker and client uses: default JSON payloads, encrypted by the codec. */
export function dataConverter(keys: EncryptionKey[]) {
  return { payloadCodecs: [new AesGcmCodec(keys)] };
}
