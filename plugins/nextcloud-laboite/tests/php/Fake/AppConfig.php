<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IAppConfig;

/** Values as Nextcloud stores them: strings, read back through the typed getters. */
final class AppConfig implements IAppConfig {
	use StoredAsStrings;

	/** @param array<string, string> $values keys of the app `laboite` */
	public function __construct(
		public array $values = [],
	) {
	}

	protected function read(string $app, string $key): ?string {
		return $app === 'laboite' && array_key_exists($key, $this->values) ? $this->values[$key] : null;
	}

	public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool {
		$changed = ($this->values[$key] ?? null) !== $value;
		$this->values[$key] = $value;
		return $changed;
	}
}
