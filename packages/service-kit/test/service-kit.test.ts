import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  buildMonitoringServer,
  localeOf,
  problemLines,
  readYamlFile,
  registerGuardedMonitoring,
  staticFolders,
} from '../src/index.js';

const silent = Fastify().log;

describe('service kit', () => {
  it('reads a YAML file, or says why not', async () => {
    await using dir = await tempDir('service-kit-');
    const good = join(dir.path, 'good.yml');
    writeFileSync(good, 'publicUrl: https://x.ac-test.fr\nlisten: { port: 8080 }\n');
    expect(readYamlFile(good)).toEqual({
      ok: true,
      document: { publicUrl: 'https://x.ac-test.fr', listen: { port: 8080 } },
    });
    const broken = join(dir.path, 'broken.yml');
    writeFileSync(broken, 'listen: { port: 8080\n');
    expect(readYamlFile(broken)).toMatchObject({ ok: false, problem: expect.stringContaining('broken.yml: ') });
    expect(readYamlFile(join(dir.path, 'absent.yml'))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('cannot read'),
    });
  });

  it("names each problem by its path, and finds a service's static files and DSFR", () => {
    expect(
      problemLines([
        { path: ['oidc', 'issuer'], message: 'Invalid URL' },
        { path: [], message: 'Not an object' },
      ]),
    ).toEqual(['oidc.issuer: Invalid URL', '(file): Not an object']);
    // From a module in the source tree of the CAS bridge: static/ beside src/, DSFR from node_modules.
    const folders = staticFolders(
      new URL('../../../plugins/keycloak-cas-bridge/src/entry/server.ts', import.meta.url).href,
    );
    expect(folders.staticDir).toMatch(/plugins\/keycloak-cas-bridge\/static$/);
    expect(folders.dsfrDir).toMatch(/@gouvfr\/dsfr\/dist$/);
  });

  it('speaks English to a browser that asks for it first, French otherwise', () => {
    expect(localeOf('en-GB,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(localeOf('fr-FR,en;q=0.5')).toBe('fr');
    expect(localeOf(undefined)).toBe('fr');
  });

  it('answers /readyz with each check, 503 when one fails, and /metrics from the registry', async () => {
    const registry = new Registry();
    new Counter({ name: 'kit_test_total', help: 'A test counter.', registers: [registry] }).inc();
    let databaseUp = true;
    const app = await buildMonitoringServer({
      checks: { database: async () => (databaseUp ? 'ok' : Promise.reject(new Error('down'))), idp: async () => 'ok' },
      registry,
      logger: silent,
    });
    expect((await app.inject('/readyz')).json()).toEqual({ ready: true, database: 'ok', idp: 'ok' });
    databaseUp = false;
    const down = await app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ ready: false, database: 'unavailable', idp: 'ok' });
    expect((await app.inject('/metrics')).body).toContain('kit_test_total 1');
    await app.close();
  });

  it('guards /readyz and /metrics on a public address with a bearer token', async () => {
    const app = Fastify();
    registerGuardedMonitoring(app, '/base', 'a-token-of-at-least-24-characters', {
      checks: {},
      registry: new Registry(),
      logger: silent,
    });
    expect((await app.inject('/base/metrics')).statusCode).toBe(401);
    expect((await app.inject({ url: '/base/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(
      401,
    );
    const allowed = await app.inject({
      url: '/base/readyz',
      headers: { authorization: 'Bearer a-token-of-at-least-24-characters' },
    });
    expect(allowed.json()).toEqual({ ready: true });
    await app.close();
  });
});
