import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, installServicePackage, spawnCaptured, type TempDir, tempDir } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/** The command of the service package `pnpm build` ships, installed with only its declared dependencies. */
describe('the keycloak-cas-bridge command', () => {
  let installed: TempDir;
  let cli = '';
  beforeAll(async () => {
    installed = await tempDir('cas-package-');
    cli = installServicePackage('keycloak-cas-bridge', installed.path, pluginDir).bin['keycloak-cas-bridge'] ?? '';
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('is the version of the source tree, with the README and examples an administrator reads', () => {
    const shipped = JSON.parse(readFileSync(join(cli, '../../package.json'), 'utf8')) as { version: string };
    const source = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { version: string };
    expect(shipped.version).toBe(source.version);
    expect(readFileSync(join(cli, '../../README.md'), 'utf8')).toContain('--allow-scripts=better-sqlite3');
  });

  it('refuses a bad configuration with every problem in French and English, exit status 2', async () => {
    await using dir = await tempDir('cas-cli-');
    const config = join(dir.path, 'cas-bridge.yml');
    writeFileSync(config, 'publicUrl: not a url\noidc: { clientId: x }\n');
    const run = spawnCaptured(process.execPath, [cli], {
      cwd: installed.path,
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
    const monitoringPort = await freePort();
    writeFileSync(join(dir.path, 'services.yml'), 'services: []\n');
    writeFileSync(
      join(dir.path, 'cas-bridge.yml'),
      `publicUrl: http://127.0.0.1:${port}/cas\nlisten: { port: ${port} }\nmonitoring: { listen: { port: ${monitoringPort} } }\noidc: { issuer: "https://sso.ac-test.fr/realms/apps", clientId: cas-bridge }\nregistry: ${join(dir.path, 'services.yml')}\nstore: { type: sqlite, path: ${join(dir.path, 'cas.db')} }\n`,
    );
    const run = spawnCaptured(process.execPath, [cli], {
      cwd: installed.path,
      env: { CAS_BRIDGE_CONFIG: join(dir.path, 'cas-bridge.yml') },
    });
    await run.waitFor('CAS bridge listening', 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/cas/healthz`)).status).toBe(200);
    // The pages' DSFR and the monitoring listener come with the package.
    const css = await fetch(`http://127.0.0.1:${port}/cas/static/dsfr/dsfr.min.css`);
    expect(css.status).toBe(200);
    expect((await css.text()).length).toBeGreaterThan(100_000);
    expect(await (await fetch(`http://127.0.0.1:${monitoringPort}/metrics`)).text()).toContain(
      'cas_bridge_tickets_issued_total',
    );
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('"msg":"stopping"');
  });
});
