import type { Locale } from '@apps-education/i18n';

/** The pages' language: English when the browser's first choice is English, French otherwise. */
export function localeOf(acceptLanguage: string | undefined): Locale {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'fr';
}
