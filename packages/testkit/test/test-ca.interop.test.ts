import { createServer, request } from 'node:https';
import { expect, it } from 'vitest';
import { createTestCertificateAuthority, tempDir } from '../src/index.js';

function get(port: number, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca, rejectUnauthorized: true }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

it('issues server certificates that clients trusting the test CA accept, and others refuse', async () => {
  await using dir = await tempDir('ca-');
  const ca = createTestCertificateAuthority(dir.path);
  const leaf = ca.issue(['127.0.0.1', 'localhost']);
  const server = createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => res.end('tls ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    expect(await get(port, ca.cert)).toBe('tls ok');
    await expect(get(port)).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  } finally {
    server.close();
  }
});
