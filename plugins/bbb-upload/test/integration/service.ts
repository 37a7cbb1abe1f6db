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
  startRoundRobin,
  type TempDir,
  tempDir,
  type UserAgent,
} from '@apps-education/testkit';

const pluginDir = fileURLToPath(new URL('../..', import.meta.url));
/** The service's BBB_UPLOAD_SECRET in these tests (its document links are signed with it). */
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface ServiceUnderTest {
  readonly url: string;
  readonly monitoringUrl: string;
  readonly idp: OidcProviderHandle;
  readonly bbb: BbbDouble;
  readonly dir: TempDir;
  /** The first process (the only one without replicas). */
  readonly process: CapturedProcess;
  readonly processes: readonly CapturedProcess[];
  /** Requests each replica received through the balancer. */
  readonly hits: readonly number[];
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
  options: {
    config?: string;
    env?: Record<string, string>;
    laboiteUrl?: string;
    /** Several processes behind a round-robin balancer that terminates https (they need PostgreSQL and S3). */
    replicas?: number;
  } = {},
): Promise<ServiceUnderTest> {
  const dir = await tempDir('bbb-upload-');
  const ca = createTestCertificateAuthority(dir.path);
  const certificate = ca.issue(['127.0.0.1', 'localhost']);
  const replicas = options.replicas ?? 1;
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const idp = await startOidcProvider({ loginHint: false });
  idp.addClient({
    client_id: 'bbb-upload',
    client_secret: 'bbb-upload-secret',
    redirect_uris: [`${url}/oidc/callback`],
  });
  const bbb = await startBbbDouble({ ca: ca.cert, allowLoopbackDocuments: true });
  const { bin } = installServicePackage('bbb-upload', dir.path, pluginDir);
  const processes: CapturedProcess[] = [];
  const monitoringPorts: number[] = [];
  const listenPorts: number[] = [];
  for (let replica = 0; replica < replicas; replica++) {
    const listenPort = replicas === 1 ? port : await freePort();
    const monitoringPort = await freePort();
    listenPorts.push(listenPort);
    monitoringPorts.push(monitoringPort);
    const configPath = join(dir.path, `bbb-upload-${replica}.yml`);
    writeFileSync(
      configPath,
      `publicUrl: ${url}
listen: { host: 127.0.0.1, port: ${listenPort} }
${replicas === 1 ? `tls: { certFile: ${certificate.certPath}, keyFile: ${certificate.keyPath} }` : ''}
monitoring: { listen: { host: 127.0.0.1, port: ${monitoringPort} } }
oidc: { issuer: "${idp.issuer}", clientId: bbb-upload, clientSecret: bbb-upload-secret }
bbb: { url: "${bbb.url}", secret: "${bbb.secret}" }
unsafe: { allowHttpIssuer: true }
${options.laboiteUrl ? `laboite: { url: "${options.laboiteUrl}" }\n` : ''}${
  options.config ??
  `database: { type: sqlite, path: ${join(dir.path, 'state.db')} }\nstorage: { type: local, dir: ${join(dir.path, 'documents')} }\n`
}`,
    );
    const child = spawnCaptured(process.execPath, [bin['bbb-upload'] ?? ''], {
      cwd: dir.path,
      env: {
        BBB_UPLOAD_CONFIG: configPath,
        BBB_UPLOAD_SECRET: TEST_SECRET,
        NODE_EXTRA_CA_CERTS: ca.certPath,
        ...(options.laboiteUrl ? { BBB_UPLOAD_LABOITE_API_KEY: 'test-api-key' } : {}),
        ...options.env,
      },
    });
    processes.push(child);
    await child.waitFor('bbb-upload listening', 30_000);
  }
  const balancer =
    replicas > 1
      ? await startRoundRobin(port, listenPorts, { tls: { cert: certificate.cert, key: certificate.key } })
      : null;
  const child = processes[0] as CapturedProcess;
  const { Agent, fetch: undiciFetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: ca.cert } });
  const trusting = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(
      input as string,
      { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1],
    )) as unknown as typeof fetch;
  return {
    url,
    monitoringUrl: `http://127.0.0.1:${monitoringPorts[0]}`,
    processes,
    hits: balancer?.hits ?? [],
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
      balancer?.close();
      for (const running of processes) {
        running.child.kill('SIGTERM');
        await running.exited;
      }
      await bbb.close();
      await idp.close();
      await dispatcher.close();
      await dir.remove();
    },
  };
}
