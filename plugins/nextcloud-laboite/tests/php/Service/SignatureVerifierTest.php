<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\LaBoite\Service\DbNonceStore;
use OCA\LaBoite\Service\SignatureException;
use OCA\LaBoite\Service\SignatureVerifier;
use OCA\LaBoite\Tests\SqliteConnection;
use PHPUnit\Framework\TestCase;

/** The known answer of packages/laboite-group-sync/README.md (computed with `openssl dgst -sha256 -hmac`). */
final class SignatureVerifierTest extends TestCase {
	private const SECRET = 'test-secret-of-32-characters-or-more';
	private const PATH = '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX?format=json';
	private const TIMESTAMP = 1796464800;
	private const NONCE = 'bm9uY2UtMDAwMDAwMDAwMQ';
	private const BODY = '{"name":"Maths 4e B"}';
	private const SIGNATURE = 'v1=78a73d9632c6c38dcd0e19699bd8d42ad084ef336786a05bbdf5f1ffd4bae3ee';

	private SqliteConnection $db;
	private SignatureVerifier $verifier;

	protected function setUp(): void {
		$this->db = new SqliteConnection();
		$this->verifier = new SignatureVerifier(new DbNonceStore($this->db));
	}

	/** @return array<string, string> */
	private function headers(array $override = []): array {
		return array_merge([
			'x-laboite-timestamp' => (string)self::TIMESTAMP,
			'x-laboite-nonce' => self::NONCE,
			'x-laboite-signature' => self::SIGNATURE,
		], $override);
	}

	private function refusal(callable $call): string {
		try {
			$call();
		} catch (SignatureException $e) {
			return $e->reason;
		}
		return 'accepted';
	}

	private function verify(array $headers, string $method = 'PUT', string $path = self::PATH, string $body = self::BODY, int $now = self::TIMESTAMP, string $secret = self::SECRET): string {
		return $this->refusal(fn () => $this->verifier->verify($secret, $method, $path, $headers, $body, $now));
	}

	public function testAcceptsTheKnownAnswerOnce(): void {
		$this->assertSame('accepted', $this->verify($this->headers()));
		$this->assertSame('replayed', $this->verify($this->headers()));
	}

	public function testAcceptsWithinTheWindowOnBothSides(): void {
		$this->assertSame('accepted', $this->verify($this->headers(), now: self::TIMESTAMP + 300));
		$this->db->pdo->exec('DELETE FROM oc_laboite_nonces');
		$this->assertSame('accepted', $this->verify($this->headers(), now: self::TIMESTAMP - 300));
	}

	public function testRefusesAStaleOrFutureTimestampBeforeLookingAtTheSignature(): void {
		$this->assertSame('stale', $this->verify($this->headers(), now: self::TIMESTAMP + 301));
		$this->assertSame('stale', $this->verify($this->headers(), now: self::TIMESTAMP - 301));
	}

	public function testRefusesEveryChangeToWhatIsSigned(): void {
		$this->assertSame('invalid', $this->verify($this->headers(), method: 'DELETE'));
		$this->assertSame('invalid', $this->verify($this->headers(), path: str_replace('XXXX', 'YYYY', self::PATH)));
		$this->assertSame('invalid', $this->verify($this->headers(), path: '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX'));
		$this->assertSame('invalid', $this->verify($this->headers(), body: '{"name":"Maths 4e C"}'));
		$this->assertSame('invalid', $this->verify($this->headers(['x-laboite-nonce' => 'bm9uY2UtMDAwMDAwMDAwMg'])));
		$this->assertSame('invalid', $this->verify($this->headers(), secret: self::SECRET . 'x'));
		$forged = substr(self::SIGNATURE, 0, -1) . (str_ends_with(self::SIGNATURE, 'e') ? 'f' : 'e');
		$this->assertSame('invalid', $this->verify($this->headers(['x-laboite-signature' => $forged])));
		// The timestamp is signed: moving it inside the window still breaks the signature.
		$this->assertSame('invalid', $this->verify($this->headers(['x-laboite-timestamp' => (string)(self::TIMESTAMP + 1)])));
	}

	public function testRefusesMissingAndMalformedHeaders(): void {
		foreach (['x-laboite-timestamp', 'x-laboite-nonce', 'x-laboite-signature'] as $name) {
			$headers = $this->headers();
			unset($headers[$name]);
			$this->assertSame('missing', $this->verify($headers), $name);
		}
		$this->assertSame('malformed', $this->verify($this->headers(['x-laboite-signature' => strtoupper(self::SIGNATURE)])));
		$this->assertSame('malformed', $this->verify($this->headers(['x-laboite-signature' => 'v2=' . substr(self::SIGNATURE, 3)])));
		$this->assertSame('malformed', $this->verify($this->headers(['x-laboite-timestamp' => '1796464800.5'])));
		$this->assertSame('malformed', $this->verify($this->headers(['x-laboite-nonce' => "short"])));
		$this->assertSame('malformed', $this->verify($this->headers(['x-laboite-nonce' => self::NONCE . "\n"])));
	}

	public function testRefusesEverythingWithoutASecretOfThirtyTwoCharacters(): void {
		$this->assertSame('notConfigured', $this->verify($this->headers(), secret: ''));
		$this->assertSame('notConfigured', $this->verify($this->headers(), secret: substr(self::SECRET, 0, 31)));
	}

	public function testAForgedCallDoesNotBurnTheNonce(): void {
		$forged = 'v1=' . str_repeat('0', 64);
		$this->assertSame('invalid', $this->verify($this->headers(['x-laboite-signature' => $forged])));
		$this->assertSame('accepted', $this->verify($this->headers()));
	}

	public function testForgetsNoncesOnceTheyCouldNoLongerPass(): void {
		$this->assertSame('accepted', $this->verify($this->headers()));
		$count = fn () => (int)$this->db->pdo->query('SELECT count(*) FROM oc_laboite_nonces')->fetchColumn();
		$this->assertSame(1, $count());
		// Another call, signed ten minutes later: the first nonce is past its window and goes.
		$later = self::TIMESTAMP + 600;
		$nonce = 'bm9uY2UtMDAwMDAwMDAwMw';
		$canonical = implode("\n", ['v1', 'PUT', self::PATH, (string)$later, $nonce, hash('sha256', self::BODY)]);
		$headers = ['x-laboite-timestamp' => (string)$later, 'x-laboite-nonce' => $nonce, 'x-laboite-signature' => 'v1=' . hash_hmac('sha256', $canonical, self::SECRET)];
		$this->assertSame('accepted', $this->verify($headers, now: $later));
		$this->assertSame(1, $count());
	}

	public function testTheMessageTellsTheAdministratorWhatToCheck(): void {
		$e = new SignatureException('stale');
		$this->assertStringContainsString('NTP', $e->getMessage());
		$this->assertStringContainsString('shared secret', (new SignatureException('invalid'))->getMessage());
	}
}
