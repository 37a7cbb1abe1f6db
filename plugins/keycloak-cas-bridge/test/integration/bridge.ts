import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createUserAgent,
  freePort,
  type OidcProviderHandle,
  signInThroughForm,
  startOidcProvider,
  tempDir,
} from '@apps-education/testkit';
import pino from 'pino';
import { parseConfig } from '../../src/entry/config.js';
import { type RunningBridge, startBridge } from '../../src/entry/server.js';

export interface BridgeUnderTest {
  readonly bridge: RunningBridge;
  readonly idp: OidcProviderHandle;
  readonly publicUrl: string;
  /** The monitoring listener (/readyz, /metrics), on a free port of its own. */
  readonly monitoringUrl: string;
  readonly registryPath: string;
  close(): Promise<void>;
}

export async function startBridgeUnderTest(options: {
  registry: string;
  store?: Record<string, unknown>;
  idp?: OidcProviderHandle;
  config?: Record<string, unknown>;
  /** Serve https with this certificate (phpCAS and mod_auth_cas want https). */
  tls?: { certPath: string; keyPath: string };
  port?: number;
  /** The ID token signing algorithm the IdP uses for the bridge's client. */
  idTokenAlg?: 'RS256' | 'ES256';
  /** Where the bridge's JSON logs go (for tests that read them). */
  logStream?: NodeJS.WritableStream;
  /** The URL clients use when it is not the bridge's own (a load balancer in front of several bridges). */
  publicUrl?: string;
  /** Register the bridge's client at the IdP (once per public URL). */
  registerClient?: boolean;
}): Promise<BridgeUnderTest> {
  const dir = await tempDir('cas-bridge-');
  const port = options.port ?? (await freePort());
  const publicUrl = options.publicUrl ?? `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/cas`;
  const clientId = `cas-bridge-${new URL(publicUrl).port}`;
  const ownIdp = options.idp === undefined;
  const idp = options.idp ?? (await startOidcProvider({ loginHint: false }));
  if (options.registerClient ?? true)
    idp.addClient({
      client_id: clientId,
      client_secret: 'bridge-secret',
      redirect_uris: [`${publicUrl}/oidc/callback`],
      post_logout_redirect_uris: [`${publicUrl}/logout/done`],
      // As the README tells administrators to set it in Keycloak.
      backchannel_logout_uri: `${publicUrl}/oidc/backchannel-logout`,
      backchannel_logout_session_required: true,
      ...(options.idTokenAlg ? { id_token_signed_response_alg: options.idTokenAlg } : {}),
    });
  const registryPath = join(dir.path, 'services.yml');
  writeFileSync(registryPath, options.registry);
  const config = parseConfig({
    publicUrl,
    listen: { host: '127.0.0.1', port },
    oidc: { issuer: idp.issuer, clientId, clientSecret: 'bridge-secret' },
    registry: registryPath,
    store: options.store ?? { type: 'memory' },
    unsafe: { allowHttpIssuer: true, allowHttpPgtUrl: false },
    monitoring: { listen: { host: '127.0.0.1', port: 0 } },
    ...(options.tls ? { tls: { certFile: options.tls.certPath, keyFile: options.tls.keyPath } } : {}),
    ...options.config,
  });
  const logger = options.logStream
    ? pino({ level: 'debug' }, options.logStream)
    : pino({ level: process.env.BRIDGE_LOG ?? 'silent' });
  const bridge = await startBridge(config, { logger });
  return {
    bridge,
    idp,
    publicUrl,
    monitoringUrl: bridge.monitoringAddress ?? publicUrl,
    registryPath,
    async close() {
      await bridge.stop();
      if (ownIdp) await idp.close();
      await dir.remove();
    },
  };
}

/** Signs in through the IdP's login form like a person (the testkit's helper, under the name these tests use). */
export const signIn = signInThroughForm;

export { createUserAgent };

/** A fetch that trusts the test CA, for a browser stand-in talking to the bridge over https. */
export async function fetchTrusting(ca: string): Promise<typeof fetch> {
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(
      input as string,
      { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1],
    )) as unknown as typeof fetch;
}
