import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** The SP's signing and decryption key and its certificate, as PEM text. */
export interface SpCredentials {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * A new RSA-2048 key and a self-signed SHA-256 certificate for it (what the plugin makes at first start when the
 * administrator pasted none). SAML trusts the certificate the IdP was given, not a CA, so self-signed is the norm; ten
 * years, because an SP certificate that expires breaks nothing at most IdPs but surprises administrators at others.
 * Node makes the key (natively, off the main thread); it has no API that writes a certificate, so node-forge builds
 * and signs it (@peculiar/x509 would need a global Reflect polyfill in PeerTube's process).
 */
export async function generateSpCredentials(options: {
  /** Usually the SP's host name, shown in the IdP's administration. */
  commonName: string;
  now?: number;
  validityYears?: number;
}): Promise<SpCredentials> {
  const now = options.now ?? Date.now();
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial number (first bit clear), 16 random bytes.
  cert.serialNumber = `7${randomBytes(16).toString('hex').slice(1)}`;
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + (options.validityYears ?? 10) * YEAR_MS);
  // One attribute, whatever the name holds (forge encodes it as a value, never parses it), as a UTF8String (forge
  // encodes the text to UTF-8 itself).
  const subject = [
    { shortName: 'CN', value: options.commonName, valueTagClass: forge.asn1.Type.UTF8 },
  ] as unknown as forge.pki.CertificateField[];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { privateKeyPem: privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}
