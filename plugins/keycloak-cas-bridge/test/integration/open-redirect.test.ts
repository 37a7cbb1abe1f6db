import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_REDIRECT_CORPUS } from '../open-redirect-corpus.js';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

const REGISTRY = `
services:
  - { id: moodle, name: Moodle, match: { prefix: "https://moodle.ac-test.fr/" } }
  - { id: ent, name: ENT, match: { exact: "https://ent.ac-test.fr/cas/callback" } }
  - { id: pod, name: Pod, match: { prefix: "https://pod.ac-test.fr/accounts" } }
  - { id: colleges, name: Collèges, match: { regex: "https://[a-z0-9-]+\\\\.college\\\\.ac-test\\\\.fr/.*" } }
`;

describe('no open redirect through the bridge', () => {
  let t: BridgeUnderTest;
  let signedIn: ReturnType<typeof createUserAgent>;
  beforeAll(async () => {
    t = await startBridgeUnderTest({ registry: REGISTRY });
    signedIn = createUserAgent();
    await signIn(signedIn, `${t.publicUrl}/login?service=${encodeURIComponent('https://moodle.ac-test.fr/')}`, (u) =>
      u.startsWith('https://moodle'),
    );
  });
  afterAll(() => t.close());

  it.each(OPEN_REDIRECT_CORPUS)('/login with a session refuses %s', async (_name, service) => {
    const hop = await signedIn.request(`${t.publicUrl}/login?service=${encodeURIComponent(service)}`);
    expect(hop.location === null || hop.location.startsWith(t.idp.issuer)).toBe(true);
    if (service !== '') expect(hop.status).toBe(400);
  });

  it.each(OPEN_REDIRECT_CORPUS)('/logout refuses %s', async (_name, service) => {
    const hop = await createUserAgent().request(`${t.publicUrl}/logout?service=${encodeURIComponent(service)}`);
    expect(hop.location).toBeNull();
    expect(hop.status).toBe(200);
  });

  it.each(OPEN_REDIRECT_CORPUS)('/logout/done refuses %s carried in state', async (_name, service) => {
    const hop = await createUserAgent().request(
      `${t.publicUrl}/logout/done?state=${Buffer.from(service).toString('base64url')}`,
    );
    expect(hop.location).toBeNull();
  });

  it('/logout ignores url= (CAS 3.0.3) and follows a registered service', async () => {
    expect(
      (await createUserAgent().request(`${t.publicUrl}/logout?url=${encodeURIComponent('https://moodle.ac-test.fr/')}`))
        .location,
    ).toBeNull();
    expect(
      (
        await createUserAgent().request(
          `${t.publicUrl}/logout?service=${encodeURIComponent('https://moodle.ac-test.fr/x')}`,
        )
      ).location,
    ).toBe('https://moodle.ac-test.fr/x');
  });
});
