<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/**
 * The desired state of one portal group, as the portal sends it (packages/laboite-group-sync: the same rules there
 * and here): a LaBoite id, a name of 1 to 90 characters without control characters, a slug, each member once with
 * the role admin, animator or member, a quota in bytes or null.
 */
final class GroupState {
	public const ROLES = ['admin', 'animator', 'member'];

	/** @param array<string, 'admin'|'animator'|'member'> $members uid => role */
	private function __construct(
		public readonly string $id,
		public readonly string $name,
		public readonly string $slug,
		public readonly array $members,
		public readonly ?int $quotaBytes,
	) {
	}

	public static function validId(string $id): bool {
		return preg_match('/^[A-Za-z0-9]{1,32}$/D', $id) === 1;
	}

	/**
	 * @param mixed $data the decoded JSON body
	 * @throws InvalidStateException naming the field
	 */
	public static function fromArray(mixed $data, string $idFromPath): self {
		if (!is_array($data)) {
			throw new InvalidStateException('the body must be a JSON object');
		}
		$id = $data['id'] ?? null;
		if (!is_string($id) || !self::validId($id)) {
			throw new InvalidStateException('id: a LaBoite group id (1 to 32 letters and digits)');
		}
		if ($id !== $idFromPath) {
			throw new InvalidStateException('id: differs from the id in the address');
		}
		$name = $data['name'] ?? null;
		// Control and format characters (Unicode Cc and Cf: line breaks, bidirectional overrides...).
		if (!is_string($name) || preg_match('//u', $name) !== 1 || mb_strlen($name) < 1 || mb_strlen($name) > 90
			|| preg_match('/[\p{Cc}\p{Cf}]/u', $name) === 1) {
			throw new InvalidStateException('name: 1 to 90 characters, without control characters');
		}
		$slug = $data['slug'] ?? null;
		if (!is_string($slug) || preg_match('/^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/D', $slug) !== 1) {
			throw new InvalidStateException('slug: a LaBoite slug (lower-case letters, digits and dashes)');
		}
		$members = [];
		if (!is_array($data['members'] ?? null) || !array_is_list($data['members']) || count($data['members']) > 20000) {
			throw new InvalidStateException('members: a list of at most 20,000');
		}
		foreach ($data['members'] as $i => $member) {
			$username = is_array($member) ? ($member['username'] ?? null) : null;
			$role = is_array($member) ? ($member['role'] ?? null) : null;
			if (!is_string($username) || preg_match('/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/D', $username) !== 1) {
				throw new InvalidStateException("members.$i.username: a portal username");
			}
			if (!in_array($role, self::ROLES, true)) {
				throw new InvalidStateException("members.$i.role: admin, animator or member");
			}
			if (isset($members[$username])) {
				throw new InvalidStateException("members.$i.username: $username is listed twice");
			}
			$members[$username] = $role;
		}
		$quota = $data['quotaBytes'] ?? null;
		if ($quota !== null && (!is_int($quota) || $quota < 0)) {
			throw new InvalidStateException('quotaBytes: a number of bytes, or null');
		}
		return new self($id, $name, $slug, $members, $quota);
	}
}
