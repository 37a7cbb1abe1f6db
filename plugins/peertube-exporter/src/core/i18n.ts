import { createTranslator, type Localized } from '@apps-education/i18n';
import en from '../l10n/en.json' with { type: 'json' };
import fr from '../l10n/fr.json' with { type: 'json' };

export type { Localized } from '@apps-education/i18n';
export type MessageKey = keyof typeof fr & keyof typeof en;

/** The exporter's own texts (answers of /metrics, settings errors), in French and English, from src/l10n. */
export const t = createTranslator<MessageKey>({ fr, en });

/** A plain-text answer for Prometheus and people alike: French first, then English. */
export const bilingual = (message: Localized) => `${message.fr}\n${message.en}\n`;
