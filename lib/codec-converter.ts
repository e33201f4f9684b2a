import path from 'node:path';
import { AesGcmCodec } from './codec';
import type { EncryptionKey } from './config';

/** A failure converter with `encodeCommonAttributes: true`: failure messages and stack traces are encrypted too. */
export const failureConverterPath = path.resolve(__dirname, 'failure-converter.js');

/**
 * What every worker, workflow bundle and client uses: default JSON payloads encrypted by the codec,
 * and failures whose message and stack trace travel as an encrypted payload (`encodeCommonAttributes`),
 * so no failure message is stored in plain text in the history.
 */
export function encryptingDataConverter(keys: EncryptionKey[]) {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}

/**
 * The payload codec alone (default failure converter), for replaying recorded histories: a replay
 * failure (e.g. a missing key) then reads in plain text. Workers and clients use
 * `encryptingDataConverter`.
 */
export function dataConverter(keys: EncryptionKey[]) {
  return { payloadCodecs: [new AesGcmCodec(keys)] };
}
