import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accessibilityViolations,
  focusedElement,
  launchBrowser,
  REPO_ROOT,
  waitForFocus,
} from '@apps-education/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest } from './service.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const TEXT = Buffer.from('Consignes : lire le chapitre 3.\n');
const SCREENSHOTS = join(REPO_ROOT, '.ci-results', 'screenshots');

/** The teacher's path in Chromium, by keyboard where a person would use it; axe-core on every page. */
describe('bbb-upload pages in a browser', () => {
  let service: ServiceUnderTest;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const pagesChecked: string[] = [];

  beforeAll(async () => {
    service = await startServiceUnderTest();
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    if (process.env.BBB_UPLOAD_TEST_LOG) console.log(service?.process.output());
    await browser?.[Symbol.asyncDispose]();
    await service?.close();
  });

  async function newPage(locale = 'fr-FR') {
    const context = await browser.newContext({
      locale,
      extraHTTPHeaders: { 'accept-language': locale },
      // The service's certificate comes from the test CA, which Chromium does not know.
      ignoreHTTPSErrors: true,
      viewport: { width: 390, height: 844 },
    });
    const page = await context.newPage();
    if (process.env.BBB_UPLOAD_TEST_LOG) {
      page.on('console', (m) => console.log('console:', m.text()));
      page.on('response', (r) => console.log('response:', r.status(), r.request().method(), r.url().slice(0, 120)));
    }
    return page;
  }

  async function check(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `bbb-upload-${name}.png`), fullPage: true });
    expect(await accessibilityViolations(page), name).toEqual([]);
    pagesChecked.push(name);
  }

  async function signIn(page: Page, username: string, password = username) {
    await page.goto(`${service.url}/`);
    await check(page, 'home');
    await page.getByRole('link', { name: 'Se connecter' }).focus();
    await page.keyboard.press('Enter');
    await waitForFocus(page, 'username');
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${service.url}/rooms`);
  }

  it('signs in, creates a room, uploads two documents with their progress, chooses the first and starts', async () => {
    const page = await newPage();
    await signIn(page, 'alice');
    await check(page, 'rooms-empty');
    // The room form by keyboard: the field, then Enter.
    await page.getByLabel('Nom de la salle').focus();
    await page.keyboard.type('Français 6e C');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
    const roomUrl = page.url();
    await check(page, 'room-empty');
    await page.setInputFiles('#files', [
      { name: 'lecture.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'consignes.txt', mimeType: 'text/plain', buffer: TEXT },
    ]);
    await page.getByRole('button', { name: 'Envoyer les fichiers choisis' }).focus();
    await page.keyboard.press('Enter');
    // Each file has its progress bar, labelled with its name, and ends "ajouté"; then the page shows them.
    await expect.poll(() => page.locator('#upload-list progress').count()).toBe(2);
    await page.waitForURL(roomUrl);
    await page.waitForSelector('table >> text=consignes.txt');
    await check(page, 'room-documents');
    await page.getByRole('button', { name: 'Afficher consignes.txt en premier' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('text=consignes.txt >> xpath=.. >> .fr-badge');
    await page.getByRole('button', { name: 'Démarrer la visio' }).focus();
    const [joined] = await Promise.all([page.waitForRequest(/\/api\/join\?/), page.keyboard.press('Enter')]);
    expect(new URL(joined.url()).searchParams.get('role')).toBe('MODERATOR');
    const meeting = [...service.bbb.meetings.values()][0];
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(meeting?.documents.map((d) => [d.filename, d.reads[0]])).toEqual([
      ['consignes.txt', { size: TEXT.length, sha256: sha(TEXT) }],
      ['lecture.pdf', { size: PDF.length, sha256: sha(PDF) }],
    ]);
    // The guest page, in English.
    await page.goto(roomUrl);
    const invite = await page.locator('#invite').inputValue();
    const guest = await newPage('en-GB');
    await guest.goto(invite);
    await check(guest, 'guest');
    expect(await guest.getByLabel('Your name').count()).toBe(1);
  });

  it('opens a group visio from the portal link, and refuses an outsider with a page that says why', async () => {
    const member = await newPage();
    await signIn(member, 'bob');
    const link = `${service.url}/groups/AbCdEf123456789xy?name=${encodeURIComponent('Maths 4e B')}`;
    const [joined] = await Promise.all([member.waitForRequest(/\/api\/join\?/), member.goto(link).catch(() => null)]);
    expect(new URL(joined.url()).searchParams.get('role')).toBe('VIEWER');
    const outsider = await newPage();
    await signIn(outsider, 'Chloe.Lefevre', 'chloe');
    const response = await outsider.goto(link);
    expect(response?.status()).toBe(403);
    expect(await outsider.textContent('main')).toContain('Maths 4e B');
    await check(outsider, 'group-refused');
    // The first Tab reaches the skip link, which leads to the content.
    await outsider.keyboard.press('Tab');
    expect((await focusedElement(outsider)).text).toBe('Aller au contenu');
  });

  it('checked every page it rendered', () => {
    expect(pagesChecked).toEqual(
      expect.arrayContaining(['home', 'rooms-empty', 'room-empty', 'room-documents', 'guest', 'group-refused']),
    );
    writeFileSync(join(SCREENSHOTS, 'bbb-upload-pages.txt'), `${pagesChecked.join('\n')}\n`);
  });
});
