/**
 * AES-256-GCM payload codec. Every payload the worker and clients send to Temporal is encrypted;
 * the server (and its history, and its database) hold only ciphertext. The key id travels in the
 * payload metadata so keys can be rotated: the first configured key encrypts, any known key
 * decrypts. The API exposes the same codec at /codec for the Temporal Web UI.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from './config';

export const ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly active: EncryptionKey;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('AesGcmCodec needs at least one key');
    this.active = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCODING),
          [KEY_ID_METADATA]: encoder.encode(this.active.id),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      if (!keyIdBytes) throw new ValueError('encrypted payload has no key id');
      const keyId = decoder.decode(keyIdBytes);
      const key = this.byId.get(keyId);
      if (!key) throw new ValueError(`no decryption key with id "${keyId}" (check RCM_ENCRYPTION_KEYS)`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_LENGTH + TAG_LENGTH) throw new ValueError('encrypted payload is truncated');
      const iv = data.subarray(0, IV_LENGTH);
      const tag = data.subarray(data.length - TAG_LENGTH);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(data.subarray(IV_LENGTH, data.length - TAG_LENGTH)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * Keys from RCM_ENCRYPTION_KEYS, else a development key generated once under the data dir
 * (`encryption-key`, owner-only) and reused on later starts.
 */
export function resolveEncryptionKeys(configured: EncryptionKey[] | undefined, dataDir: string): EncryptionKey[] {
  if (configured && configured.length) return configured;
  const file = path.join(dataDir, 'encryption-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `dev-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  const [id, b64] = readFileSync(file, 'utf8').trim().split(':');
  return [{ id, key: Buffer.from(b64, 'base64') }];
}
