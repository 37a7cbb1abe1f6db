<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Dashboard;

/** Stand-in of Nextcloud's `lib/public/Dashboard/IWidget.php` (since 20.0.0). */
interface IWidget {
	public function getId(): string;

	public function getTitle(): string;

	public function getOrder(): int;

	public function getIconClass(): string;

	public function getUrl(): ?string;

	public function load(): void;
}
