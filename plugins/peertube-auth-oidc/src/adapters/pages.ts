import { refusalPage as page } from '@apps-education/peertube-accounts';
import { type Localized, t } from '../core/i18n.js';

/** Why a sign-in did not complete, in the visitor's language, with a way back to PeerTube's login page. */
export const refusalPage = (
  acceptLanguage: string | undefined,
  title: Localized,
  message: Localized,
  loginUrl: string,
) => page(acceptLanguage, { title, message, back: t('page.back') }, loginUrl);
