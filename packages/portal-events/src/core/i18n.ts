import en from '../l10n/en.json' with { type: 'json' };
import fr from '../l10n/fr.json' with { type: 'json' };

/** The two languages every user- and administrator-facing text exists in. */
export type Locale = 'fr' | 'en';
export type Localized = Readonly<Record<Locale, string>>;
export type MessageKey = keyof typeof fr & keyof typeof en;

const catalogs: Record<Locale, Record<MessageKey, string>> = { fr, en };

/** Fills `{name}` placeholders; a placeholder without a value stays visible so a missing value is noticed. */
export function format(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

export function translate(key: MessageKey, values: Readonly<Record<string, string | number>> = {}): Localized {
  return { fr: format(catalogs.fr[key], values), en: format(catalogs.en[key], values) };
}
