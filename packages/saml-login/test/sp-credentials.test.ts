import { createPrivateKey, createPublicKey, createSign, createVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { generateSpCredentials } from '../src/index.js';

describe('SP key and certificate made at first start', () => {
  it('gives an RSA-2048 key and a self-signed SHA-256 certificate of that key, valid ten years', async () => {
    const now = Date.parse('2026-12-05T08:00:00Z');
    const { privateKeyPem, certificatePem } = await generateSpCredentials({ commonName: 'videos.ac-test.fr', now });
    const cert = new X509Certificate(certificatePem);
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=videos.ac-test.fr');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(cert.validTo) - now).toBeGreaterThan(9.9 * 365 * 24 * 3_600_000);
    // What the SP signs with the key, the certificate's key verifies (the IdP's check of a signed AuthnRequest).
    const signature = createSign('sha256').update('AuthnRequest').sign(key);
    expect(createVerify('sha256').update('AuthnRequest').verify(createPublicKey(certificatePem), signature)).toBe(true);
  });

  it('makes a new key each time; a common name with a comma stays one attribute (UTF-8)', async () => {
    const [one, two] = await Promise.all([
      generateSpCredentials({ commonName: 'a.ac-test.fr' }),
      generateSpCredentials({ commonName: 'evil, O=Ministère' }),
    ]);
    expect(one?.privateKeyPem).not.toBe(two?.privateKeyPem);
    const subject = forge.pki.certificateFromPem(two?.certificatePem ?? '').subject.attributes;
    expect(subject.map((a) => [a.shortName, forge.util.decodeUtf8(String(a.value))])).toEqual([
      ['CN', 'evil, O=Ministère'],
    ]);
    expect(new X509Certificate(two?.certificatePem ?? '').subject).toBe('CN=evil\\, O=Ministère');
  });
});
