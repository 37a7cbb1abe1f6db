import { escapeHtml } from '@apps-education/i18n';
import { type Localized, t } from '../core/i18n.js';

/**
 * The plugin's only page: why a sign-in did not complete, in the visitor's language (Accept-Language), with a way
 * back to PeerTube's login page. PeerTube serves it from the plugin's router, so it stays plain accessible HTML.
 */
export function refusalPage(
  acceptLanguage: string | undefined,
  title: Localized,
  message: Localized,
  loginUrl: string,
): string {
  const locale = (acceptLanguage ?? '').toLowerCase().startsWith('en') ? 'en' : 'fr';
  const back = t('page.back')[locale];
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title[locale])}</title></head><body><main><h1>${escapeHtml(title[locale])}</h1><p>${escapeHtml(message[locale])}</p><p><a href="${escapeHtml(loginUrl)}">${back}</a></p></main></body></html>`;
}
