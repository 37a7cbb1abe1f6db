<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

/**
 * IAppConfig's typed getters and setters over values stored as strings, as Nextcloud stores them (`occ
 * config:app:set ... --value=true` reads back as a boolean): the two config fakes differ only in where the strings live.
 */
trait StoredAsStrings {
	/** The stored string, or null when the key is not set. */
	abstract protected function read(string $app, string $key): ?string;

	abstract public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool;

	public function getValueString(string $app, string $key, string $default = '', bool $lazy = false): string {
		return $this->read($app, $key) ?? $default;
	}

	public function getValueInt(string $app, string $key, int $default = 0, bool $lazy = false): int {
		$value = $this->read($app, $key);
		return $value === null ? $default : (int)$value;
	}

	public function getValueBool(string $app, string $key, bool $default = false, bool $lazy = false): bool {
		$value = $this->read($app, $key);
		return $value === null ? $default : in_array(strtolower($value), ['1', 'true', 'yes', 'on'], true);
	}

	public function setValueInt(string $app, string $key, int $value, bool $lazy = false, bool $sensitive = false): bool {
		return $this->setValueString($app, $key, (string)$value);
	}

	public function setValueBool(string $app, string $key, bool $value, bool $lazy = false): bool {
		return $this->setValueString($app, $key, $value ? '1' : '0');
	}
}
