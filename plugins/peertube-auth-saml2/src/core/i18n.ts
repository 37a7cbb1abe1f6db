import { createTranslator } from '@apps-education/i18n';
import en from '../l10n/en.json' with { type: 'json' };
import fr from '../l10n/fr.json' with { type: 'json' };

export type { Localized } from '@apps-education/i18n';
export type MessageKey = keyof typeof fr & keyof typeof en;

/** The plugin's own texts (pages, settings errors), in French and English, from src/l10n. */
export const t = createTranslator<MessageKey>({ fr, en });
