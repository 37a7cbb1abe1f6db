<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** A settings field the page sent that breaks a rule: the field, and what to do, in the administrator's language. */
final class InvalidSettingsException extends \InvalidArgumentException {
	public function __construct(
		public readonly string $field,
		string $message,
	) {
		parent::__construct($message);
	}
}
