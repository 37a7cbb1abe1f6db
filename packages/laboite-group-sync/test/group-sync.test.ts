import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalRequest, createGroupSyncClient, GroupSyncError, signRequest } from '../src/index.js';

const SECRET = 'test-secret-of-32-characters-or-more';

/**
 * The endpoint's rules, written here from the specification (not from the client): a 5-minute window, nonces used
 * once, the signature compared in constant time, OCS v2 envelopes. nextcloud-laboite's PHP follows the same.
 */
function startEndpoint() {
  const seen = new Set<string>();
  const groups = new Map<string, string>();
  const calls: { method: string; path: string; body: unknown }[] = [];
  let mode: 'up' | 'down' = 'up';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, statuscode: number, message: string, data: unknown = []) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ ocs: { meta: { status: status === 200 ? 'ok' : 'failure', statuscode, message }, data } }),
        );
      };
      if (mode === 'down') return reply(503, 503, 'maintenance');
      if (req.headers['ocs-apirequest'] !== 'true') return reply(412, 412, 'CSRF check failed');
      const timestamp = Number(req.headers['x-laboite-timestamp']);
      const nonce = String(req.headers['x-laboite-nonce'] ?? '');
      const given = Buffer.from(String(req.headers['x-laboite-signature'] ?? ''));
      const canonical = [
        'v1',
        req.method,
        req.url,
        String(timestamp),
        nonce,
        createHash('sha256').update(body).digest('hex'),
      ].join('\n');
      const expected = Buffer.from(`v1=${createHmac('sha256', SECRET).update(canonical).digest('hex')}`);
      if (!(Math.abs(Date.now() / 1000 - timestamp) <= 300) || nonce.length < 16 || seen.has(nonce))
        return reply(401, 401, 'stale or replayed');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return reply(401, 401, 'bad signature');
      seen.add(nonce);
      const parsed = body ? JSON.parse(body) : undefined;
      calls.push({ method: req.method ?? '', path: req.url ?? '', body: parsed });
      const id = /\/groups\/([^/?]+)/.exec(req.url ?? '')?.[1];
      if (req.method === 'PUT' && id) {
        const before = groups.get(id);
        groups.set(id, body);
        return reply(200, 200, 'OK', { changes: before === body ? [] : [`group ${id} converged`] });
      }
      if (req.method === 'DELETE' && id)
        return reply(200, 200, 'OK', { changes: groups.delete(id) ? [`group ${id} removed`] : [] });
      if (req.method === 'POST' && req.url?.includes('/reconcile')) return reply(200, 200, 'OK', { changes: [] });
      return reply(404, 998, 'unknown route');
    });
  });
  return {
    server,
    calls,
    setMode: (m: 'up' | 'down') => {
      mode = m;
    },
  };
}

const group = {
  id: 'grpMathsXXXXXXXXX',
  name: 'Maths 4e B <b>&',
  slug: 'maths-4e-b',
  members: [
    { username: 'alice', role: 'admin' as const },
    { username: 'bob', role: 'member' as const },
  ],
  quotaBytes: 10_000_000_000,
};

describe('group sync client (the portal side of nextcloud-laboite)', () => {
  const endpoint = startEndpoint();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}`;
  });
  afterAll(() => endpoint.server.close());

  it('signs as the specification says (a known answer computed with openssl dgst -hmac)', () => {
    const canonical = canonicalRequest(
      'put',
      '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX?format=json',
      1796464800,
      'bm9uY2UtMDAwMDAwMDAwMQ',
      '{"name":"Maths 4e B"}',
    );
    expect(canonical.split('\n')).toEqual([
      'v1',
      'PUT',
      '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX?format=json',
      '1796464800',
      'bm9uY2UtMDAwMDAwMDAwMQ',
      '76b307293527bb24d35ae752f291fd45a515a2a920efacf142ccca9b6a1a40bc',
    ]);
    const headers = signRequest(
      'test-secret-of-32-characters-or-more',
      {
        method: 'PUT',
        path: '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX?format=json',
        body: '{"name":"Maths 4e B"}',
      },
      1796464800_000,
      'bm9uY2UtMDAwMDAwMDAwMQ',
    );
    expect(headers['X-LaBoite-Signature']).toBe('v1=78a73d9632c6c38dcd0e19699bd8d42ad084ef336786a05bbdf5f1ffd4bae3ee');
  });

  it('converges a group, and the same call twice changes nothing the second time', async () => {
    const client = createGroupSyncClient({ nextcloudUrl: url, secret: SECRET });
    expect(await client.putGroup(group)).toEqual({ changes: ['group grpMathsXXXXXXXXX converged'] });
    expect(await client.putGroup(group)).toEqual({ changes: [] });
    expect(endpoint.calls[0]?.body).toEqual(group);
    expect(await client.deleteGroup('grpMathsXXXXXXXXX')).toEqual({ changes: ['group grpMathsXXXXXXXXX removed'] });
  });

  it('refuses a bad state before any call, saying which field, in French and English', async () => {
    const client = createGroupSyncClient({ nextcloudUrl: url, secret: SECRET });
    const before = endpoint.calls.length;
    for (const bad of [
      { ...group, id: '../../etc' },
      { ...group, name: 'a\u0000b' },
      { ...group, members: [group.members[0], group.members[0]] },
      { ...group, members: [{ username: 'alice', role: 'owner' }] },
    ]) {
      const error = await client.putGroup(bad as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GroupSyncError);
      expect((error as GroupSyncError).code).toBe('invalid');
      expect((error as GroupSyncError).userMessage.fr).toContain("L'état du groupe n'est pas valide");
    }
    expect(endpoint.calls.length).toBe(before);
  });

  it('says what to check when Nextcloud refuses the signature, and retries only what can succeed later', async () => {
    const wrong = createGroupSyncClient({ nextcloudUrl: url, secret: 'another-secret-of-32-characters-x' });
    const refused = (await wrong.putGroup(group).catch((e: unknown) => e)) as GroupSyncError;
    expect(refused.code).toBe('unauthorized');
    expect(refused.retryable).toBe(false);
    expect(refused.userMessage.fr).toContain('secret partagé');
    const skewed = createGroupSyncClient({ nextcloudUrl: url, secret: SECRET, now: () => Date.now() - 600_000 });
    expect(((await skewed.putGroup(group).catch((e: unknown) => e)) as GroupSyncError).code).toBe('unauthorized');
    endpoint.setMode('down');
    try {
      const down = (await createGroupSyncClient({ nextcloudUrl: url, secret: SECRET })
        .putGroup(group)
        .catch((e: unknown) => e)) as GroupSyncError;
      expect(down.code).toBe('unavailable');
      expect(down.retryable).toBe(true);
    } finally {
      endpoint.setMode('up');
    }
    const closed = (await createGroupSyncClient({ nextcloudUrl: 'http://127.0.0.1:9', secret: SECRET })
      .putGroup(group)
      .catch((e: unknown) => e)) as GroupSyncError;
    expect(closed.code).toBe('unavailable');
  });

  it('reconciles from a stream in pages under one run, the last page marked', async () => {
    const client = createGroupSyncClient({ nextcloudUrl: url, secret: SECRET });
    async function* generated() {
      for (let i = 0; i < 250; i++) yield { ...group, id: `grp${i}`, slug: `groupe-${i}` };
    }
    const before = endpoint.calls.length;
    const result = await client.reconcile(generated(), { pageSize: 100 });
    expect(result.pages).toBe(3);
    const pages = endpoint.calls
      .slice(before)
      .map((c) => c.body as { runId: string; page: number; last: boolean; groups: unknown[] });
    expect(pages.map((p) => [p.page, p.last, p.groups.length])).toEqual([
      [0, false, 100],
      [1, false, 100],
      [2, true, 50],
    ]);
    expect(new Set(pages.map((p) => p.runId)).size).toBe(1);
  });
});
