<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCA\LaBoite\AppInfo\Application;
use OCP\IAppConfig;
use OCP\IL10N;
use OCP\Share\IShare;

/** The administrator's settings of the app (Administration settings > LaBoite), read with their defaults. */
final class Settings {
	public const MAX_GROUP_RECIPIENTS_DEFAULT = 200;

	public function __construct(
		private IAppConfig $config,
	) {
	}

	/** Whether a share of this type notifies the portal: user, group and team shares, each can be turned off. */
	public function notifies(int $shareType): bool {
		$key = match ($shareType) {
			IShare::TYPE_USER => 'notify_user_shares',
			IShare::TYPE_GROUP => 'notify_group_shares',
			IShare::TYPE_CIRCLE => 'notify_team_shares',
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

	/** The portal's address as saved (no trailing slash), or '' when not set. */
	public function portalUrl(): string {
		return rtrim(trim($this->config->getValueString(Application::APP_ID, 'portal_url', '')), '/');
	}

	/** The portal's API key (one of its `private.apiKeys`), or '' when not set. */
	public function apiKey(): string {
		return trim($this->config->getValueString(Application::APP_ID, 'api_key', ''));
	}

	/** `https://host[:port]` of the portal (what a Content-Security-Policy names), or null when no address is set. */
	public function portalOrigin(): ?string {
		$parts = parse_url($this->portalUrl());
		if ($parts === false || !isset($parts['scheme'], $parts['host']) || !in_array($parts['scheme'], ['https', 'http'], true)) {
			return null;
		}
		return $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '');
	}

	/** The settings page's view of the settings: the two secrets only as set or not. */
	public function forAdmin(): array {
		return [
			'portalUrl' => $this->config->getValueString(Application::APP_ID, 'portal_url', ''),
			'apiKeySet' => $this->config->getValueString(Application::APP_ID, 'api_key', '') !== '',
			'syncSecretSet' => $this->config->getValueString(Application::APP_ID, 'sync_secret', '') !== '',
			'notifyUserShares' => $this->notifies(IShare::TYPE_USER),
			'notifyGroupShares' => $this->notifies(IShare::TYPE_GROUP),
			'notifyTeamShares' => $this->notifies(IShare::TYPE_CIRCLE),
			'excludedAccounts' => implode(', ', $this->excludedAccounts()),
			'maxGroupRecipients' => $this->maxGroupRecipients(),
			'portalLanguage' => $this->portalLanguage(),
			'groupFolders' => $this->groupFolders(),
			'membersCanShare' => $this->membersCanShare(),
			'removedFolders' => $this->removedFolders(),
		];
	}

	/**
	 * The settings page's save: every field checked before anything is written, so that a refused save changes
	 * nothing. Empty secrets keep the stored ones. Each value is written with the type it is read with (Nextcloud's
	 * typed app config refuses to read a boolean stored as a string).
	 * @param array<string, mixed> $input
	 * @throws InvalidSettingsException naming the field, in the administrator's language
	 */
	public function update(array $input, IL10N $l): void {
		$url = $input['portalUrl'] ?? null;
		$parts = is_string($url) ? parse_url($url) : false;
		if (!is_string($url) || ($url !== '' && ($parts === false || ($parts['scheme'] ?? '') !== 'https' || ($parts['host'] ?? '') === ''
			|| isset($parts['query']) || isset($parts['fragment']) || isset($parts['user'])))) {
			throw new InvalidSettingsException('portalUrl', $l->t('Give the portal address starting with https://, for example https://portail.ac-exemple.fr'));
		}
		$apiKey = $input['apiKey'] ?? '';
		if (!is_string($apiKey) || strlen($apiKey) > 512 || preg_match('/[\x00-\x20\x7f]/', $apiKey) === 1) {
			throw new InvalidSettingsException('apiKey', $l->t('The API key is the text the portal gave, without spaces.'));
		}
		$secret = $input['syncSecret'] ?? '';
		if (!is_string($secret) || ($secret !== '' && (strlen($secret) < 32 || strlen($secret) > 512))) {
			throw new InvalidSettingsException('syncSecret', $l->t('The shared secret needs 32 characters at least: use the one the portal shows.'));
		}
		$bools = ['notifyUserShares' => 'notify_user_shares', 'notifyGroupShares' => 'notify_group_shares', 'notifyTeamShares' => 'notify_team_shares', 'groupFolders' => 'group_folders', 'membersCanShare' => 'members_can_share'];
		foreach (array_keys($bools) as $field) {
			if (!is_bool($input[$field] ?? null)) {
				throw new InvalidSettingsException($field, $l->t('Choose on or off.'));
			}
		}
		$excluded = $input['excludedAccounts'] ?? null;
		if (!is_string($excluded) || strlen($excluded) > 10000) {
			throw new InvalidSettingsException('excludedAccounts', $l->t('List the accounts separated by commas.'));
		}
		$max = $input['maxGroupRecipients'] ?? null;
		if (!is_int($max) || $max < 1 || $max > 100000) {
			throw new InvalidSettingsException('maxGroupRecipients', $l->t('Give a whole number from 1 to 100000.'));
		}
		$language = $input['portalLanguage'] ?? null;
		$removed = $input['removedFolders'] ?? null;
		if (!in_array($language, ['fr', 'en'], true)) {
			throw new InvalidSettingsException('portalLanguage', $l->t('Choose French or English.'));
		}
		if (!in_array($removed, ['archive', 'delete'], true)) {
			throw new InvalidSettingsException('removedFolders', $l->t('Choose to archive or to delete.'));
		}
		$app = Application::APP_ID;
		$this->config->setValueString($app, 'portal_url', rtrim($url, '/'));
		if ($apiKey !== '') {
			$this->config->setValueString($app, 'api_key', $apiKey, sensitive: true);
		}
		if ($secret !== '') {
			$this->config->setValueString($app, 'sync_secret', $secret, sensitive: true);
		}
		foreach ($bools as $field => $key) {
			$this->config->setValueBool($app, $key, $input[$field]);
		}
		$this->config->setValueString($app, 'excluded_accounts', $excluded);
		$this->config->setValueInt($app, 'max_group_recipients', $max);
		$this->config->setValueString($app, 'portal_language', $language);
		$this->config->setValueString($app, 'removed_folders', $removed);
	}
}
