import { spawnSync } from 'node:child_process';
import {
  accessibilityViolations,
  focusedElement,
  launchBrowser,
  requireCommand,
  waitForFocus,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, startBridgeUnderTest } from './bridge.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = `
services:
  - { id: app, name: Application de test, match: { prefix: "${APP}" } }
  - { id: staff, name: Espace des personnels, match: { prefix: "https://staff.ac-test.fr/" }, access: { groups: ["admin_*"] } }
`;

/** Every page the bridge renders passes axe-core (WCAG 2.1 AA) and works with the keyboard, in Chromium. */
describe('bridge pages in a browser', () => {
  let t: BridgeUnderTest;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    t = await startBridgeUnderTest({ registry: REGISTRY });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await t?.close();
  });

  async function page(locale = 'fr-FR') {
    const context = await browser.newContext({ locale, extraHTTPHeaders: { 'accept-language': locale } });
    const p = await context.newPage();
    await p.route(`${APP}**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><html lang="fr"><title>app</title></html>',
      }),
    );
    await p.route('https://staff.ac-test.fr/**', (route) => route.fulfill({ status: 200, body: 'staff' }));
    return p;
  }

  async function signInWithKeyboard(p: Awaited<ReturnType<typeof page>>, url: string, username: string) {
    await p.goto(url);
    // The IdP's form puts the focus in the username field itself (autofocus); wait for it before typing.
    await waitForFocus(p, 'username');
    await p.keyboard.type(username);
    await p.keyboard.press('Tab');
    await p.keyboard.type(username);
    await p.keyboard.press('Enter');
    // The IdP redirects back to the bridge's callback, which answers with a page or a redirect to the service.
    await p.waitForURL(
      (u) => u.pathname === '/cas/oidc/callback' || u.href.startsWith(APP) || u.hostname === 'staff.ac-test.fr',
    );
    await p.waitForLoadState();
  }

  it('serves the DSFR stylesheet the pages use', async () => {
    const css = await fetch(`${t.publicUrl}/static/dsfr/dsfr.min.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('signed-in page (no service), in French, then signing out with the keyboard', async () => {
    const p = await page();
    await signInWithKeyboard(p, `${t.publicUrl}/login`, 'alice');
    expect(await p.locator('h1').textContent()).toBe('Vous êtes connecté');
    expect(await accessibilityViolations(p)).toEqual([]);
    // Tab from the top: the skip link first, then the sign-out button.
    await p.keyboard.press('Tab');
    expect((await focusedElement(p)).text).toBe('Aller au contenu');
    await p.keyboard.press('Tab');
    expect((await focusedElement(p)).text).toBe('Se déconnecter');
    await Promise.all([p.waitForURL((u) => u.pathname.endsWith('/logout')), p.keyboard.press('Enter')]);
    await p.waitForLoadState();
    expect(await accessibilityViolations(p)).toEqual([]);
  });

  it('unknown service page, in English', async () => {
    const p = await page('en-GB');
    const response = await p.goto(`${t.publicUrl}/login?service=${encodeURIComponent('https://evil.fr/')}`);
    expect(response?.status()).toBe(400);
    expect(await p.locator('h1').textContent()).toBe('Application not allowed');
    expect(await accessibilityViolations(p)).toEqual([]);
  });

  it('access denied page', async () => {
    const p = await page();
    await signInWithKeyboard(
      p,
      `${t.publicUrl}/login?service=${encodeURIComponent('https://staff.ac-test.fr/')}`,
      'bob',
    );
    expect(await p.locator('h1').textContent()).toBe('Accès refusé');
    expect(await accessibilityViolations(p)).toEqual([]);
  });

  it('expired login error page', async () => {
    const p = await page();
    await p.goto(`${t.publicUrl}/oidc/callback?state=nope&code=x`);
    expect(await p.locator('h1').textContent()).toBe("La connexion n'a pas abouti");
    expect(await accessibilityViolations(p)).toEqual([]);
  });

  it('warn page, continued with the keyboard', async () => {
    const p = await page();
    await signInWithKeyboard(p, `${t.publicUrl}/login`, 'alice');
    await p.goto(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&warn=true`);
    expect(await accessibilityViolations(p)).toEqual([]);
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab');
    expect((await focusedElement(p)).text).toBe("Continuer vers l'application");
    await p.keyboard.press('Enter');
    await p.waitForURL(/app\.ac-test\.fr\/\?ticket=ST-/);
  });

  it('method=POST page: accessible, and the form reaches the service by itself', async () => {
    const p = await page();
    await signInWithKeyboard(p, `${t.publicUrl}/login`, 'alice');
    let posted = '';
    await p.route(APP, async (route) => {
      posted = route.request().postData() ?? '';
      await route.fulfill({ status: 200, body: 'ok' });
    });
    await p.goto(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&method=POST`);
    await p.waitForURL(APP);
    expect(posted).toMatch(/^ticket=ST-/);
  });

  it('/metrics passes promtool check metrics', async () => {
    const promtool = requireCommand('promtool', 'prometheus');
    const exposition = await (await fetch(`${t.monitoringUrl}/metrics`)).text();
    const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});
