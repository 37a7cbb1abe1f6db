import {
  createUserAgent,
  type PeerTubeHost,
  type SamlPostForm,
  type SamlTestServiceProvider,
  type SamlTestUser,
  type SimpleSamlIdp,
  type UserAgent,
} from '@apps-education/testkit';

export const NPM_NAME = 'peertube-plugin-apps-auth-saml2';
export const AUTH_NAME = 'apps-saml2';
export const ROUTER = '/plugins/apps-auth-saml2/router';
export const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/** Teachers of an academy as its IdP knows them: multi-valued affiliations, as eduPerson says. */
export const PEOPLE: Record<string, SamlTestUser> = {
  alice: {
    password: 'alicepass',
    attributes: {
      uid: ['alice'],
      mail: ['alice.martin@ac-test.fr'],
      displayName: ['Alice Martin'],
      eduPersonAffiliation: ['member', 'staff'],
    },
  },
  bob: {
    password: 'bobpass',
    attributes: {
      uid: ['bob'],
      mail: ['bob.durand@ac-test.fr'],
      displayName: ['Bob Durand'],
      eduPersonAffiliation: ['member', 'student'],
    },
  },
  carol: {
    password: 'carolpass',
    attributes: {
      uid: ['carol'],
      mail: ['carol.petit@ac-test.fr'],
      displayName: ['Carol Petit'],
      eduPersonAffiliation: ['member'],
    },
  },
  eve: {
    password: 'evepass',
    attributes: { uid: ['eve'], mail: ['eve@ac-test.fr'], displayName: ['Eve'], eduPersonAffiliation: ['affiliate'] },
  },
};

/** The SP as the IdP is told about it, from the metadata PeerTube serves (entity id, ACS, SLO, certificate). */
export async function spFromMetadata(host: PeerTubeHost): Promise<SamlTestServiceProvider> {
  const response = await fetch(`${host.url}${ROUTER}/metadata.xml`);
  const xml = await response.text();
  if (response.status !== 200) throw new Error(`SP metadata: HTTP ${response.status} ${xml.slice(0, 200)}`);
  const attr = (pattern: RegExp) => pattern.exec(xml)?.[1] ?? '';
  const cert = attr(/<(?:ds:)?X509Certificate>([^<]+)</);
  return {
    entityId: attr(/entityID="([^"]+)"/),
    acsUrl: attr(/<(?:md:)?AssertionConsumerService[^>]*Location="([^"]+)"/),
    sloUrl: attr(/<(?:md:)?SingleLogoutService[^>]*Location="([^"]+)"/),
    certificate: `-----BEGIN CERTIFICATE-----\n${cert.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`,
    // The attribute the persistent NameID comes from, by the name it has once mapped to OIDs (without one,
    // SimpleSAMLphp sends a new random id at each sign-in).
    nameIdAttribute: 'urn:oid:0.9.2342.19200300.100.1.1',
    requireSignedRequests: true,
    requireSignedLogout: true,
    encryptAssertions: true,
    attributeNames: 'oid',
  };
}

export interface SignedIn {
  readonly agent: UserAgent;
  /** Where the ACS sent the browser. */
  readonly location: string | null;
  readonly page: string;
  readonly status: number;
  readonly token?: { status: number; body: Record<string, unknown> };
}

/** Posts the IdP's form to the ACS as the browser would, then exchanges PeerTube's token as its login page does. */
export async function postToAcs(host: PeerTubeHost, agent: UserAgent, form: SamlPostForm): Promise<SignedIn> {
  const fields: Record<string, string> = {};
  if (form.SAMLResponse !== undefined) fields.SAMLResponse = form.SAMLResponse;
  if (form.RelayState !== undefined) fields.RelayState = form.RelayState;
  const answer = await agent.request(form.action, { form: fields });
  const base = { agent, location: answer.location, page: answer.body, status: answer.status };
  const target = answer.location ? new URL(answer.location) : null;
  const externalAuthToken = target?.searchParams.get('externalAuthToken');
  if (!target || !externalAuthToken) return base;
  const token = await host.exchange(externalAuthToken, target.searchParams.get('username') ?? '');
  await host.hooksSettled();
  return { ...base, token };
}

/** A person signs in from PeerTube's button through the IdP's form; returns the form the IdP posts back too. */
export async function signIn(
  host: PeerTubeHost,
  idp: SimpleSamlIdp,
  username: string,
  agent: UserAgent = createUserAgent(),
): Promise<SignedIn & { form: SamlPostForm }> {
  const form = await idp.signIn(agent, host.authUrl(AUTH_NAME), username, PEOPLE[username]?.password ?? '');
  return { ...(await postToAcs(host, agent, form)), form };
}
