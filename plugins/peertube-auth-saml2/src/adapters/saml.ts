import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { errorMessage } from '@apps-education/peertube-accounts';
import { hasDtd, type IdpMetadata, parseXmlStrict } from '@apps-education/saml-login';
import {
  type CacheProvider,
  generateServiceProviderMetadata,
  type Profile,
  SAML,
  type SamlConfig,
  SamlStatusError,
  ValidateInResponseTo,
} from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { checkRequestId, issueRequestId } from '../core/request-ids.js';
import { NAMEID_FORMATS, type SamlSettings, type SpSettings } from '../core/settings.js';

/**
 * The SAML 2.0 service provider of the plugin, on @node-saml/node-saml 5, with the checks it leaves to its caller
 * (read in its lib/saml.js): the Response's Destination and the assertion's Recipient, the assertion's Issuer, an
 * encrypted assertion when only those are accepted, a signature on logout messages sent by redirect (node-saml
 * accepts an unsigned one), a DTD anywhere (refused before any parsing: XXE, entity expansion), single use of our
 * request ids and of assertion ids.
 */
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
/** A response with a few dozen attributes and an encrypted assertion is under 32 KiB; PeerTube's body limit is 100 KiB. */
export const RESPONSE_MAX_BYTES = 256 * 1024;
/** How long a sign-in started at PeerTube may take at the IdP. */
export const REQUEST_TTL_MS = 10 * 60_000;
/** Signature algorithms accepted on redirect-bound logout messages (SHA-1 is broken for signatures). */
const REDIRECT_SIG_ALGS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);

/**
 * xml-crypto 6 still verifies RSA-SHA1 signatures and SHA-1 digests (SHA-1 collisions are practical), and node-saml
 * makes its own SignedXml objects: the two look-ups they go through refuse SHA-1 in this plugin's copy of xml-crypto
 * (the plugin is bundled: PeerTube's own modules are not touched). Shibboleth, SimpleSAMLphp, ADFS and LemonLDAP::NG
 * sign with SHA-256 by default.
 */
const SHA1 = /^http:\/\/www\.w3\.org\/2000\/09\/xmldsig#(?:rsa-)?sha1$/;
for (const method of ['findSignatureAlgorithm', 'findHashAlgorithm'] as const) {
  const original = SignedXml.prototype[method] as (this: SignedXml, name: string) => unknown;
  if ((original as { refusesSha1?: boolean }).refusesSha1) continue;
  const refusing = function (this: SignedXml, name: string) {
    if (typeof name === 'string' && SHA1.test(name)) throw new Error(`${name} is refused: SHA-1 is broken`);
    return original.call(this, name);
  };
  Object.assign(refusing, { refusesSha1: true });
  (SignedXml.prototype as unknown as Record<string, unknown>)[method] = refusing;
}

export type RefusalCode =
  | 'malformed'
  | 'doctype'
  | 'too_large'
  | 'destination'
  | 'not_encrypted'
  | 'unsolicited'
  | 'request_unknown'
  | 'relay_state'
  | 'other_browser'
  | 'replayed'
  | 'invalid'
  | 'idp_error'
  | 'unsigned_logout';

export class SamlRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'SamlRefusal';
  }
}

export interface SpEndpoints {
  readonly entityId: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
}

export interface SpKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/** The attributes of a signed assertion, under their Name and their FriendlyName, every value a string. */
export type Attributes = Record<string, string[]>;

export interface SignedInPerson {
  readonly nameId: string;
  readonly nameIdFormat: string | null;
  readonly nameQualifier: string | null;
  readonly spNameQualifier: string | null;
  readonly sessionIndex: string | null;
  /** SessionNotOnOrAfter, when the IdP says how long its session lasts. */
  readonly sessionNotOnOrAfter: number | null;
  readonly attributes: Attributes;
  readonly solicited: boolean;
}

export interface LogoutSubject {
  readonly nameId: string;
  readonly nameIdFormat: string | null;
  readonly nameQualifier: string | null;
  readonly spNameQualifier: string | null;
  readonly sessionIndex: string | null;
}

export interface ServiceProvider {
  /** The URL of the IdP's SSO service with a (signed) AuthnRequest; `requestId` goes in the browser's cookie. */
  loginUrl(): Promise<{ url: string; requestId: string }>;
  /** Checks a posted SAMLResponse; `cookieRequestId` is the request this browser started. */
  finishLogin(
    form: { SAMLResponse?: unknown; RelayState?: unknown },
    cookieRequestId: string | null,
  ): Promise<SignedInPerson>;
  /** The IdP's SLO address with our LogoutRequest; null when the IdP has no SLO service. */
  logoutUrl(subject: LogoutSubject, returnTo: string): Promise<string | null>;
  /** Reads the IdP's redirect-bound LogoutRequest sent to our SLO address (its signature is required). */
  readLogoutRequest(
    query: Record<string, unknown>,
    rawQuery: string,
  ): Promise<{ subject: LogoutSubject; answer(success: boolean): Promise<string> }>;
}

export interface SingleUse {
  /** Atomically marks `key` as used until `expiresAt`; false when it already was. */
  claim(key: string, expiresAt: number): Promise<boolean>;
}

const parse = (xml: string): Element => {
  let root: Element | null;
  try {
    root = parseXmlStrict(xml);
  } catch (error) {
    throw new SamlRefusal('malformed', errorMessage(error));
  }
  if (!root) throw new SamlRefusal('malformed', 'no root element');
  return root;
};

const elements = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name));
const directChildren = (parent: Element, ns: string, name: string): Element[] =>
  Array.from(parent.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name,
  );

const decodeBase64 = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/=\s]+$/.test(value))
    throw new SamlRefusal('malformed', `${what} is not base64`);
  if (value.length > (RESPONSE_MAX_BYTES * 4) / 3 + 4) throw new SamlRefusal('too_large', `${what} is too large`);
  return Buffer.from(value, 'base64').toString('utf8');
};

/** Attributes of the verified assertion: textContent joins every text node (a comment inside a value hides nothing). */
function readAttributes(assertion: Element): Attributes {
  const out: Attributes = {};
  for (const attribute of elements(assertion, ASSERTION, 'Attribute')) {
    const values = elements(attribute, ASSERTION, 'AttributeValue').map((v) => v.textContent ?? '');
    for (const key of [attribute.getAttribute('Name'), attribute.getAttribute('FriendlyName')]) {
      if (key) out[key] = [...(out[key] ?? []), ...values];
    }
  }
  return out;
}

export function createServiceProvider(options: {
  metadata: IdpMetadata;
  settings: SamlSettings;
  sp: SpEndpoints;
  key: SpKeyPair;
  /** The sealing keys (the first MACs new request ids). */
  keys: () => Promise<Buffer[]>;
  singleUse: SingleUse;
  now?: () => number;
}): ServiceProvider {
  const { metadata, settings, sp, key, singleUse } = options;
  const now = options.now ?? Date.now;
  let knownKeys: Buffer[] = [];
  /** Every InResponseTo is one of ours, unexpired (node-saml asks before and after checking signatures). */
  const cacheProvider: CacheProvider = {
    saveAsync: async (_key, value) => ({ value, createdAt: now() }),
    getAsync: async (id) => {
      const checked = checkRequestId(id, knownKeys, now());
      return checked.ok ? new Date(checked.expiresAt - REQUEST_TTL_MS).toISOString() : null;
    },
    removeAsync: async () => null,
  };
  const base: SamlConfig = {
    callbackUrl: sp.acsUrl,
    entryPoint: metadata.ssoUrl,
    logoutUrl: metadata.sloUrl ?? metadata.ssoUrl,
    logoutCallbackUrl: sp.sloUrl,
    issuer: sp.entityId,
    audience: sp.entityId,
    idpIssuer: metadata.entityId,
    idpCert: [...metadata.signingCertificates],
    ...(settings.signRequests ? { privateKey: key.privateKeyPem, publicCert: key.certificatePem } : {}),
    decryptionPvk: key.privateKeyPem,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    identifierFormat: NAMEID_FORMATS[settings.nameIdFormat],
    wantAssertionsSigned: settings.wantAssertionsSigned,
    wantAuthnResponseSigned: settings.wantResponseSigned,
    acceptedClockSkewMs: settings.clockSkewMs,
    validateInResponseTo: settings.idpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider,
    // ADFS and Shibboleth with other login methods (Kerberos, MFA) refuse a request that asks for a password.
    disableRequestedAuthnContext: true,
  };
  /** One node-saml instance per message we write: the id of each is ours (MAC'd), known before the message exists. */
  const engine = (id?: string) => new SAML({ ...base, ...(id ? { generateUniqueId: () => id } : {}) });
  const verifier = engine();

  async function newId(): Promise<{ id: string; expiresAt: number }> {
    knownKeys = await options.keys();
    const first = knownKeys[0];
    if (!first) throw new Error('no sealing key');
    return issueRequestId(first, now(), REQUEST_TTL_MS);
  }

  async function finishLogin(
    form: { SAMLResponse?: unknown; RelayState?: unknown },
    cookieRequestId: string | null,
  ): Promise<SignedInPerson> {
    const xml = decodeBase64(form.SAMLResponse, 'SAMLResponse');
    if (hasDtd(xml)) throw new SamlRefusal('doctype', 'the response holds a DTD');
    const root = parse(xml);
    if (root.namespaceURI !== PROTOCOL || root.localName !== 'Response')
      throw new SamlRefusal('malformed', 'not a samlp:Response');
    const destination = root.getAttribute('Destination');
    if (destination && destination !== sp.acsUrl)
      throw new SamlRefusal('destination', `Destination ${destination} is not ${sp.acsUrl}`);
    if (settings.encryptedOnly) {
      // No clear assertion anywhere (a wrapped one included), and exactly one encrypted assertion in the Response.
      if (
        elements(root, ASSERTION, 'Assertion').length > 0 ||
        directChildren(root, ASSERTION, 'EncryptedAssertion').length !== 1
      )
        throw new SamlRefusal('not_encrypted', 'the assertion is not encrypted');
    }
    knownKeys = await options.keys();
    const inResponseTo = root.getAttribute('InResponseTo') || null;
    let requestClaim: { key: string; expiresAt: number } | null = null;
    if (inResponseTo) {
      const checked = checkRequestId(inResponseTo, knownKeys, now());
      if (!checked.ok) throw new SamlRefusal('request_unknown', `InResponseTo ${checked.reason}`);
      if (form.RelayState !== inResponseTo) throw new SamlRefusal('relay_state', 'RelayState is not the request');
      if (cookieRequestId !== inResponseTo) throw new SamlRefusal('other_browser', 'not the request of this browser');
      requestClaim = { key: checked.claimKey, expiresAt: checked.expiresAt };
    } else if (!settings.idpInitiated) {
      throw new SamlRefusal('unsolicited', 'a response PeerTube did not ask for (IdP-initiated sign-in is off)');
    }
    let profile: Profile | null;
    try {
      ({ profile } = await verifier.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse as string }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new SamlRefusal(error instanceof SamlStatusError ? 'idp_error' : 'invalid', message);
    }
    if (!profile) throw new SamlRefusal('invalid', 'no assertion');
    if (profile.issuer !== metadata.entityId) throw new SamlRefusal('invalid', `issuer ${profile.issuer}`);
    const assertion = parse(profile.getAssertionXml?.() ?? '');
    // The signed assertion's bearer confirmation must be for our ACS (node-saml does not look at Recipient).
    const confirmations = elements(assertion, ASSERTION, 'SubjectConfirmation').filter(
      (c) => c.getAttribute('Method') === BEARER,
    );
    const recipients = confirmations.flatMap((c) =>
      elements(c, ASSERTION, 'SubjectConfirmationData').map((d) => d.getAttribute('Recipient')),
    );
    if (recipients.length === 0 || recipients.some((r) => r !== sp.acsUrl))
      throw new SamlRefusal('destination', `Recipient ${recipients.join(', ') || 'missing'} is not ${sp.acsUrl}`);
    const nameId = profile.nameID;
    if (typeof nameId !== 'string' || nameId === '') throw new SamlRefusal('invalid', 'no NameID');
    const assertionId = assertion.getAttribute('ID') ?? '';
    const notOnOrAfter = Date.parse(
      elements(assertion, ASSERTION, 'SubjectConfirmationData')[0]?.getAttribute('NotOnOrAfter') ?? '',
    );
    // Used once: the request (when solicited) and the assertion (always), until they could no longer be accepted.
    if (requestClaim && !(await singleUse.claim(requestClaim.key, requestClaim.expiresAt)))
      throw new SamlRefusal('replayed', 'this request was already answered');
    const assertionUntil =
      (Number.isFinite(notOnOrAfter) ? notOnOrAfter : now() + REQUEST_TTL_MS) + settings.clockSkewMs;
    const assertionKey = `a:${createHash('sha256').update(`${metadata.entityId}\n${assertionId}`).digest('base64url')}`;
    if (!(await singleUse.claim(assertionKey, assertionUntil)))
      throw new SamlRefusal('replayed', 'this assertion was already used');
    const authn = elements(assertion, ASSERTION, 'AuthnStatement')[0];
    const sessionEnd = Date.parse(authn?.getAttribute('SessionNotOnOrAfter') ?? '');
    return {
      nameId,
      nameIdFormat: profile.nameIDFormat ?? null,
      nameQualifier: profile.nameQualifier ?? null,
      spNameQualifier: profile.spNameQualifier ?? null,
      sessionIndex: profile.sessionIndex ?? null,
      sessionNotOnOrAfter: Number.isFinite(sessionEnd) ? sessionEnd : null,
      attributes: readAttributes(assertion),
      solicited: requestClaim !== null,
    };
  }

  return {
    async loginUrl() {
      const { id } = await newId();
      const url = await engine(id).getAuthorizeUrlAsync(id, undefined, {});
      return { url, requestId: id };
    },
    finishLogin,
    async logoutUrl(subject, returnTo) {
      if (!metadata.sloUrl) return null;
      const { id } = await newId();
      return engine(id).getLogoutUrlAsync(
        {
          issuer: metadata.entityId,
          nameID: subject.nameId,
          nameIDFormat: subject.nameIdFormat ?? NAMEID_FORMATS.unspecified,
          ...(subject.nameQualifier ? { nameQualifier: subject.nameQualifier } : {}),
          ...(subject.spNameQualifier ? { spNameQualifier: subject.spNameQualifier } : {}),
          ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}),
        },
        returnTo,
        {},
      );
    },
    async readLogoutRequest(query, rawQuery) {
      const message = query.SAMLRequest;
      if (typeof message !== 'string' || message.length > RESPONSE_MAX_BYTES)
        throw new SamlRefusal('malformed', 'no SAMLRequest');
      // node-saml accepts a redirect-bound message without a signature: we do not (anyone could end a session).
      if (
        typeof query.Signature !== 'string' ||
        typeof query.SigAlg !== 'string' ||
        !REDIRECT_SIG_ALGS.has(query.SigAlg)
      )
        throw new SamlRefusal('unsigned_logout', 'SAMLRequest without an RSA-SHA256/512 signature');
      // node-saml finds the parameters by a regular expression over the raw query: each must appear exactly once.
      for (const name of ['SAMLRequest', 'Signature', 'SigAlg', 'RelayState']) {
        const count = rawQuery.split('&').filter((p) => p.split('=')[0] === name).length;
        if (count > 1 || (count === 0 && name !== 'RelayState'))
          throw new SamlRefusal('malformed', `the query holds ${name} ${count} times`);
      }
      let xml: string;
      try {
        xml = inflateRawSync(Buffer.from(message, 'base64'), { maxOutputLength: RESPONSE_MAX_BYTES }).toString('utf8');
      } catch {
        throw new SamlRefusal('malformed', 'SAMLRequest is not deflated base64');
      }
      if (hasDtd(xml)) throw new SamlRefusal('doctype', 'the logout message holds a DTD');
      const root = parse(xml);
      const destination = root.getAttribute('Destination');
      if (destination && destination !== sp.sloUrl)
        throw new SamlRefusal('destination', `Destination ${destination} is not ${sp.sloUrl}`);
      knownKeys = await options.keys();
      let profile: Profile | null;
      try {
        ({ profile } = await verifier.validateRedirectAsync(query as Record<string, string>, rawQuery));
      } catch (error) {
        throw new SamlRefusal('invalid', error instanceof Error ? error.message : String(error));
      }
      if (!profile) throw new SamlRefusal('malformed', 'not a LogoutRequest');
      const request = profile;
      const subject: LogoutSubject = {
        nameId: request.nameID,
        nameIdFormat: request.nameIDFormat ?? null,
        nameQualifier: request.nameQualifier ?? null,
        spNameQualifier: request.spNameQualifier ?? null,
        sessionIndex: request.sessionIndex ?? null,
      };
      const relayState = typeof query.RelayState === 'string' ? query.RelayState : '';
      return {
        subject,
        answer: async (success) => {
          const { id } = await newId();
          return engine(id).getLogoutResponseUrlAsync(request, relayState, {}, success);
        },
      };
    },
  };
}

/**
 * The SP's metadata for the IdP (it needs no IdP metadata): entity id, ACS (HTTP-POST), SLO (HTTP-Redirect), the
 * NameID format, the certificate for signatures (when requests are signed) and for encryption.
 */
export function spMetadataXml(settings: SpSettings, sp: SpEndpoints, key: SpKeyPair): string {
  const xml = generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    logoutCallbackUrl: sp.sloUrl,
    identifierFormat: NAMEID_FORMATS[settings.nameIdFormat],
    wantAssertionsSigned: settings.wantAssertionsSigned,
    decryptionPvk: key.privateKeyPem,
    decryptionCert: key.certificatePem,
    ...(settings.signRequests
      ? { privateKey: key.privateKeyPem, publicCerts: key.certificatePem, signatureAlgorithm: 'sha256' as const }
      : {}),
  });
  // node-saml declares its SingleLogoutService with the POST binding; ours takes redirects.
  const root = parse(xml);
  for (const slo of elements(root, 'urn:oasis:names:tc:SAML:2.0:metadata', 'SingleLogoutService'))
    slo.setAttribute('Binding', REDIRECT);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.toString()}`;
}
