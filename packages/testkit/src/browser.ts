import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { requireCommand } from './system-peer.js';

/**
 * Debian's Chromium driven by playwright-core (Playwright cannot download its own browsers here), with a fresh
 * profile each launch (Playwright's default). The flags keep it from reaching for Google's hosts, which this
 * machine's closed network refuses.
 */
export async function launchBrowser(): Promise<Browser & { [Symbol.asyncDispose](): Promise<void> }> {
  const executablePath = requireCommand(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', 'chromium');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

export interface AccessibilityViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core on the page with the WCAG 2.1 A and AA rules (RGAA follows WCAG 2.1 AA) and returns the violations,
 * short enough to print in a failing assertion.
 */
export async function accessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

/** The element that has the keyboard focus: its id and text (for keyboard-only tests). */
export function focusedElement(page: Page): Promise<{ id: string; text: string }> {
  return page.evaluate<{ id: string; text: string }>(
    "({ id: document.activeElement ? document.activeElement.id : '', text: document.activeElement ? (document.activeElement.textContent || '').trim() : '' })",
  );
}

/** Waits until the element with this id has the keyboard focus. */
export async function waitForFocus(page: Page, id: string): Promise<void> {
  await page.waitForFunction(`document.activeElement && document.activeElement.id === ${JSON.stringify(id)}`);
}
