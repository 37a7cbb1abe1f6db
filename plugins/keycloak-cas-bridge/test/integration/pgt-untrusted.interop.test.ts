import { createServer } from 'node:https';
import { createTestCertificateAuthority, tempDir } from '@apps-education/testkit';
import { expect, it } from 'vitest';
import { createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

it('a pgtUrl whose certificate the bridge does not trust gets no PGT, and the callback is never reached', async () => {
  await using dir = await tempDir('pgt-untrusted-');
  // A CA the bridge was not told about: the callback's certificate chains to it.
  const untrusted = createTestCertificateAuthority(dir.path);
  const leaf = untrusted.issue(['127.0.0.1'], 'callback');
  let reached = 0;
  const callback = createServer({ cert: leaf.cert, key: leaf.key }, (_req, res) => {
    reached++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  const address = callback.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const t = await startBridgeUnderTest({
    registry: `
services:
  - id: portal
    name: Portal
    match: { prefix: "https://ent.ac-test.fr/" }
    proxy:
      allowed: true
      targets: [{ prefix: "https://api.ac-test.fr/" }]
      callbacks: [{ prefix: "https://127.0.0.1:${port}/" }]
      allowPrivateNetworks: true
`,
  });
  try {
    const { location } = await signIn(
      createUserAgent(),
      `${t.publicUrl}/login?service=${encodeURIComponent('https://ent.ac-test.fr/')}`,
      (u) => u.startsWith('https://ent'),
    );
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const pgtUrl = `https://127.0.0.1:${port}/pgtCallback`;
    const xml = await (
      await fetch(
        `${t.publicUrl}/p3/serviceValidate?service=${encodeURIComponent('https://ent.ac-test.fr/')}&ticket=${ticket}&pgtUrl=${encodeURIComponent(pgtUrl)}`,
      )
    ).text();
    expect(xml).toContain('<cas:authenticationSuccess>');
    expect(xml).not.toContain('proxyGrantingTicket');
    expect(reached).toBe(0);
  } finally {
    callback.close();
    await t.close();
  }
});
