import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  accessibilityViolations,
  launchBrowser,
  type NextcloudPageDouble,
  REPO_ROOT,
  startLaboiteDouble,
  startNextcloudPageDouble,
  tempDir,
  unpackNextcloudApp,
} from '@apps-education/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCREENSHOTS = join(REPO_ROOT, '.ci-results', 'screenshots');

/**
 * The front end the tarball ships (js/ built by `pnpm build`), in Chromium, on pages of a strict Nextcloud double:
 * the settings page and the Files action, by keyboard, with axe-core on every state.
 */
describe('nextcloud-laboite front end in a browser', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let nextcloud: NextcloudPageDouble;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dir = await tempDir('nextcloud-laboite-front-');
    nextcloud = await startNextcloudPageDouble({
      appDir: unpackNextcloudApp('laboite', dir.path),
      users: { admin: 'Admin', alice: 'Alice Martin', bob: 'Bob Durand' },
      portalGroups: [
        { id: 'grpMathsXXXXXXXXX', name: 'Maths 4e B', slug: 'maths-4e-b', members: ['alice'] },
        { id: 'grpArtsXXXXXXXXXX', name: '<img src=x onerror=alert(1)> Arts/../', slug: 'arts', members: ['alice'] },
        { id: 'grpOtherXXXXXXXXX', name: 'Autre', slug: 'autre', members: ['bob'] },
      ],
      files: {
        alice: { 'Cours.pdf': 31, 'Lu seulement.pdf': 1 },
        bob: { 'Notes.txt': 31 },
        admin: { 'Rapport.pdf': 31 },
      },
    });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await nextcloud?.close();
    await dir?.remove();
  });

  async function open(
    uid: string,
    which: 'settings' | 'files' | 'dashboard',
    language: 'fr' | 'en' = 'fr',
  ): Promise<Page> {
    const context = await browser.newContext({ locale: language, viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => errors.push(`a dialog opened: ${d.message()}`));
    await page.goto(nextcloud.pageFor(uid, which, language));
    Object.assign(page, { errors });
    return page;
  }
  const errorsOf = (page: Page) => (page as Page & { errors: string[] }).errors;

  async function check(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `nextcloud-laboite-${name}.png`), fullPage: true });
    expect(await accessibilityViolations(page), name).toEqual([]);
    expect(errorsOf(page), name).toEqual([]);
  }

  describe('the settings page', () => {
    it('shows the settings in French, refuses a bad field before sending anything, then saves by keyboard', async () => {
      const page = await open('admin', 'settings');
      await page.getByRole('heading', { name: 'Portail LaBoite' }).waitFor();
      await check(page, 'settings');
      const sent = () => nextcloud.calls.filter((c) => c.path === '/apps/laboite/api/v1/settings').length;

      await page.getByLabel('Adresse du portail').fill('http://portail.ac-test.fr');
      await page.getByLabel('Adresse du portail').press('Enter');
      await page.getByText("Rien n'a été enregistré : corrigez les champs signalés en rouge.").waitFor();
      await expect(
        page.getByText("Indiquez l'adresse du portail commençant par https://").first().isVisible(),
      ).resolves.toBe(true);
      expect(sent(), 'nothing sent while a field is wrong').toBe(0);
      await check(page, 'settings-refused');

      await page.getByLabel('Adresse du portail').fill('https://portail.ac-test.fr/');
      await page.getByLabel("Clé d'API").fill('cle-du-portail');
      await page.getByLabel('Secret partagé de la synchronisation des groupes').fill('s'.repeat(40));
      await page.getByRole('switch', { name: 'Informer le portail des partages avec un groupe' }).press('Space');
      // Radios by keyboard: from the chosen one, the arrow key chooses the next.
      await page.getByRole('radio', { name: 'archivé : conservé, hors de portée des membres' }).focus();
      await page.keyboard.press('ArrowDown');
      await expect(page.getByRole('radio', { name: 'supprimé avec ses fichiers' }).isChecked()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Enregistrer' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('Réglages enregistrés.').waitFor();
      expect(sent()).toBe(1);
      const body = nextcloud.calls.find((c) => c.path === '/apps/laboite/api/v1/settings')?.body;
      expect(body).toMatchObject({
        portalUrl: 'https://portail.ac-test.fr/',
        apiKey: 'cle-du-portail',
        syncSecret: 's'.repeat(40),
        notifyGroupShares: false,
        removedFolders: 'delete',
        maxGroupRecipients: 200,
      });
      expect(nextcloud.settings).toMatchObject({
        portalUrl: 'https://portail.ac-test.fr',
        apiKeySet: true,
        syncSecretSet: true,
      });
      // The secrets are not kept in the page once saved: the fields empty, saying that they are saved.
      await expect(page.getByLabel("Clé d'API").inputValue()).resolves.toBe('');
      expect(await page.getByText('Enregistré. Laissez vide pour le conserver.').count()).toBe(2);
      await check(page, 'settings-saved');
      await page.context().close();
    });

    it("says what Nextcloud refused, and what the connection test found, in the page's live region", async () => {
      const page = await open('admin', 'settings');
      await page.getByRole('heading', { name: 'Portail LaBoite' }).waitFor();
      // A rule only the server knows here: a space in the key.
      await page.getByLabel("Clé d'API").fill('a key');
      await page.getByRole('button', { name: 'Enregistrer' }).click();
      await page.getByText('The API key is the text the portal gave, without spaces.').waitFor();
      nextcloud.testReport = { ok: false, message: 'Le portail a refusé la clé d’API (HTTP 401).' };
      await page.getByRole('button', { name: 'Tester la connexion' }).click();
      const status = page.locator('[aria-live="polite"]');
      await status.getByText('Le portail a refusé la clé d’API (HTTP 401).').waitFor();
      await check(page, 'settings-test-failed');
      await page.context().close();
    });

    it('is for administrators only: the calls of another account are refused', async () => {
      const page = await open('alice', 'files');
      await page.waitForSelector('body[data-ready="true"]');
      const status = await page.evaluate(async () => {
        const token = document.head.dataset.requesttoken ?? '';
        const response = await fetch('/ocs/v2.php/apps/laboite/api/v1/settings?format=json', {
          method: 'PUT',
          headers: { 'OCS-APIRequest': 'true', requesttoken: token, 'Content-Type': 'application/json' },
          body: '{}',
        });
        return response.status;
      });
      expect(status).toBe(403);
      await page.context().close();
    });
  });

  describe('the Files action "Share with a portal group"', () => {
    it("lists the user's portal groups as text, and shares by keyboard through Nextcloud's sharing API", async () => {
      const page = await open('alice', 'files');
      await page.waitForSelector('body[data-ready="true"]');
      const actions = page.locator('button[data-action="laboite-share-portal-group"]');
      expect(await actions.count(), 'only on the file alice may share').toBe(1);
      await check(page, 'files');
      await actions.first().focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Partager « Cours.pdf » avec un groupe du portail' });
      await dialog.waitFor();
      // Sorted by name; the markup in a name is shown as text, never run (a dialog opening would be recorded).
      await expect(dialog.getByRole('radio').count()).resolves.toBe(2);
      await dialog.getByText('<img src=x onerror=alert(1)> Arts/../').waitFor();
      await check(page, 'files-dialog');
      // The first group is chosen; the arrow key moves to the next, as in any radio group.
      await expect(
        dialog.getByRole('radio', { name: '<img src=x onerror=alert(1)> Arts/../' }).isChecked(),
      ).resolves.toBe(true);
      await dialog.getByRole('radio', { name: '<img src=x onerror=alert(1)> Arts/../' }).focus();
      await page.keyboard.press('ArrowDown');
      await expect(dialog.getByRole('radio', { name: 'Maths 4e B' }).isChecked()).resolves.toBe(true);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe('Partager');
      await page.keyboard.press('Enter');
      await dialog.getByText('« Cours.pdf » est partagé avec Maths 4e B.').waitFor();
      expect(nextcloud.shares).toEqual([
        { owner: 'alice', path: '/Cours.pdf', shareType: 1, shareWith: 'grpMathsXXXXXXXXX' },
      ]);
      await check(page, 'files-shared');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.context().close();
    });

    it('says what Nextcloud refused in the dialog', async () => {
      const page = await open('alice', 'files');
      await page.waitForSelector('body[data-ready="true"]');
      // The file is gone from Nextcloud between the list and the share.
      await page.evaluate(() => {
        const button = document.querySelector<HTMLButtonElement>('button[data-action="laboite-share-portal-group"]');
        const row = button?.closest('tr');
        if (row?.cells[0]) row.cells[0].textContent = 'Disparu.pdf';
      });
      await page.route('**/ocs/v2.php/apps/files_sharing/api/v1/shares**', async (route) => {
        const request = route.request();
        await route.continue({ postData: (request.postData() ?? '').replace('/Cours.pdf', '/Disparu.pdf') });
      });
      await page.locator('button[data-action="laboite-share-portal-group"]').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Partager' }).click();
      await dialog.getByText('Wrong path, file/folder does not exist').waitFor();
      await check(page, 'files-refused');
      await page.context().close();
    });

    it('gives a user in no portal group no action at all; in English, the action says so in English', async () => {
      const admin = await open('admin', 'files', 'en');
      await admin.waitForSelector('body[data-ready="true"]');
      expect(await admin.locator('tbody tr').count()).toBe(1);
      expect(await admin.locator('button[data-action="laboite-share-portal-group"]').count()).toBe(0);
      await admin.context().close();
      const bob = await open('bob', 'files', 'en');
      await bob.waitForSelector('body[data-ready="true"]');
      await bob.getByRole('button', { name: 'Share with a portal group : Notes.txt' }).waitFor();
      await check(bob, 'files-en');
      await bob.context().close();
    });
  });

  describe('the dashboard widget', () => {
    it("shows the portal's own unread-notifications widget and a link to the portal", async () => {
      const portal = await startLaboiteDouble({ apiKeys: ['k'] });
      try {
        portal.signedIn = 'alice';
        nextcloud.settings = { ...nextcloud.settings, portalUrl: portal.url };
        const page = await open('alice', 'dashboard');
        await page.waitForSelector('body[data-ready="true"]');
        const panel = page.getByRole('region', { name: 'Portail LaBoite' });
        const frame = panel.frameLocator('iframe[title="Vos notifications non lues dans le portail"]');
        await frame.getByText('notification(s) non lue(s)').waitFor();
        expect(await frame.locator('#unread').textContent()).toBe('0');
        const link = panel.getByRole('link', { name: 'Ouvrir le portail' });
        expect(await link.getAttribute('href')).toBe(portal.url);
        expect(await link.getAttribute('rel')).toContain('noopener');
        await check(page, 'dashboard');
        await page.context().close();
      } finally {
        await portal.close();
      }
    });

    it('says the portal is not connected yet when no address is set', async () => {
      nextcloud.settings = { ...nextcloud.settings, portalUrl: '' };
      const page = await open('bob', 'dashboard', 'en');
      await page.waitForSelector('body[data-ready="true"]');
      await page.getByText('The portal is not connected yet').waitFor();
      expect(await page.locator('iframe').count()).toBe(0);
      await check(page, 'dashboard-empty');
      await page.context().close();
    });
  });
});
