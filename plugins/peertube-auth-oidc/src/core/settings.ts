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

/** OpenID Connect names the values it sends claims; these are Keycloak's. */
export const OIDC_VOCABULARY: MappingVocabulary = {
  word: 'Claim',
  defaults: { username: 'preferred_username', email: 'email', displayName: 'name', groups: 'groups' },
};

/**
 * The plugin's settings, as PeerTube's admin page shows them (labels in English, translated to French by
 * languages/fr.json). All private but the automatic redirection (the login page's script reads it): PeerTube never
 * sends them to browsers. The secret is an input-password. The mapping settings come from identity-mapping, shared
 * with peertube-plugin-apps-auth-saml2.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'issuer',
    label: 'Issuer (discovery URL)',
    type: 'input',
    private: true,
    descriptionHTML: 'For Keycloak: https://sso.example.fr/realms/apps',
  },
  { name: 'client-id', label: 'Client ID', type: 'input', private: true },
  {
    name: 'client-secret',
    label: 'Client secret (empty for a public client with PKCE)',
    type: 'input-password',
    private: true,
  },
  { name: 'scopes', label: 'Scopes', type: 'input', default: 'openid profile email', private: true },
  { name: 'button-label', label: 'Sign-in button label', type: 'input', default: 'apps.education.fr', private: true },
  {
    name: 'auto-redirect',
    label: 'Send visitors of the login page straight to the identity provider',
    type: 'input-checkbox',
    default: false,
    private: false,
    descriptionHTML: 'The local administrator can still sign in with the form at <code>/login?local=1</code>.',
  },
  {
    name: 'require-verified-email',
    label: 'Require an email the identity provider has verified (email_verified)',
    type: 'input-checkbox',
    default: true,
    private: true,
    descriptionHTML:
      "PeerTube finds accounts by email: an unverified email could open someone else's account. Turn this off only for an identity provider that never sends <code>email_verified</code> and checks every email itself.",
  },
  {
    name: 'external-redirect-uris',
    label: 'Allowed return URLs for apps (one per line; PeerTube 7 and later)',
    type: 'input-textarea',
    default: '',
    private: true,
    descriptionHTML: 'A mobile or desktop app may ask to come back to one of these exact URLs after sign-in.',
  },
  ...mappingSettings(OIDC_VOCABULARY),
];

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly scopes: string;
  readonly buttonLabel: string;
  readonly mapping: MappingConfig;
  /** Exact URLs an app may ask PeerTube to send the person back to (externalRedirectUri). */
  readonly externalRedirectUris: readonly string[];
  /** Refuse a sign-in unless the IdP says the email is verified (email_verified: true). */
  readonly requireVerifiedEmail: boolean;
}

export type SettingsResult = { ok: true; settings: OidcSettings } | { ok: false; errors: Localized[] };

const text = settingText;

/** Settings as PeerTube stores them -> a checked configuration, or every problem in French and English. */
export function parseSettings(raw: Readonly<Record<string, unknown>>): SettingsResult {
  const errors: Localized[] = [];
  const issuer = text(raw.issuer);
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname))) {
      errors.push(t('settings.issuerHttps'));
    }
  } catch {
    errors.push(t('settings.issuer'));
  }
  const clientId = text(raw['client-id']);
  if (clientId === '') errors.push(t('settings.clientId'));
  const mapping = parseMappingSettings(raw, OIDC_VOCABULARY);
  if (!mapping.ok) errors.push(...mapping.errors);
  const externalRedirectUris = text(raw['external-redirect-uris'])
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter(Boolean);
  for (const uri of externalRedirectUris) {
    let ok = false;
    try {
      const parsed = new URL(uri);
      ok =
        !parsed.username &&
        !parsed.password &&
        !parsed.hash &&
        /^[a-z][a-z0-9+.-]*:$/.test(parsed.protocol) &&
        !['javascript:', 'data:', 'file:'].includes(parsed.protocol);
    } catch {
      ok = false;
    }
    if (!ok) errors.push(t('settings.redirectUri', { value: uri }));
  }
  if (errors.length > 0 || !mapping.ok) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      issuer,
      clientId,
      clientSecret: text(raw['client-secret']) || null,
      scopes: text(raw.scopes) || 'openid profile email',
      buttonLabel: text(raw['button-label']) || 'apps.education.fr',
      externalRedirectUris,
      // A checkbox PeerTube stores as a boolean (or its string form); absent means the default, on.
      requireVerifiedEmail: !(raw['require-verified-email'] === false || raw['require-verified-email'] === 'false'),
      mapping: mapping.value,
    },
  };
}
