import en from '../l10n/en.json' with { type: 'json' };
import fr from '../l10n/fr.json' with { type: 'json' };

export type Localized = Readonly<{ fr: string; en: string }>;
export type MessageKey = keyof typeof fr & keyof typeof en;

/** The exporter's own texts (answers of /metrics, settings errors), in French and English, from src/l10n. */
export function t(key: MessageKey, values: Readonly<Record<string, string | number>> = {}): Localized {
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      values[name] === undefined ? whole : String(values[name]),
    );
  return { fr: fill(fr[key]), en: fill(en[key]) };
}

/** A plain-text answer for Prometheus and people alike: French first, then English. */
export const bilingual = (message: Localized) => `${message.fr}\n${message.en}\n`;
