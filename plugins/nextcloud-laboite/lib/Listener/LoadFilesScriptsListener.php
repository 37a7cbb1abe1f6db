<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Listener;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\GroupSync;
use OCP\AppFramework\Services\IInitialState;
use OCP\EventDispatcher\Event;
use OCP\EventDispatcher\IEventListener;
use OCP\IUserSession;
use OCP\Util;

/**
 * The Files app is loading (OCA\Files\Event\LoadAdditionalScriptsEvent): the action "Share with a portal group"
 * (js/laboite-files.mjs, src/files.ts) is added, with the signed-in user's synced portal groups; a user in none
 * gets the script and an empty list, so no action.
 * @template-implements IEventListener<Event>
 */
final class LoadFilesScriptsListener implements IEventListener {
	public const EVENT = 'OCA\\Files\\Event\\LoadAdditionalScriptsEvent';

	public function __construct(
		private IUserSession $session,
		private GroupSync $groups,
		private IInitialState $initialState,
	) {
	}

	public function handle(Event $event): void {
		$user = $this->session->getUser();
		$this->initialState->provideInitialState('portal-groups', $user === null ? [] : $this->groups->portalGroupsOf($user));
		Util::addInitScript(Application::APP_ID, 'laboite-files');
	}
}
