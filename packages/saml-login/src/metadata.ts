import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { type Localized, t } from './i18n.js';
import { hasDtd, parseXmlStrict } from './xml.js';

/** What the SP needs from an IdP's SAML 2.0 metadata. */
export interface IdpMetadata {
  readonly entityId: string;
  /** SingleSignOnService, HTTP-Redirect binding (the one the SP sends its AuthnRequest with). */
  readonly ssoUrl: string;
  /** SingleLogoutService, HTTP-Redirect binding; null when the IdP offers none. */
  readonly sloUrl: string | null;
  /**
   * Every certificate the IdP may sign with (KeyDescriptor use="signing" or without `use`), base64 DER: during a
   * rollover the IdP publishes the old and the new one, and a signature by either is good.
   */
  readonly signingCertificates: readonly string[];
  readonly nameIdFormats: readonly string[];
  /** validUntil, in ms since 1970, when the metadata says it. */
  readonly validUntil: number | null;
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
/** Metadata of one IdP is a few KiB; a federation's aggregate is not what this setting takes. */
export const METADATA_MAX_BYTES = 1024 * 1024;

export type MetadataResult = { ok: true; value: IdpMetadata } | { ok: false; error: Localized };

const children = (parent: Element, name: string, ns = MD): Element[] =>
  Array.from(parent.getElementsByTagNameNS(ns, name));
const httpUrl = (value: string | null): string | null => {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
};

/**
 * Reads an IdP's metadata (an EntityDescriptor, or an EntitiesDescriptor holding exactly one IdP) as an administrator
 * pastes it or as its URL serves it. A document type declaration is refused outright (SAML metadata never needs one;
 * it is where XXE and entity expansion come from), and so is a document over METADATA_MAX_BYTES. Every refusal says
 * what was wrong, in French and English.
 */
export function parseIdpMetadata(xml: string, now = Date.now()): MetadataResult {
  if (Buffer.byteLength(xml, 'utf8') > METADATA_MAX_BYTES)
    return { ok: false, error: t('metadata.tooLarge', { max: METADATA_MAX_BYTES / 1024 }) };
  if (hasDtd(xml)) return { ok: false, error: t('metadata.doctype') };
  let root: Element | null;
  try {
    root = parseXmlStrict(xml);
  } catch (error) {
    return { ok: false, error: t('metadata.notXml', { details: error instanceof Error ? error.message : '' }) };
  }
  if (!root || root.namespaceURI !== MD || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName ?? ''))
    return { ok: false, error: t('metadata.notMetadata') };

  const idps = [root, ...children(root, 'EntityDescriptor')].filter(
    (entity) => entity.localName === 'EntityDescriptor' && children(entity, 'IDPSSODescriptor').length > 0,
  );
  if (idps.length !== 1) return { ok: false, error: t('metadata.idpCount', { count: idps.length }) };
  const entity = idps[0] as Element;
  const entityId = entity.getAttribute('entityID') ?? '';
  if (entityId === '') return { ok: false, error: t('metadata.entityId') };
  const idp = children(entity, 'IDPSSODescriptor')[0] as Element;
  if (!(idp.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(PROTOCOL))
    return { ok: false, error: t('metadata.protocol') };

  const validUntilText = idp.getAttribute('validUntil') || entity.getAttribute('validUntil') || null;
  const validUntil = validUntilText ? Date.parse(validUntilText) : null;
  if (validUntil !== null && Number.isNaN(validUntil))
    return { ok: false, error: t('metadata.validUntil', { value: validUntilText ?? '' }) };
  if (validUntil !== null && validUntil <= now)
    return { ok: false, error: t('metadata.expired', { date: new Date(validUntil).toISOString() }) };

  const endpoint = (name: string) =>
    httpUrl(
      children(idp, name)
        .find((e) => e.getAttribute('Binding') === REDIRECT)
        ?.getAttribute('Location') ?? null,
    );
  const ssoUrl = endpoint('SingleSignOnService');
  if (!ssoUrl) return { ok: false, error: t('metadata.sso') };

  const signingCertificates = children(idp, 'KeyDescriptor')
    .filter((key) => ['signing', ''].includes(key.getAttribute('use') ?? ''))
    .flatMap((key) => children(key, 'X509Certificate', DS).map((c) => (c.textContent ?? '').replace(/\s+/g, '')))
    .filter((cert, i, all) => cert !== '' && all.indexOf(cert) === i);
  if (signingCertificates.length === 0) return { ok: false, error: t('metadata.noCertificate') };
  const invalid = signingCertificates.find((cert) => {
    try {
      new X509Certificate(Buffer.from(cert, 'base64'));
      return false;
    } catch {
      return true;
    }
  });
  if (invalid) return { ok: false, error: t('metadata.badCertificate', { start: invalid.slice(0, 16) }) };

  return {
    ok: true,
    value: {
      entityId,
      ssoUrl,
      sloUrl: endpoint('SingleLogoutService'),
      signingCertificates,
      nameIdFormats: children(idp, 'NameIDFormat')
        .map((e) => (e.textContent ?? '').trim())
        .filter(Boolean),
      validUntil,
    },
  };
}
