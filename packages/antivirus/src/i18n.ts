import { createTranslator } from '@apps-education/i18n';
import en from './l10n/en.json' with { type: 'json' };
import fr from './l10n/fr.json' with { type: 'json' };

export type { Localized } from '@apps-education/i18n';
export type MessageKey = keyof typeof fr & keyof typeof en;

/** Why a document was refused by the antivirus, or could not be scanned, in French and English. */
export const t = createTranslator<MessageKey>({ fr, en });
