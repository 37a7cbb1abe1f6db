import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnCaptured, tempDir } from '@apps-education/testkit';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/entry/cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the keycloak-cas-bridge command', () => {
  it('refuses a bad configuration with every problem in French and English, exit status 2', async () => {
    await using dir = await tempDir('cas-cli-');
    const config = join(dir.path, 'cas-bridge.yml');
    writeFileSync(config, 'publicUrl: not a url\noidc: { clientId: x }\n');
    const run = spawnCaptured(process.execPath, ['--import', 'tsx', cli], {
      cwd: root,
      env: { CAS_BRIDGE_CONFIG: config },
    });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('Configuration invalide');
    expect(run.output()).toContain('Invalid configuration');
    expect(run.output()).toContain('  - publicUrl');
    expect(run.output()).toContain('  - oidc.issuer');
    expect(run.output()).toContain('  - registry');
  });

  it('starts with a valid configuration and stops cleanly on SIGTERM', async () => {
    await using dir = await tempDir('cas-cli-');
    const port = await freePort();
    writeFileSync(join(dir.path, 'services.yml'), 'services: []\n');
    writeFileSync(
      join(dir.path, 'cas-bridge.yml'),
      `publicUrl: http://127.0.0.1:${port}/cas\nlisten: { port: ${port} }\nmonitoring: { listen: { port: ${await freePort()} } }\noidc: { issuer: "https://sso.ac-test.fr/realms/apps", clientId: cas-bridge }\nregistry: ${join(dir.path, 'services.yml')}\nstore: { type: sqlite, path: ${join(dir.path, 'cas.db')} }\n`,
    );
    const run = spawnCaptured(process.execPath, ['--import', 'tsx', cli], {
      cwd: root,
      env: { CAS_BRIDGE_CONFIG: join(dir.path, 'cas-bridge.yml') },
    });
    await run.waitFor('CAS bridge listening', 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/cas/healthz`)).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"msg":"stopping"');
  });
});
