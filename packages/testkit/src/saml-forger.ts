import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignedXml } from 'xml-crypto';
import xmlenc from 'xml-encryption';
import { pemBody } from './simplesamlphp.js';
import { selfSignedCertificate } from './test-ca.js';
import { type TempDir, tempDir } from './tmp.js';

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

export interface SigningKey {
  readonly key: string;
  readonly cert: string;
}

/** What a forged Response says; every field has a valid default but the ones that name the SP. */
export interface ForgedResponse {
  readonly destination: string;
  readonly recipient: string;
  readonly audience: string;
  readonly inResponseTo?: string;
  /** Raw XML content of the NameID element (a comment may be in it); escape ordinary values with `xmlText`. */
  readonly nameIdXml: string;
  readonly nameIdFormat?: string;
  /** Attribute name -> raw XML content of each value. */
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  /** Attribute name -> its FriendlyName (Shibboleth and SimpleSAMLphp send both for OID names). */
  readonly friendlyNames?: Readonly<Record<string, string>>;
  readonly issuer?: string;
  readonly responseId?: string;
  readonly assertionId?: string;
  readonly sessionIndex?: string;
  /** ms since 1970; default now. */
  readonly issueInstant?: number;
  readonly notBefore?: number;
  readonly notOnOrAfter?: number;
}

/**
 * A rogue (or merely scripted) SAML 2.0 IdP for attack tests: its own RSA-2048 key and certificate, metadata that
 * lists them, and Responses built as text and signed or encrypted with xml-crypto and xml-encryption, which the tests
 * then rearrange (signature wrapping) as an attacker would.
 */
export interface SamlForger {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly signing: SigningKey;
  /** A second key the SP was never told about. */
  readonly stranger: SigningKey;
  /** The IdP's metadata: its signing certificate, and `extra` ones (rollover). */
  metadataXml(extra?: readonly string[]): string;
  /** An unsigned Response holding one clear Assertion. */
  response(options: ForgedResponse): string;
  /** Signs the element with this ID (enveloped, exc-c14n, RSA-SHA256 or the given algorithms), after its Issuer. */
  sign(xml: string, id: string, key?: SigningKey, algorithms?: { signature: string; digest: string }): string;
  /**
   * Replaces the clear Assertion by an EncryptedAssertion for this certificate (AES-256-CBC, RSA-OAEP); `prolog` goes
   * before the assertion inside the encrypted text (a DTD hidden from whoever looks only at the outer document).
   */
  encryptAssertion(xml: string, certificate: string, prolog?: string): Promise<string>;
  close(): Promise<void>;
}

export const xmlText = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (value: string) => xmlText(value).replace(/"/g, '&quot;');
const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const samlId = () => `_${randomBytes(20).toString('hex')}`;

export async function createSamlForger(entityId = 'https://idp.ac-test.fr/idp'): Promise<SamlForger> {
  const dir: TempDir = await tempDir('saml-forger-');
  const make = (name: string): SigningKey => {
    const keyPath = join(dir.path, `${name}.key`);
    const certPath = join(dir.path, `${name}.crt`);
    selfSignedCertificate(keyPath, certPath, `/CN=${name}`);
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  };
  const signing = make('forged-idp');
  const stranger = make('stranger');
  const ssoUrl = `${entityId}/sso`;
  const sloUrl = `${entityId}/slo`;

  return {
    entityId,
    ssoUrl,
    sloUrl,
    signing,
    stranger,
    metadataXml(extra = []) {
      const keys = [signing.cert, ...extra]
        .map(
          (cert) =>
            `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
        )
        .join('');
      return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${attr(entityId)}"><md:IDPSSODescriptor protocolSupportEnumeration="${PROTOCOL}">${keys}<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${attr(sloUrl)}"/><md:NameIDFormat>${PERSISTENT}</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${attr(ssoUrl)}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
    },
    response(o) {
      const now = o.issueInstant ?? Date.now();
      const notBefore = o.notBefore ?? now - 60_000;
      const notOnOrAfter = o.notOnOrAfter ?? now + 5 * 60_000;
      const issuer = xmlText(o.issuer ?? entityId);
      const inResponseTo = o.inResponseTo ? ` InResponseTo="${attr(o.inResponseTo)}"` : '';
      const attributes = Object.entries(o.attributes ?? {})
        .map(
          ([name, values]) =>
            `<saml:Attribute Name="${attr(name)}"${o.friendlyNames?.[name] ? ` FriendlyName="${attr(o.friendlyNames[name])}"` : ''} NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
              .map((v) => `<saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>`)
              .join('')}</saml:Attribute>`,
        )
        .join('');
      return `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="${o.responseId ?? samlId()}" Version="2.0" IssueInstant="${instant(now)}" Destination="${attr(o.destination)}"${inResponseTo}><saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${o.assertionId ?? samlId()}" Version="2.0" IssueInstant="${instant(now)}"><saml:Issuer>${issuer}</saml:Issuer><saml:Subject><saml:NameID Format="${attr(o.nameIdFormat ?? PERSISTENT)}">${o.nameIdXml}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${instant(notOnOrAfter)}" Recipient="${attr(o.recipient)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${instant(notBefore)}" NotOnOrAfter="${instant(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${xmlText(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${instant(now)}" SessionIndex="${o.sessionIndex ?? samlId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>`;
    },
    sign(xml, id, key = signing, algorithms = { signature: RSA_SHA256, digest: SHA256 }) {
      const signer = new SignedXml({
        privateKey: key.key,
        publicCert: key.cert,
        signatureAlgorithm: algorithms.signature,
        canonicalizationAlgorithm: EXC_C14N,
      });
      const target = `//*[@ID='${id}']`;
      signer.addReference({ xpath: target, digestAlgorithm: algorithms.digest, transforms: [ENVELOPED, EXC_C14N] });
      signer.computeSignature(xml, {
        prefix: 'ds',
        location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
      });
      return signer.getSignedXml();
    },
    async encryptAssertion(xml, certificate, prolog = '') {
      const start = xml.indexOf('<saml:Assertion');
      const end = xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
      if (start < 0 || end < start) throw new Error('no clear assertion to encrypt');
      // The assertion must stand alone once decrypted: its namespaces declared on it.
      const assertion = xml.slice(start, end).replace('<saml:Assertion ', `<saml:Assertion xmlns:saml="${ASSERTION}" `);
      const encrypted = await promisify(xmlenc.encrypt)(`${prolog}${assertion}`, {
        rsa_pub: certificate,
        pem: certificate,
        encryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
        warnInsecureAlgorithm: false,
      });
      return `${xml.slice(0, start)}<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>${xml.slice(end)}`;
    },
    close: () => dir.remove(),
  };
}
