import { createTranslator } from '@apps-education/i18n';
import en from '../l10n/en.json' with { type: 'json' };
import fr from '../l10n/fr.json' with { type: 'json' };

export type { Locale, Localized } from '@apps-education/i18n';
export type MessageKey = keyof typeof fr & keyof typeof en;

export const translate = createTranslator<MessageKey>({ fr, en });
