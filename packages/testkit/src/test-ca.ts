import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand, run } from './system-peer.js';

export interface TestCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificateAuthority {
  readonly certPath: string;
  readonly cert: string;
  /** A server certificate for these names (DNS names or IP addresses), signed by this CA. */
  issue(names: readonly string[], basename?: string): TestCertificate;
}

/** An RSA-2048 key and a self-signed certificate for it, valid two days, made with the openssl command. */
export function selfSignedCertificate(
  keyPath: string,
  certPath: string,
  subject: string,
  extraArgs: readonly string[] = [],
): string {
  const openssl = requireCommand('openssl', 'openssl');
  run(openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    subject,
    ...extraArgs,
  ]);
  return readFileSync(certPath, 'utf8');
}

/**
 * A certificate authority for TLS peers (phpCAS only talks https; pgtUrl needs a trusted certificate), made with the
 * openssl command so that what the peers see is an ordinary X.509 chain.
 */
export function createTestCertificateAuthority(dir: string): TestCertificateAuthority {
  const openssl = requireCommand('openssl', 'openssl');
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  selfSignedCertificate(caKey, caCert, '/CN=apps-education test CA', [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  return {
    certPath: caCert,
    cert: readFileSync(caCert, 'utf8'),
    issue(names, basename = `server-${serial}`) {
      const key = join(dir, `${basename}.key`);
      const csr = join(dir, `${basename}.csr`);
      const cert = join(dir, `${basename}.crt`);
      const ext = join(dir, `${basename}.ext`);
      const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
      run(openssl, [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        csr,
        '-subj',
        `/CN=${names[0] ?? 'localhost'}`,
      ]);
      run(openssl, [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-set_serial',
        String(serial++),
        '-days',
        '2',
        '-out',
        cert,
        '-extfile',
        ext,
      ]);
      return { certPath: cert, keyPath: key, cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    },
  };
}
