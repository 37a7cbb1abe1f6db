import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, installServicePackage, spawnCaptured, type TempDir, tempDir } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/** The command of the service package `pnpm build` ships, installed with only its declared dependencies. */
describe('the bbb-upload command', () => {
  let installed: TempDir;
  let cli = '';
  beforeAll(async () => {
    installed = await tempDir('bbb-upload-package-');
    cli = installServicePackage('bbb-upload', installed.path, pluginDir).bin['bbb-upload'] ?? '';
  });
  afterAll(async () => {
    await installed?.remove();
  });

  it('ships the version of the source tree, with the README and the example an administrator reads', () => {
    const shipped = JSON.parse(readFileSync(join(cli, '../../package.json'), 'utf8')) as { version: string };
    const source = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8')) as { version: string };
    expect(shipped.version).toBe(source.version);
    expect(readFileSync(join(cli, '../../README.md'), 'utf8')).toContain('--allow-scripts=better-sqlite3');
    expect(readFileSync(join(cli, '../../examples/bbb-upload.yml'), 'utf8')).toContain('publicUrl:');
  });

  it('refuses a bad configuration with every problem in French and English, exit status 2', async () => {
    await using dir = await tempDir('bbb-upload-cli-');
    const config = join(dir.path, 'bbb-upload.yml');
    writeFileSync(
      config,
      'publicUrl: pas une url\nbbb: { url: "https://bbb.ac-test.fr/bigbluebutton/", algorithm: md5 }\n',
    );
    const run = spawnCaptured(process.execPath, [cli], { cwd: installed.path, env: { BBB_UPLOAD_CONFIG: config } });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain("La configuration de bbb-upload n'est pas valide");
    expect(run.output()).toContain('The bbb-upload configuration is not valid');
    for (const path of ['publicUrl', 'secrets', 'oidc', 'bbb.secret', 'bbb.algorithm'])
      expect(run.output()).toContain(`  - ${path}`);
  });

  it('starts with a valid configuration, serves its pages and DSFR, and stops cleanly on SIGTERM', async () => {
    await using dir = await tempDir('bbb-upload-cli-');
    const port = await freePort();
    const monitoringPort = await freePort();
    writeFileSync(
      join(dir.path, 'bbb-upload.yml'),
      `publicUrl: http://127.0.0.1:${port}\nlisten: { port: ${port} }\nmonitoring: { listen: { port: ${monitoringPort} } }\noidc: { issuer: "https://auth.ac-test.fr/realms/apps", clientId: bbb-upload }\nbbb: { url: "https://bbb.ac-test.fr/bigbluebutton/" }\ndatabase: { type: sqlite, path: ${join(dir.path, 'state.db')} }\nstorage: { type: local, dir: ${join(dir.path, 'documents')} }\n`,
    );
    const run = spawnCaptured(process.execPath, [cli], {
      cwd: installed.path,
      env: {
        BBB_UPLOAD_CONFIG: join(dir.path, 'bbb-upload.yml'),
        BBB_UPLOAD_SECRET: 'a'.repeat(64),
        BBB_UPLOAD_BBB_SECRET: 'b'.repeat(40),
      },
    });
    await run.waitFor('bbb-upload listening', 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const home = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-language': 'en' } });
    expect(await home.text()).toContain('Prepared video rooms');
    expect((await fetch(`http://127.0.0.1:${port}/static/dsfr/dsfr.min.css`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/static/upload.js`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${monitoringPort}/metrics`)).status).toBe(200);
    // Nothing of the file system outside static/ is served.
    expect((await fetch(`http://127.0.0.1:${port}/static/../package.json`)).status).toBe(404);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    // The secrets never reach the log.
    expect(run.output()).not.toContain('a'.repeat(64));
    expect(run.output()).not.toContain('b'.repeat(40));
  });
});
