// SPDX-License-Identifier: AGPL-3.0-or-later
import { ocs } from './ocs.js';

/** A synced portal group of the signed-in user, as GET /apps/laboite/api/v1/my-groups gives it. */
export interface PortalGroup {
  id: string;
  name: string;
  slug: string;
}

/** The administrator's settings as the settings page shows them: the two secrets are never sent back. */
export interface AdminSettings {
  portalUrl: string;
  apiKeySet: boolean;
  syncSecretSet: boolean;
  notifyUserShares: boolean;
  notifyGroupShares: boolean;
  notifyTeamShares: boolean;
  excludedAccounts: string;
  maxGroupRecipients: number;
  portalLanguage: 'fr' | 'en';
  groupFolders: boolean;
  membersCanShare: boolean;
  removedFolders: 'archive' | 'delete';
}

/** What the page sends: empty secrets keep the stored ones. */
export type SettingsUpdate = Omit<AdminSettings, 'apiKeySet' | 'syncSecretSet'> & {
  apiKey: string;
  syncSecret: string;
};

export interface ConnectionReport {
  ok: boolean;
  message: string;
}

/** Shares a file or folder with a Nextcloud group through Nextcloud's own sharing API (shareType 1). */
export async function shareWithGroup(path: string, groupId: string): Promise<void> {
  await ocs('POST', '/apps/files_sharing/api/v1/shares', { path, shareType: 1, shareWith: groupId });
}

export async function saveSettings(update: SettingsUpdate): Promise<AdminSettings> {
  return (await ocs('PUT', '/apps/laboite/api/v1/settings', update)) as AdminSettings;
}

export async function testConnection(): Promise<ConnectionReport> {
  return (await ocs('POST', '/apps/laboite/api/v1/settings/test')) as ConnectionReport;
}
