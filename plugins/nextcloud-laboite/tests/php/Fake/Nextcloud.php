<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\AppFramework\Utility\ITimeFactory;
use OCP\IL10N;
use OCP\IURLGenerator;
use OCP\L10N\IFactory;
use OCP\Share\Exceptions\ShareNotFound;
use OCP\Share\IManager;
use OCP\Share\IShare;

/**
 * The rest of what the job is given: a clock, the shares by full id, the server's address, and the app's
 * translations read from its l10n/<lang>.json as Nextcloud's L10N does (translate, then fill `%1$s` with vsprintf).
 */
final class Nextcloud implements ITimeFactory, IManager, IURLGenerator, IFactory {
	/** @var array<string, IShare> */
	public array $shares = [];
	public int $now = 1796464800;

	public function __construct(
		private string $appDir,
	) {
	}

	public function getTime(): int {
		return $this->now;
	}

	public function getShareById($id, $recipient = null, bool $onlyValid = true): IShare {
		return $this->shares[$id] ?? throw new ShareNotFound();
	}

	public function getAbsoluteURL(string $url): string {
		return 'https://nuage.ac-test.fr' . $url;
	}

	public function imagePath(string $appName, string $file): string {
		return "/apps/$appName/img/$file";
	}

	public function get($app, $lang = null, $locale = null) {
		$file = $this->appDir . '/l10n/' . $lang . '.json';
		$translations = is_file($file) ? json_decode((string)file_get_contents($file), true, 512, JSON_THROW_ON_ERROR)['translations'] : [];
		return new class($translations) implements IL10N {
			public function __construct(
				private array $translations,
			) {
			}

			public function t(string $text, $parameters = []): string {
				return vsprintf($this->translations[$text] ?? $text, (array)$parameters);
			}
		};
	}
}
