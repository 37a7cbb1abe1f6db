<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCA\LaBoite\AppInfo\Application;
use OCP\IAppConfig;
use OCP\Share\IShare;

/** The administrator's settings of the app (Administration settings > LaBoite), read with their defaults. */
final class Settings {
	public const MAX_GROUP_RECIPIENTS_DEFAULT = 200;

	public function __construct(
		private IAppConfig $config,
	) {
	}

	/**
	 * Whether a share of this type notifies the portal: user and group shares, each can be turned off. Team shares
	 * (type 7) do not yet: their members come from the Circles app, not read by this version.
	 */
	public function notifies(int $shareType): bool {
		$key = match ($shareType) {
			IShare::TYPE_USER => 'notify_user_shares',
			IShare::TYPE_GROUP => 'notify_group_shares',
			default => null,
		};
		return $key !== null && $this->config->getValueBool(Application::APP_ID, $key, true);
	}

	/** Service accounts (the portal's own, a scanner...) whose shares notify nobody and who are never notified. */
	public function isExcluded(string $uid): bool {
		return in_array($uid, $this->excludedAccounts(), true);
	}

	/** @return list<string> */
	public function excludedAccounts(): array {
		$raw = $this->config->getValueString(Application::APP_ID, 'excluded_accounts', '');
		return array_values(array_filter(array_map('trim', preg_split('/[\s,]+/', $raw) ?: []), fn ($uid) => $uid !== ''));
	}

	/** A group share to more members than this notifies nobody, and says so in one log line. */
	public function maxGroupRecipients(): int {
		$value = $this->config->getValueInt(Application::APP_ID, 'max_group_recipients', self::MAX_GROUP_RECIPIENTS_DEFAULT);
		return $value > 0 ? $value : self::MAX_GROUP_RECIPIENTS_DEFAULT;
	}

	/** The language of the portal's notifications (LaBoite stores one text): `fr` unless set to `en`. */
	public function portalLanguage(): string {
		return $this->config->getValueString(Application::APP_ID, 'portal_language', 'fr') === 'en' ? 'en' : 'fr';
	}

	/** Whether each portal group gets a shared folder (Group folders app): yes unless turned off. */
	public function groupFolders(): bool {
		return $this->config->getValueBool(Application::APP_ID, 'group_folders', true);
	}

	/** Whether plain members may share from their group's folder (admins and animators always may): no by default. */
	public function membersCanShare(): bool {
		return $this->config->getValueBool(Application::APP_ID, 'members_can_share', false);
	}

	/** What becomes of a removed portal group's folder: `archive` (the default: kept, out of reach) or `delete`. */
	public function removedFolders(): string {
		return $this->config->getValueString(Application::APP_ID, 'removed_folders', 'archive') === 'delete' ? 'delete' : 'archive';
	}
}
