<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IAppConfig;

/** Values as Nextcloud stores them: strings, read back through the typed getters. */
final class AppConfig implements IAppConfig {
	/** @param array<string, string> $values keys of the app `laboite` */
	public function __construct(
		public array $values = [],
	) {
	}

	public function getValueString(string $app, string $key, string $default = '', bool $lazy = false): string {
		return $app === 'laboite' && array_key_exists($key, $this->values) ? $this->values[$key] : $default;
	}

	public function getValueInt(string $app, string $key, int $default = 0, bool $lazy = false): int {
		return $app === 'laboite' && array_key_exists($key, $this->values) ? (int)$this->values[$key] : $default;
	}

	public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool {
		$changed = ($this->values[$key] ?? null) !== $value;
		$this->values[$key] = $value;
		return $changed;
	}

	public function setValueInt(string $app, string $key, int $value, bool $lazy = false, bool $sensitive = false): bool {
		return $this->setValueString($app, $key, (string)$value);
	}

	public function setValueBool(string $app, string $key, bool $value, bool $lazy = false): bool {
		return $this->setValueString($app, $key, $value ? '1' : '0');
	}

	public function getValueBool(string $app, string $key, bool $default = false, bool $lazy = false): bool {
		if ($app !== 'laboite' || !array_key_exists($key, $this->values)) {
			return $default;
		}
		return self::truthy($this->values[$key]);
	}

	/** How a stored string reads as a boolean (`occ config:app:set ... --value=true`, `1`, `yes`, `on`). */
	public static function truthy(string $value): bool {
		return in_array(strtolower($value), ['1', 'true', 'yes', 'on'], true);
	}
}
