import {
  type MappingConfig,
  type MappingVocabulary,
  mappingSettings,
  parseMappingSettings,
  type SettingDefinition,
  settingText,
} from '@apps-education/identity-mapping';
import { type Localized, t } from './i18n.js';

export type { SettingDefinition };

/**
 * SAML names the values it sends attributes; the defaults are the OIDs of eduPerson/inetOrgPerson that Shibboleth,
 * SimpleSAMLphp (name2oid), ADFS and LemonLDAP::NG all know: uid, mail, displayName, eduPersonAffiliation.
 */
export const SAML_VOCABULARY: MappingVocabulary = {
  word: 'Attribute',
  defaults: {
    username: 'urn:oid:0.9.2342.19200300.100.1.1',
    email: 'urn:oid:0.9.2342.19200300.100.1.3',
    displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
    groups: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
  },
};

export const NAMEID_FORMATS = {
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;
export type NameIdFormat = keyof typeof NAMEID_FORMATS;

/**
 * The plugin's settings, as PeerTube's admin page shows them (labels in English, translated to French by
 * languages/fr.json). All private but the automatic redirection (the login page's script reads it). The SP key is an
 * input-password. The mapping settings come from identity-mapping, shared with peertube-plugin-apps-auth-oidc: same
 * names, same meaning.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'idp-metadata-url',
    label: "Identity provider's metadata URL",
    type: 'input',
    private: true,
    descriptionHTML:
      'For SimpleSAMLphp: https://idp.example.fr/simplesaml/saml2/idp/metadata.php. Fetched again every few hours; a failed fetch keeps the last good copy.',
  },
  {
    name: 'idp-metadata-xml',
    label: "Identity provider's metadata (XML, when it has no URL)",
    type: 'input-textarea',
    default: '',
    private: true,
  },
  {
    name: 'idp-metadata-refresh-hours',
    label: 'Fetch the metadata again every (hours)',
    type: 'input',
    default: '6',
    private: true,
  },
  {
    name: 'sp-entity-id',
    label: 'Entity ID of PeerTube (empty: the address of its metadata)',
    type: 'input',
    default: '',
    private: true,
    descriptionHTML:
      'Give the identity provider the metadata at <code>/plugins/apps-auth-saml2/router/metadata.xml</code>.',
  },
  {
    name: 'sp-private-key',
    label: 'Private key of PeerTube (PEM; empty: one made at first start)',
    type: 'input-password',
    default: '',
    private: true,
    descriptionHTML:
      'Signs the requests and decrypts the assertions. Left empty, the plugin makes an RSA-2048 key and a certificate and keeps them in its data folder; the certificate is in the metadata.',
  },
  {
    name: 'sp-certificate',
    label: 'Certificate of PeerTube (PEM, with the pasted key)',
    type: 'input-textarea',
    default: '',
    private: true,
  },
  {
    name: 'nameid-format',
    label: 'NameID format',
    type: 'select',
    default: 'persistent',
    private: true,
    options: [
      { label: 'Persistent (recommended)', value: 'persistent' },
      { label: 'Email address', value: 'email' },
      { label: 'Unspecified', value: 'unspecified' },
      { label: 'Transient', value: 'transient' },
    ],
    descriptionHTML:
      'Accounts are linked by the persistent NameID. With a transient NameID they are linked by the username attribute.',
  },
  {
    name: 'sign-requests',
    label: 'Sign the authentication and logout requests (RSA-SHA256)',
    type: 'input-checkbox',
    default: true,
    private: true,
  },
  {
    name: 'want-assertions-signed',
    label: 'Require signed assertions',
    type: 'input-checkbox',
    default: true,
    private: true,
  },
  {
    name: 'want-response-signed',
    label: 'Require signed responses',
    type: 'input-checkbox',
    default: false,
    private: true,
  },
  {
    name: 'encrypted-assertions-only',
    label: 'Accept only encrypted assertions',
    type: 'input-checkbox',
    default: true,
    private: true,
    descriptionHTML:
      'The identity provider encrypts to the certificate in the metadata (SimpleSAMLphp: <code>assertion.encryption</code>; ADFS: an encryption certificate on the relying party).',
  },
  {
    name: 'clock-skew-seconds',
    label: 'Allowed clock difference with the identity provider (seconds)',
    type: 'input',
    default: '60',
    private: true,
  },
  {
    name: 'idp-initiated',
    label: 'Accept sign-ins started at the identity provider (IdP-initiated)',
    type: 'input-checkbox',
    default: false,
    private: true,
    descriptionHTML:
      'Off, only sign-ins started from PeerTube are accepted: an unsolicited response is refused. Turn it on for a portal that links to PeerTube through the identity provider.',
  },
  { name: 'button-label', label: 'Sign-in button label', type: 'input', default: 'apps.education.fr', private: true },
  {
    name: 'auto-redirect',
    label: 'Send visitors of the login page straight to the identity provider',
    type: 'input-checkbox',
    default: false,
    private: false,
    descriptionHTML: 'The local administrator can still sign in with the form at <code>/login?local=1</code>.',
  },
  ...mappingSettings(SAML_VOCABULARY),
];

/** What the SP's own metadata needs: known before the IdP is configured (the IdP's administrator asks for it first). */
export interface SpSettings {
  /** Empty: the metadata address. */
  readonly spEntityId: string | null;
  /** Both or neither (then the ones kept in the data folder). */
  readonly spKey: { readonly privateKeyPem: string; readonly certificatePem: string } | null;
  readonly nameIdFormat: NameIdFormat;
  readonly signRequests: boolean;
  readonly wantAssertionsSigned: boolean;
}

export interface SamlSettings extends SpSettings {
  /** Exactly one of the two. */
  readonly metadataUrl: string | null;
  readonly metadataXml: string | null;
  readonly metadataRefreshMs: number;
  readonly wantResponseSigned: boolean;
  readonly encryptedOnly: boolean;
  readonly clockSkewMs: number;
  readonly idpInitiated: boolean;
  readonly buttonLabel: string;
  readonly mapping: MappingConfig;
}

/** A refusal still gives the SP side when it is good: PeerTube's metadata is served before the IdP is set. */
export type SettingsResult =
  | { ok: true; settings: SamlSettings }
  | { ok: false; errors: Localized[]; sp: SpSettings | null };

const text = settingText;
/** A checkbox as PeerTube stores it: a boolean or its string form; absent means the default. */
const checkbox = (value: unknown, fallback: boolean) =>
  value === true || value === 'true' ? true : value === false || value === 'false' ? false : fallback;
const integer = (value: unknown, fallback: number) => {
  const raw = text(typeof value === 'number' ? String(value) : value);
  return raw === '' ? fallback : /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
};
const pem = (value: string, label: string) =>
  new RegExp(`^-----BEGIN ${label}-----[A-Za-z0-9+/=\\s]+-----END ${label}-----$`).test(value);

/** The SP side of the settings alone, or its problems in French and English (parseSettings includes them). */
function parseSpSettings(
  raw: Readonly<Record<string, unknown>>,
): { ok: true; value: SpSettings } | { ok: false; errors: Localized[] } {
  const errors: Localized[] = [];
  const spEntityId = text(raw['sp-entity-id']);
  if (spEntityId.length > 1024 || /\s/.test(spEntityId)) errors.push(t('settings.entityId'));
  const privateKeyPem = text(raw['sp-private-key']);
  const certificatePem = text(raw['sp-certificate']);
  if ((privateKeyPem === '') !== (certificatePem === '')) errors.push(t('settings.spKeyPair'));
  else if (privateKeyPem !== '') {
    if (!pem(privateKeyPem, '(?:RSA )?PRIVATE KEY')) errors.push(t('settings.spKey'));
    if (!pem(certificatePem, 'CERTIFICATE')) errors.push(t('settings.spCertificate'));
  }
  const format = text(raw['nameid-format']) || 'persistent';
  if (!(format in NAMEID_FORMATS)) errors.push(t('settings.nameIdFormat', { value: format }));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      spEntityId: spEntityId || null,
      spKey: privateKeyPem ? { privateKeyPem, certificatePem } : null,
      nameIdFormat: format as NameIdFormat,
      signRequests: checkbox(raw['sign-requests'], true),
      wantAssertionsSigned: checkbox(raw['want-assertions-signed'], true),
    },
  };
}

/** Settings as PeerTube stores them -> a checked configuration, or every problem in French and English. */
export function parseSettings(raw: Readonly<Record<string, unknown>>): SettingsResult {
  const sp = parseSpSettings(raw);
  const errors: Localized[] = sp.ok ? [] : [...sp.errors];
  const metadataUrl = text(raw['idp-metadata-url']);
  const metadataXml = text(raw['idp-metadata-xml']);
  if (metadataUrl === '' && metadataXml === '') errors.push(t('settings.metadataMissing'));
  if (metadataUrl !== '') {
    try {
      const url = new URL(metadataUrl);
      const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) errors.push(t('settings.metadataHttps'));
    } catch {
      errors.push(t('settings.metadataUrl', { value: metadataUrl }));
    }
  }
  const hours = integer(raw['idp-metadata-refresh-hours'], 6);
  if (!(hours >= 1 && hours <= 168)) errors.push(t('settings.refreshHours'));
  const wantResponseSigned = checkbox(raw['want-response-signed'], false);
  // An encrypted but unsigned assertion proves nothing: anyone holding the SP's public certificate can make one.
  if (!checkbox(raw['want-assertions-signed'], true) && !wantResponseSigned) errors.push(t('settings.unsigned'));
  const skew = integer(raw['clock-skew-seconds'], 60);
  if (!(skew >= 0 && skew <= 600)) errors.push(t('settings.clockSkew'));
  const mapping = parseMappingSettings(raw, SAML_VOCABULARY);
  if (!mapping.ok) errors.push(...mapping.errors);
  if (errors.length > 0 || !mapping.ok || !sp.ok) return { ok: false, errors, sp: sp.ok ? sp.value : null };
  return {
    ok: true,
    settings: {
      ...sp.value,
      metadataUrl: metadataUrl || null,
      metadataXml: metadataUrl ? null : metadataXml,
      metadataRefreshMs: hours * 3_600_000,
      wantResponseSigned,
      encryptedOnly: checkbox(raw['encrypted-assertions-only'], true),
      clockSkewMs: skew * 1000,
      idpInitiated: checkbox(raw['idp-initiated'], false),
      buttonLabel: text(raw['button-label']) || 'apps.education.fr',
      mapping: mapping.value,
    },
  };
}
