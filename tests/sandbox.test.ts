import { fileURLToPath } from 'node:url';
import { spawnCaptured } from '@apps-education/testkit';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('pnpm start brings the sandbox up, its printed URLs answer, and Ctrl-C stops it', async () => {
  const sandbox = spawnCaptured(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts'], {
    cwd: root,
    env: { SANDBOX_IDP_PORT: '0', SANDBOX_PORTAL_PORT: '0' },
  });
  try {
    await sandbox.waitFor('Ctrl-C to stop', 15_000);
    const output = sandbox.output();
    expect(output).toContain('Sandbox ready / Bac à sable prêt');
    const discovery = /discovery:\s+(\S+)/.exec(output)?.[1] ?? '';
    const portal = /received notifications:\s+(\S+)/.exec(output)?.[1] ?? '';
    const doc = (await (await fetch(discovery)).json()) as { issuer: string };
    expect(doc.issuer).toMatch(/\/realms\/apps$/);
    // The login form of the realm answers, for a person to sign in by hand.
    const auth = new URL(`${doc.issuer}/protocol/openid-connect/auth`);
    auth.search = new URLSearchParams({
      client_id: 'sandbox-app',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://127.0.0.1:9000/callback',
    }).toString();
    expect((await fetch(auth, { redirect: 'manual' })).status).toBe(303);
    // The first notification goes through portal-events' outbox and worker to the LaBoite double.
    let page = '';
    for (let i = 0; i < 100 && !page.includes('Nouveau partage de Bob Durand'); i++) {
      page = await (await fetch(portal)).text();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(page).toContain('Nouveau partage de Bob Durand');
    expect(output).toMatch(/alice \/ alice/);
  } finally {
    sandbox.child.kill('SIGINT');
  }
  expect(await sandbox.exited).toBe(0);
  expect(sandbox.output()).toContain('Sandbox stopped / Bac à sable arrêté');
});
