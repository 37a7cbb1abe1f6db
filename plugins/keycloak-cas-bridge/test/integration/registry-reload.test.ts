import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { waitFor } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

const FIRST = `
services:
  - { id: app, name: App, match: { prefix: "https://app.ac-test.fr/" } }
  - { id: front, name: Front-channel app, match: { prefix: "https://front.ac-test.fr/" }, logout: { type: front-channel, url: "https://front.ac-test.fr/cas-logout" } }
`;
const SECOND = `${FIRST}  - { id: added, name: Added later, match: { prefix: "https://added.ac-test.fr/" } }\n`;

describe('service registry reload and front-channel logout', () => {
  let t: BridgeUnderTest;
  const logs: string[] = [];
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));
    t = await startBridgeUnderTest({ registry: FIRST, logStream });
  });
  afterAll(() => t.close());

  const status = async (service: string) =>
    (await createUserAgent().request(`${t.publicUrl}/login?service=${encodeURIComponent(service)}`)).status;

  it('picks up a new service when the file changes, without a restart', async () => {
    expect(await status('https://added.ac-test.fr/')).toBe(400);
    writeFileSync(t.registryPath, SECOND);
    await waitFor(async () => (await status('https://added.ac-test.fr/')) === 302, 'the added service is known');
  });

  it('keeps the last good registry when an edit is broken', async () => {
    writeFileSync(t.registryPath, 'services:\n  - { id: BROKEN ID, name: x }\n');
    // The watcher saw the edit and refused it (an event, not a delay that would pass without any reload at all) ...
    await waitFor(
      () => logs.some((line) => line.includes('service registry NOT reloaded') && line.includes('services.0.id')),
      () => `the broken edit is refused in the log:\n${logs.join('\n')}`,
    );
    // ... and the services of the last good registry still sign in.
    expect(await status('https://app.ac-test.fr/')).toBe(302);
    expect(await status('https://added.ac-test.fr/')).toBe(302);
  });

  it("front-channel logout: the signed-out page loads the service's logout URL with a deflated LogoutRequest", async () => {
    writeFileSync(t.registryPath, SECOND);
    const agent = createUserAgent();
    const { location } = await signIn(
      agent,
      `${t.publicUrl}/login?service=${encodeURIComponent('https://front.ac-test.fr/x')}`,
      (u) => u.startsWith('https://front'),
    );
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const page = await agent.request(`${t.publicUrl}/logout`);
    expect(page.status).toBe(200);
    const src = /<iframe src="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const frame = new URL(src);
    expect(frame.origin + frame.pathname).toBe('https://front.ac-test.fr/cas-logout');
    const request = inflateRawSync(Buffer.from(frame.searchParams.get('logoutRequest') ?? '', 'base64')).toString();
    expect(request).toContain(`<samlp:SessionIndex>${ticket}</samlp:SessionIndex>`);
    // Then a button goes on to the IdP's logout.
    expect(page.body).toMatch(/<a class="fr-btn" href="[^"]*\/protocol\/openid-connect\/logout\?/);
  });
});
