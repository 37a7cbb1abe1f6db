import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BbbDouble,
  type CapturedProcess,
  createTestCertificateAuthority,
  createUserAgent,
  freePort,
  installServicePackage,
  type OidcProviderHandle,
  signInThroughForm,
  spawnCaptured,
  startBbbDouble,
  startOidcProvider,
  type TempDir,
  tempDir,
  type UserAgent,
} from '@apps-education/testkit';

const pluginDir = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceUnderTest {
  readonly url: string;
  readonly monitoringUrl: string;
  readonly idp: OidcProviderHandle;
  readonly bbb: BbbDouble;
  readonly dir: TempDir;
  readonly process: CapturedProcess;
  /** A fetch that trusts the test CA (the service speaks https: BigBlueButton only fetches https). */
  readonly fetch: typeof fetch;
  /** A browser stand-in signed in as this user (the testkit's users: alice, bob...). */
  signIn(username: string, password?: string): Promise<UserAgent>;
  /** The CSRF token of the room page this agent sees. */
  csrf(agent: UserAgent, path: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The service as `pnpm build` ships it: the package installed with its declared dependencies, started by its own
 * command with a YAML file, behind https with a certificate of the testkit's CA, against the testkit's OpenID
 * provider and BigBlueButton double (which downloads every document it is given, through that CA).
 */
export async function startServiceUnderTest(
  options: { config?: string; env?: Record<string, string> } = {},
): Promise<ServiceUnderTest> {
  const dir = await tempDir('bbb-upload-');
  const ca = createTestCertificateAuthority(dir.path);
  const certificate = ca.issue(['127.0.0.1', 'localhost']);
  const port = await freePort();
  const monitoringPort = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const idp = await startOidcProvider({ loginHint: false });
  idp.addClient({
    client_id: 'bbb-upload',
    client_secret: 'bbb-upload-secret',
    redirect_uris: [`${url}/oidc/callback`],
  });
  const bbb = await startBbbDouble({ ca: ca.cert, allowLoopbackDocuments: true });
  const { bin } = installServicePackage('bbb-upload', dir.path, pluginDir);
  const configPath = join(dir.path, 'bbb-upload.yml');
  writeFileSync(
    configPath,
    `publicUrl: ${url}
listen: { host: 127.0.0.1, port: ${port} }
tls: { certFile: ${certificate.certPath}, keyFile: ${certificate.keyPath} }
monitoring: { listen: { host: 127.0.0.1, port: ${monitoringPort} } }
oidc: { issuer: "${idp.issuer}", clientId: bbb-upload, clientSecret: bbb-upload-secret }
bbb: { url: "${bbb.url}", secret: "${bbb.secret}" }
database: { type: sqlite, path: ${join(dir.path, 'state.db')} }
storage: { type: local, dir: ${join(dir.path, 'documents')} }
unsafe: { allowHttpIssuer: true }
${options.config ?? ''}`,
  );
  const child = spawnCaptured(process.execPath, [bin['bbb-upload'] ?? ''], {
    cwd: dir.path,
    env: {
      BBB_UPLOAD_CONFIG: configPath,
      BBB_UPLOAD_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
      // The service trusts the test CA for its own calls (the IdP is http here; BigBlueButton too).
      NODE_EXTRA_CA_CERTS: ca.certPath,
      ...options.env,
    },
  });
  await child.waitFor('bbb-upload listening', 30_000);
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: ca.cert } });
  const trusting = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(
      input as string,
      { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1],
    )) as unknown as typeof fetch;
  return {
    url,
    monitoringUrl: `http://127.0.0.1:${monitoringPort}`,
    idp,
    bbb,
    dir,
    process: child,
    fetch: trusting,
    async signIn(username, password = username) {
      const agent = createUserAgent(trusting);
      const result = await signInThroughForm(
        agent,
        `${url}/login`,
        (location) => location.startsWith(`${url}/rooms`),
        username,
        password,
      );
      if (!result.location?.startsWith(`${url}/rooms`))
        throw new Error(`sign-in of ${username} did not come back: ${result.last?.status}`);
      return agent;
    },
    async csrf(agent, path) {
      const page = await agent.request(`${url}${path}`);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (!token) throw new Error(`no form token on ${path} (${page.status})`);
      return token;
    },
    async close() {
      child.child.kill('SIGTERM');
      await child.exited;
      await bbb.close();
      await idp.close();
      await dispatcher.close();
      await dir.remove();
    },
  };
}
