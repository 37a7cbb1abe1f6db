/** The two languages every user- and administrator-facing text exists in. */
export type Locale = 'fr' | 'en';
export type Localized = Readonly<Record<Locale, string>>;
export type Values = Readonly<Record<string, string | number>>;

/** Fills `{name}` placeholders; a placeholder without a value stays visible so a missing value is noticed. */
export function format(template: string, values: Values): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * A package's translator over its own catalogs (src/l10n/fr.json and en.json, imported as JSON): the key type is
 * what both catalogs hold, so a text missing in one language fails the typecheck.
 */
export function createTranslator<Key extends string>(catalogs: {
  readonly fr: Readonly<Record<Key, string>>;
  readonly en: Readonly<Record<Key, string>>;
}): (key: Key, values?: Values) => Localized {
  return (key, values = {}) => ({ fr: format(catalogs.fr[key], values), en: format(catalogs.en[key], values) });
}

/** A text put into HTML (element content or a quoted attribute): the five characters HTML gives a meaning to. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
