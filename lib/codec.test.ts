import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { AesGcmCodec } from './codec';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('AesGcmCodec', () => {
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"birthDate":"1958-03-14"}') };

  it('round-trips and hides the plaintext', async () => {
    const codec = new AesGcmCodec([key('k1')]);
    const [enc] = await codec.encode([payload]);
    expect(Buffer.from(enc.data!).toString('latin1')).not.toContain('1958-03-14');
    expect(Buffer.from(enc.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [dec] = await codec.decode([enc]);
    expect(Buffer.from(dec.data!).toString()).toBe('{"birthDate":"1958-03-14"}');
  });

  it('decrypts with an older key after rotation, and encrypts with the newest', async () => {
    const old = key('2025'), fresh = key('2026');
    const [enc] = await new AesGcmCodec([old]).encode([payload]);
    const rotated = new AesGcmCodec([fresh, old]);
    const [dec] = await rotated.decode([enc]);
    expect(Buffer.from(dec.data!).toString()).toContain('1958');
    const [enc2] = await rotated.encode([payload]);
    expect(Buffer.from(enc2.metadata!['encryption-key-id']!).toString()).toBe('2026');
  });

  it('refuses tampered ciphertext and unknown key ids', async () => {
    const codec = new AesGcmCodec([key('k1')]);
    const [enc] = await codec.encode([payload]);
    const tampered = { ...enc, data: Buffer.from(enc.data!) };
    tampered.data[20] ^= 0xff;
    await expect(codec.decode([tampered])).rejects.toThrow();
    await expect(new AesGcmCodec([key('other')]).decode([enc])).rejects.toThrow(/no decryption key with id "k1"/);
  });
});
