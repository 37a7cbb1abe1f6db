// SPDX-License-Identifier: AGPL-3.0-or-later
import { translate as t } from '@nextcloud/l10n';
import type { AdminSettings, SettingsUpdate } from './api.js';

export type Field = keyof SettingsUpdate;

/** The form's starting values: the saved settings, the two secrets empty (empty keeps the saved one). */
export function formFrom(settings: AdminSettings): SettingsUpdate {
  const { apiKeySet: _a, syncSecretSet: _s, ...rest } = settings;
  return { ...rest, apiKey: '', syncSecret: '' };
}

/**
 * What is wrong with the form before it is sent, by field, in the user's language: the same rules as the server's
 * (lib/Service/SettingsUpdate.php), so that the message comes before the round trip; the server checks again.
 */
export function formProblems(form: SettingsUpdate, saved: AdminSettings): Partial<Record<Field, string>> {
  const problems: Partial<Record<Field, string>> = {};
  let url: URL | null = null;
  try {
    url = new URL(form.portalUrl);
  } catch {
    url = null;
  }
  if (form.portalUrl !== '' && (url === null || url.protocol !== 'https:' || url.search !== '' || url.hash !== '')) {
    problems.portalUrl = t(
      'laboite',
      'Give the portal address starting with https://, for example https://portail.ac-exemple.fr',
    );
  }
  if (form.apiKey === '' && !saved.apiKeySet && form.portalUrl !== '') {
    problems.apiKey = t('laboite', 'Give the API key made in the portal (LaBoite settings, API keys).');
  }
  if (form.syncSecret !== '' && form.syncSecret.length < 32) {
    problems.syncSecret = t('laboite', 'The shared secret needs 32 characters at least: use the one the portal shows.');
  }
  if (!Number.isInteger(form.maxGroupRecipients) || form.maxGroupRecipients < 1 || form.maxGroupRecipients > 100000) {
    problems.maxGroupRecipients = t('laboite', 'Give a whole number from 1 to 100000.');
  }
  return problems;
}
