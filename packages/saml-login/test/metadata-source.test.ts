import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetadataSource, type MetadataLog } from '../src/index.js';
import { metadata } from './fixtures.js';

/** The IdP's metadata address: answers what the test sets next. */
let answer: { status: number; body: string } = { status: 200, body: metadata() };
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) =>
    res.writeHead(answer.status, { 'content-type': 'application/xml' }).end(answer.body),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp/shibboleth`;
});
afterAll(() => server.close());

const logger = () => {
  const lines: { level: string; en: string; fr: string }[] = [];
  const log: MetadataLog = (level, message) => lines.push({ level, ...message });
  return { lines, log };
};

describe('IdP metadata from its address', () => {
  it('keeps the last good copy when a refresh fails, and says why in French and English', async () => {
    const { lines, log } = logger();
    const source = createMetadataSource({ url, log });
    answer = { status: 200, body: metadata() };
    expect(await source.refresh()).toBe(true);
    const good = source.current();
    expect(good?.entityId).toBe('https://idp.ac-test.fr/idp/shibboleth');

    answer = { status: 503, body: 'maintenance' };
    expect(await source.refresh()).toBe(false);
    answer = { status: 200, body: '<html>Login</html>' };
    expect(await source.refresh()).toBe(false);
    expect(source.current()).toBe(good);
    expect(lines.map((l) => [l.level, l.en])).toEqual([
      ['warn', `The IdP metadata address ${url} answered HTTP 503. The last good copy stays in use.`],
      [
        'warn',
        'This is not SAML 2.0 metadata: its root must be md:EntityDescriptor (urn:oasis:names:tc:SAML:2.0:metadata). The last good copy stays in use.',
      ],
    ]);
    expect(lines[0]?.fr).toContain('La dernière copie valide reste utilisée.');

    answer = { status: 200, body: metadata({ entityId: 'https://idp2.ac-test.fr/idp' }) };
    expect(await source.refresh()).toBe(true);
    expect(source.current()?.entityId).toBe('https://idp2.ac-test.fr/idp');
    source.stop();
  });

  it('has nothing, and says sign-in stays off, while the address has never given good metadata', async () => {
    const { lines, log } = logger();
    const source = createMetadataSource({
      url: `http://127.0.0.1:${await freePort()}/metadata`,
      log,
      timeoutMs: 2_000,
    });
    expect(await source.refresh()).toBe(false);
    expect(source.current()).toBeNull();
    expect(lines[0]?.level).toBe('error');
    expect(lines[0]?.en).toMatch(/could not be fetched \(.*ECONNREFUSED.*\)\. Sign-in with this IdP stays off/);
    source.stop();
  });

  it('refuses an answer over 1 MiB', async () => {
    const { lines, log } = logger();
    const source = createMetadataSource({ url, log });
    answer = { status: 200, body: `${metadata()}<!-- ${'x'.repeat(4 * 1024 * 1024)} -->` };
    expect(await source.refresh()).toBe(false);
    expect(lines[0]?.en).toContain('over 1024 KiB');
    source.stop();
  });

  it('stops using metadata past its validUntil', async () => {
    let clock = Date.parse('2029-12-31T00:00:00Z');
    const source = createMetadataSource({
      xml: metadata({ validUntil: '2030-01-01T00:00:00Z' }),
      log: () => {},
      now: () => clock,
    });
    expect(await source.refresh()).toBe(true);
    expect(source.current()).not.toBeNull();
    clock = Date.parse('2030-01-01T00:00:01Z');
    expect(source.current()).toBeNull();
  });

  it('refreshes on its schedule with a timer that keeps no process alive, and a throwing fetch rejects nothing', async () => {
    vi.useFakeTimers();
    try {
      const { lines, log } = logger();
      let calls = 0;
      const source = createMetadataSource({
        url,
        log,
        refreshMs: 60_000,
        fetch: async () => {
          calls++;
          throw new TypeError('fetch failed');
        },
      });
      await vi.advanceTimersByTimeAsync(180_000);
      expect(calls).toBe(3);
      expect(lines).toHaveLength(3);
      source.stop();
      await vi.advanceTimersByTimeAsync(180_000);
      expect(calls).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
