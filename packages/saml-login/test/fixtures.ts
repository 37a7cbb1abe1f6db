import { readFileSync } from 'node:fs';
import { pemBody } from '@apps-education/testkit';

const base64Of = (name: string) => pemBody(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
export const CERT_A = base64Of('idp-signing-a.crt');
export const CERT_B = base64Of('idp-signing-b.crt');

export const key = (cert: string, use?: string) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
    ${cert.replace(/(.{64})/g, '$1\n    ')}
  </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

/** Metadata as Shibboleth, SimpleSAMLphp or ADFS publish it, with the parts each test changes. */
export function metadata(
  options: {
    keys?: string;
    sso?: string;
    slo?: string;
    protocol?: string;
    validUntil?: string;
    entityId?: string;
  } = {},
) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
  entityID="${options.entityId ?? 'https://idp.ac-test.fr/idp/shibboleth'}"${options.validUntil ? ` validUntil="${options.validUntil}"` : ''}>
  <md:IDPSSODescriptor protocolSupportEnumeration="${options.protocol ?? 'urn:oasis:names:tc:SAML:2.0:protocol urn:mace:shibboleth:1.0'}">
    ${options.keys ?? `${key(CERT_A, 'signing')}${key(CERT_B, 'encryption')}`}
    ${options.slo ?? '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.ac-test.fr/idp/profile/SAML2/Redirect/SLO"/>'}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.ac-test.fr/idp/profile/SAML2/POST/SSO"/>
    ${options.sso ?? '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.ac-test.fr/idp/profile/SAML2/Redirect/SSO"/>'}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}
