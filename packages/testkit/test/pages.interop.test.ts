import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  type LaboiteDouble,
  launchBrowser,
  type OidcProviderHandle,
  startLaboiteDouble,
  startOidcProvider,
} from '../src/index.js';

describe('pages the sandbox shows a person', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let idp: OidcProviderHandle;
  let portal: LaboiteDouble;
  // A real client's callback, so the browser follows the OP's redirect to it.
  let client: Server;
  let REDIRECT = '';
  const landed: string[] = [];
  beforeAll(async () => {
    client = createServer((req, res) => {
      landed.push(req.url ?? '');
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><html lang="fr"><title>ok</title></html>');
    });
    await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve));
    const address = client.address();
    REDIRECT = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/callback`;
    browser = await launchBrowser();
    idp = await startOidcProvider({
      loginHint: false,
      clients: [{ client_id: 'app', client_secret: 's', redirect_uris: [REDIRECT] }],
    });
    portal = await startLaboiteDouble({ apiKeys: ['k'] });
  });
  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await idp?.close();
    await portal?.close();
    client?.close();
  });

  const authorizeUrl = () => {
    const url = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    url.search = new URLSearchParams({
      client_id: 'app',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      state: 'st',
    }).toString();
    return url.href;
  };

  it('the login form passes axe (WCAG 2.1 AA) and signs in with the keyboard alone', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(authorizeUrl());
    expect(await accessibilityViolations(page)).toEqual([]);
    // Focus starts in the username field (autofocus); Tab moves to the password, Enter submits.
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type('alice');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${REDIRECT}**`);
    // Chromium may also ask the callback server for /favicon.ico: look for the callback itself.
    expect(landed.find((u) => u.startsWith('/callback'))).toMatch(/^\/callback\?code=[^&]+&state=st/);
    await page.close();
  });

  it('a wrong password is announced (role=alert) and the page stays accessible', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(authorizeUrl());
    await page.getByLabel('Identifiant / Username').fill('alice');
    await page.getByLabel('Mot de passe / Password').fill('wrong');
    await page.getByRole('button', { name: 'Se connecter / Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/Wrong username or password/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  });

  it("the LaBoite double's list of received notifications passes axe", async () => {
    await fetch(`${portal.url}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({
        userId: '',
        username: 'alice',
        title: 'Titre',
        content: 'Contenu',
        type: 'info',
        link: 'https://example.fr/x',
      }),
    });
    const page = await (await browser.newContext()).newPage();
    await page.goto(portal.url);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();
  });
});
