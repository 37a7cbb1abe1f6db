import { escapeHtml, type Localized } from '@apps-education/i18n';

/**
 * The sign-in plugins' only page: why a sign-in did not complete, in the visitor's language (Accept-Language), with a
 * way back to PeerTube's login page. PeerTube serves it from the plugin's router, so it stays plain accessible HTML.
 */
export function refusalPage(
  acceptLanguage: string | undefined,
  page: { readonly title: Localized; readonly message: Localized; readonly back: Localized },
  loginUrl: string,
): string {
  const locale = (acceptLanguage ?? '').toLowerCase().startsWith('en') ? 'en' : 'fr';
  const title = escapeHtml(page.title[locale]);
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body><main><h1>${title}</h1><p>${escapeHtml(page.message[locale])}</p><p><a href="${escapeHtml(loginUrl)}">${escapeHtml(page.back[locale])}</a></p></main></body></html>`;
}
