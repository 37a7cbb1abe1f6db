import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RunningPeer, requireCommand, startPeer } from '@apps-education/testkit';

/**
 * phpCAS 1.6 (Debian php-cas) under `php -S`: one page per protocol version (cas1.php, cas2.php, cas3.php,
 * saml.php), each printing the CAS user and attributes. phpCAS always reaches the CAS server over https, checking
 * it against the test CA. Logout requests (single sign-out) are handled on every page.
 */
export interface PhpCasPeer {
  readonly url: string;
  readonly peer: RunningPeer;
  stop(): Promise<void>;
}

const VERSIONS = {
  cas1: 'CAS_VERSION_1_0',
  cas2: 'CAS_VERSION_2_0',
  cas3: 'CAS_VERSION_3_0',
  saml: 'SAML_VERSION_1_1',
} as const;

export async function startPhpCas(dir: string, casBase: URL, caPath: string): Promise<PhpCasPeer> {
  const php = requireCommand('php', 'php-cli');
  requireCommand('/usr/share/php/CAS.php', 'php-cas');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const docroot = join(dir, 'php');
  const sessions = join(dir, 'php-sessions');
  mkdirSync(docroot, { recursive: true });
  mkdirSync(sessions, { recursive: true });
  for (const [page, constant] of Object.entries(VERSIONS)) {
    writeFileSync(
      join(docroot, `${page}.php`),
      `<?php
require_once 'CAS.php';
phpCAS::client(${constant}, '${casBase.hostname}', ${Number(casBase.port)}, '${casBase.pathname}', '${url}');
phpCAS::setCasServerCACert('${caPath}', false);
phpCAS::handleLogoutRequests(false);
phpCAS::forceAuthentication();
header('Content-Type: text/plain');
echo "user=" . phpCAS::getUser() . "\\n";
foreach (phpCAS::getAttributes() as $name => $value) {
  echo $name . "=" . (is_array($value) ? implode(',', $value) : $value) . "\\n";
}
`,
    );
  }
  const peer = await startPeer({
    name: 'phpCAS under php -S',
    command: php,
    args: [
      '-d',
      `session.save_path=${sessions}`,
      '-d',
      'display_errors=stderr',
      '-S',
      `127.0.0.1:${port}`,
      '-t',
      docroot,
    ],
    readyPort: port,
  });
  return { url, peer, stop: () => peer.stop() };
}
