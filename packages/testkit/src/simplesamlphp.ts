import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { MissingPeerError, type RunningPeer, requireCommand, startPeer } from './system-peer.js';
import { selfSignedCertificate } from './test-ca.js';
import { tempDir } from './tmp.js';
import type { UserAgent } from './user-agent.js';

/** A person the IdP knows: their password and their attributes (every value a list, as SAML sends them). */
export interface SamlTestUser {
  readonly password: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** A service provider the IdP trusts (SimpleSAMLphp's saml20-sp-remote entry). */
export interface SamlTestServiceProvider {
  readonly entityId: string;
  /** HTTP-POST AssertionConsumerService. */
  readonly acsUrl: string;
  /** HTTP-Redirect SingleLogoutService. */
  readonly sloUrl?: string;
  readonly nameIdFormat?: string;
  /** The attribute whose value becomes the persistent or unspecified NameID (default: a generated persistent id). */
  readonly nameIdAttribute?: string;
  /** The SP's certificate (PEM): SimpleSAMLphp checks signed requests and logouts with it and encrypts to it. */
  readonly certificate?: string;
  /** Refuse AuthnRequests that are not signed by `certificate`. */
  readonly requireSignedRequests?: boolean;
  /** Refuse logout messages that are not signed by `certificate`. */
  readonly requireSignedLogout?: boolean;
  /** Encrypt assertions to `certificate`. */
  readonly encryptAssertions?: boolean;
  /** Sign the response and the assertion (both by default, as SimpleSAMLphp's hosted IdP here is set up). */
  readonly signResponse?: boolean;
  readonly signAssertion?: boolean;
  /** Send attribute names as OIDs (urn:oid:..., NameFormat uri) rather than their friendly names. */
  readonly attributeNames?: 'basic' | 'oid';
}

export interface SamlPostForm {
  /** Where the browser would post it (the SP's ACS or SLO). */
  readonly action: string;
  readonly SAMLResponse?: string;
  readonly SAMLRequest?: string;
  readonly RelayState?: string;
}

export interface SimpleSamlIdp {
  readonly url: string;
  readonly entityId: string;
  readonly metadataUrl: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  /** The signing certificate now in use (PEM). */
  certificate(): string;
  /** Replaces the signing key and certificate (a rollover at the IdP); returns the new certificate. */
  rotateSigningKey(): string;
  /** Replaces the trusted service providers (read again at every request: no restart). */
  setServiceProviders(sps: readonly SamlTestServiceProvider[]): void;
  /** The URL that starts an IdP-initiated login to this SP. */
  idpInitiatedUrl(spEntityId: string, relayState?: string): string;
  /**
   * Signs in through the login form like a person, from a URL of the IdP (the SP's redirect to the SSO service, or
   * `idpInitiatedUrl`), and returns the form the browser would post to the SP.
   */
  signIn(agent: UserAgent, startUrl: string, username: string, password: string): Promise<SamlPostForm>;
  /** Follows the IdP's pages from `url` (a logout redirect, an open session) to the form or redirect it ends on. */
  continueAt(agent: UserAgent, url: string): Promise<SamlPostForm | { redirect: string }>;
  /** SimpleSAMLphp's log and the server's output so far. */
  output(): string;
  close(): Promise<void>;
}

const OID_MAP = 'name2oid';

/** Reads the hidden fields and the action of the HTML form SimpleSAMLphp answers with (its POST binding page). */
export function readPostForm(html: string): SamlPostForm | null {
  const action = /<form[^>]*action="([^"]*)"/i.exec(html)?.[1];
  if (!action) return null;
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    const value = /value="([^"]*)"/i.exec(input[0])?.[1];
    if (name && value !== undefined) fields[name] = decodeEntities(value);
  }
  return { action: decodeEntities(action), ...fields };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&amp;/g, '&');
}

/** A PEM certificate's base64 body, as SAML metadata and SimpleSAMLphp's certData carry it. */
export const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

/**
 * SimpleSAMLphp 1.19 (Debian's `simplesamlphp`) as a SAML 2.0 IdP, served by `php -S` from a scratch folder with its
 * own configuration (shared/reference/test-peers.md): the users given (exampleauth:UserPass), an RSA-2048 signing key
 * made with openssl, SHA-256 signatures of responses, assertions and logout messages, and the trusted SPs given.
 */
export async function startSimpleSamlIdp(options: {
  users: Readonly<Record<string, SamlTestUser>>;
  serviceProviders?: readonly SamlTestServiceProvider[];
}): Promise<SimpleSamlIdp> {
  const php = requireCommand('php', 'php-cli');
  const www = '/usr/share/simplesamlphp/www';
  if (!existsSync(join(www, 'index.php'))) throw new MissingPeerError(`SimpleSAMLphp (${www})`, 'simplesamlphp');
  const dir = await tempDir('simplesamlphp-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entityId = `${url}/saml2/idp/metadata.php`;
  const path = (...parts: string[]) => join(dir.path, ...parts);
  for (const sub of ['config', 'metadata', 'cert', 'log', 'data', 'tmp', 'sessions']) mkdirSync(path(sub));

  let keyIndex = 0;
  let certificatePem = '';
  const newSigningKey = () => {
    keyIndex++;
    certificatePem = selfSignedCertificate(
      path('cert', `idp-${keyIndex}.key`),
      path('cert', `idp-${keyIndex}.crt`),
      `/CN=SimpleSAMLphp test IdP ${keyIndex}`,
    );
    writeJson('idp-hosted', {
      [entityId]: {
        host: '__DEFAULT__',
        privatekey: `idp-${keyIndex}.key`,
        certificate: `idp-${keyIndex}.crt`,
        auth: 'users',
        'signature.algorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'saml20.sign.assertion': true,
        'saml20.sign.response': true,
        'sign.logout': true,
        NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      },
    });
    return certificatePem;
  };
  // SimpleSAMLphp reads PHP files that set $config or $metadata: each reads its JSON twin, written by these tests.
  function writeJson(name: string, value: unknown) {
    writeFileSync(path('config', `${name}.json`), JSON.stringify(value));
  }
  const phpReading = (variable: string, name: string) =>
    `<?php\n$${variable} = json_decode(file_get_contents('${path('config', `${name}.json`)}'), true);\n`;

  writeJson('config', {
    baseurlpath: `${url}/`,
    certdir: `${path('cert')}/`,
    metadatadir: `${path('metadata')}/`,
    loggingdir: `${path('log')}/`,
    datadir: `${path('data')}/`,
    tempdir: `${path('tmp')}/`,
    secretsalt: 'apps-education-test-salt',
    'auth.adminpassword': 'apps-education-test-admin',
    technicalcontact_email: 'na@example.org',
    timezone: 'UTC',
    // Debian keeps the attribute maps (name2oid ...) under /etc.
    attributenamemapdir: '/etc/simplesamlphp/attributemap/',
    'enable.saml20-idp': true,
    'module.enable': { exampleauth: true, core: true, saml: true },
    'logging.handler': 'file',
    'logging.logfile': 'simplesamlphp.log',
    'logging.level': 7,
    'session.cookie.secure': false,
    'session.cookie.samesite': null,
    'language.cookie.secure': false,
    'language.cookie.samesite': null,
    'store.type': 'phpsession',
    'session.phpsession.savepath': path('sessions'),
  });
  writeFileSync(path('config', 'config.php'), phpReading('config', 'config'));
  writeJson('authsources', {
    admin: ['core:AdminPassword'],
    users: {
      0: 'exampleauth:UserPass',
      ...Object.fromEntries(
        Object.entries(options.users).map(([name, user]) => [`${name}:${user.password}`, user.attributes]),
      ),
    },
  });
  writeFileSync(path('config', 'authsources.php'), phpReading('config', 'authsources'));
  writeFileSync(path('metadata', 'saml20-idp-hosted.php'), phpReading('metadata', 'idp-hosted'));
  writeFileSync(path('metadata', 'saml20-sp-remote.php'), phpReading('metadata', 'sp-remote'));
  newSigningKey();

  const setServiceProviders = (sps: readonly SamlTestServiceProvider[]) =>
    writeJson(
      'sp-remote',
      Object.fromEntries(
        sps.map((sp) => [
          sp.entityId,
          {
            AssertionConsumerService: sp.acsUrl,
            ...(sp.sloUrl ? { SingleLogoutService: sp.sloUrl } : {}),
            NameIDFormat: sp.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
            ...(sp.nameIdAttribute ? { 'simplesaml.nameidattribute': sp.nameIdAttribute } : {}),
            ...(sp.certificate ? { certData: pemBody(sp.certificate) } : {}),
            'validate.authnrequest': sp.requireSignedRequests ?? false,
            'validate.logout': sp.requireSignedLogout ?? false,
            'assertion.encryption': sp.encryptAssertions ?? false,
            'saml20.sign.response': sp.signResponse ?? true,
            'saml20.sign.assertion': sp.signAssertion ?? true,
            ...(sp.attributeNames === 'oid'
              ? {
                  'attributes.NameFormat': 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
                  authproc: { 90: { class: 'core:AttributeMap', 0: OID_MAP } },
                }
              : {}),
          },
        ]),
      ),
    );
  setServiceProviders(options.serviceProviders ?? []);

  let peer: RunningPeer;
  try {
    peer = await startPeer({
      name: 'simplesamlphp',
      command: php,
      args: ['-S', `127.0.0.1:${port}`, '-t', www],
      env: { SIMPLESAMLPHP_CONFIG_DIR: path('config') },
      logFile: path('log', 'simplesamlphp.log'),
      readyCheck: async () => (await fetch(`${entityId}`).catch(() => null))?.ok === true,
    });
  } catch (error) {
    await dir.remove();
    throw error;
  }

  /** Follows redirects from `start`; returns the last answer. */
  const walk = async (agent: UserAgent, start: string) => {
    const hops = await agent.follow(start, () => false, 10);
    const last = hops.at(-1);
    if (!last) throw new Error(`SimpleSAMLphp: no answer at ${start}`);
    return last;
  };
  const problem = (what: string, body: string) =>
    new Error(
      `SimpleSAMLphp: ${what}\n${body
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 600)}`,
    );

  return {
    url,
    entityId,
    metadataUrl: entityId,
    ssoUrl: `${url}/saml2/idp/SSOService.php`,
    sloUrl: `${url}/saml2/idp/SingleLogoutService.php`,
    certificate: () => certificatePem,
    rotateSigningKey: newSigningKey,
    setServiceProviders,
    idpInitiatedUrl: (spEntityId, relayState) =>
      `${url}/saml2/idp/SSOService.php?${new URLSearchParams({
        spentityid: spEntityId,
        ...(relayState ? { RelayState: relayState } : {}),
      })}`,
    async signIn(agent, startUrl, username, password) {
      const loginPage = await walk(agent, startUrl);
      const authState = /name="AuthState" value="([^"]*)"/.exec(loginPage.body)?.[1];
      if (!authState) throw problem(`no login form at ${loginPage.url} (HTTP ${loginPage.status})`, loginPage.body);
      const posted = await agent.request(loginPage.url.split('?')[0] ?? loginPage.url, {
        form: { username, password, AuthState: decodeEntities(authState) },
      });
      const answer = posted.location ? await walk(agent, new URL(posted.location, loginPage.url).href) : posted;
      const form = readPostForm(answer.body);
      if (!form || (!form.SAMLResponse && !form.SAMLRequest))
        throw problem(`no SAML form after the login (HTTP ${answer.status})`, answer.body);
      return form;
    },
    async continueAt(agent, start) {
      const hops = await agent.follow(start, (location) => !location.startsWith(url), 10);
      const last = hops.at(-1);
      if (!last) throw new Error(`SimpleSAMLphp: no answer at ${start}`);
      if (last.location && !last.location.startsWith(url)) return { redirect: new URL(last.location, last.url).href };
      const form = readPostForm(last.body);
      if (!form) throw problem(`neither a form nor a redirect at ${last.url} (HTTP ${last.status})`, last.body);
      return form;
    },
    output: () => peer.output(),
    async close() {
      await peer.stop();
      await dir.remove();
    },
  };
}
