import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OidcProviderHandle, startOidcProvider, tempDir } from '@apps-education/testkit';
import { expect, it } from 'vitest';
import type { BridgeError } from '../../src/core/errors.js';
import { parseConfig } from '../../src/entry/config.js';
import { createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = `services:\n  - { id: app, name: App, match: { prefix: "${APP}" } }\n`;

/** A bridge signing in at `idp` with these `oidc` settings (the client registered by the test itself). */
const bridgeAt = (idp: OidcProviderHandle, oidc: Record<string, unknown>) =>
  startBridgeUnderTest({
    registry: REGISTRY,
    idp,
    registerClient: false,
    config: { oidc: { issuer: idp.issuer, ...oidc } },
  });

/** The client authentication methods at the IdP's token endpoint (issue 10: an IdP that reads Basic literally). */
async function signInAt(t: Awaited<ReturnType<typeof startBridgeUnderTest>>) {
  const { hops } = await signIn(createUserAgent(), `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, (u) =>
    u.startsWith(APP),
  );
  return hops.at(-1)?.location ?? '';
}

it('client_secret_post signs in at an IdP that reads Basic credentials literally (LemonLDAP::NG), where basic fails', async () => {
  const idp = await startOidcProvider({ loginHint: false, basicCredentials: 'literal' });
  const post = await bridgeAt(idp, {
    clientId: 'cas-bridge',
    clientSecret: 'cas-bridge-secret',
    clientAuthMethod: 'client_secret_post',
  });
  const basic = await bridgeAt(idp, { clientId: 'cas-bridge-b', clientSecret: 'cas-bridge-secret' });
  try {
    idp.addClient({
      client_id: 'cas-bridge',
      client_secret: 'cas-bridge-secret',
      redirect_uris: [`${post.publicUrl}/oidc/callback`],
      token_endpoint_auth_method: 'client_secret_post',
    });
    idp.addClient({
      client_id: 'cas-bridge-b',
      client_secret: 'cas-bridge-secret',
      redirect_uris: [`${basic.publicUrl}/oidc/callback`],
    });
    expect(await signInAt(post)).toMatch(/ticket=ST-/);
    expect(await signInAt(basic)).not.toMatch(/ticket=ST-/);
  } finally {
    await post.close();
    await basic.close();
    await idp.close();
  }
});

it('private_key_jwt: no shared secret; the IdP takes the public key from the bridge at /oidc/jwks', async () => {
  await using dir = await tempDir('cas-jwt-');
  const keyFile = join(dir.path, 'client-key.pem');
  writeFileSync(
    keyFile,
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
  );
  const idp = await startOidcProvider({ loginHint: false });
  const t = await bridgeAt(idp, {
    clientId: 'cas-bridge-jwt',
    clientAuthMethod: 'private_key_jwt',
    privateKeyFile: keyFile,
    privateKeyId: 'cas-1',
  });
  try {
    const jwks = (await (await fetch(`${t.publicUrl}/oidc/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'cas-1', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    idp.addClient({
      client_id: 'cas-bridge-jwt',
      redirect_uris: [`${t.publicUrl}/oidc/callback`],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks,
    });
    expect(await signInAt(t)).toMatch(/ticket=ST-/);
  } finally {
    await t.close();
    await idp.close();
  }
});

it('refuses a configuration whose client authentication lacks what it needs, saying what', () => {
  const base = { publicUrl: 'https://cas.ac-test.fr/cas', registry: '/x.yml' };
  const problems = (oidc: Record<string, unknown>) => {
    try {
      parseConfig(
        { ...base, oidc: { issuer: 'https://sso.ac-test.fr/realms/apps', clientId: 'cas-bridge', ...oidc } },
        {},
      );
      return [];
    } catch (error) {
      return [...(error as BridgeError).details];
    }
  };
  expect(problems({ clientAuthMethod: 'client_secret_post' }).join()).toContain(
    'oidc.clientSecret: needed by client_secret_post',
  );
  expect(problems({ clientAuthMethod: 'private_key_jwt' }).join()).toContain(
    'oidc.privateKeyFile: needed by private_key_jwt',
  );
  expect(problems({ clientAuthMethod: 'private_key_jwt', privateKeyFile: '/nonexistent.pem' }).join()).toContain(
    'oidc.privateKeyFile:',
  );
  expect(problems({ clientSecret: 's' })).toEqual([]);
});
