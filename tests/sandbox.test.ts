import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUserAgent, spawnCaptured } from '@apps-education/testkit';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('pnpm start brings the sandbox up, its printed URLs answer, and Ctrl-C stops it', async () => {
  const sandbox = spawnCaptured(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts'], {
    cwd: root,
    env: {
      SANDBOX_IDP_PORT: '0',
      SANDBOX_PORTAL_PORT: '0',
      SANDBOX_CAS_PORT: '0',
      SANDBOX_CAS_MONITORING_PORT: '0',
      SANDBOX_DEMO_PORT: '0',
      SANDBOX_BBB_UPLOAD_PORT: '0',
      SANDBOX_BBB_UPLOAD_MONITORING_PORT: '0',
    },
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
    // A newcomer signs in to the demo page through CAS (the bridge, then the provider's form).
    const demo = /demo page protected by CAS:\s+(\S+)/.exec(output)?.[1] ?? '';
    const cas = /CAS server:\s+(\S+)/.exec(output)?.[1] ?? '';
    const agent = createUserAgent();
    const hops = await agent.follow(`${cas}/login?service=${encodeURIComponent(demo)}`);
    const form = hops.at(-1);
    const action = /action="([^"]+)"/.exec(form?.body ?? '')?.[1] ?? '';
    const posted = await agent.request(new URL(action, form?.url).href, {
      form: { username: 'alice', password: 'alice' },
    });
    const back = await agent.follow(posted.location ?? '', (u) => u.startsWith(demo));
    const withTicket = back.at(-1)?.location ?? '';
    expect(withTicket).toMatch(/\?ticket=ST-/);
    expect((await agent.request(withTicket)).body).toContain('<strong>alice</strong>');
    // bbb-upload answers on https with the sandbox's authority, and its monitoring says it is ready.
    const rooms = /rooms:\s+(\S+)/.exec(output)?.[1] ?? '';
    const caPath = /import (\S+ca\.crt)\)/.exec(output)?.[1] ?? '';
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: readFileSync(caPath, 'utf8') } });
    const home = await undiciFetch(rooms.replace(/\/rooms$/, '/'), { dispatcher });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Salles de visio');
    await dispatcher.close();
    const monitoring = /monitoring: (\S+)/.exec(output)?.[1] ?? '';
    expect(await (await fetch(`${monitoring}/readyz`)).json()).toMatchObject({ ready: true });
    // nextcloud-laboite's Files action page on the Nextcloud page double: the page, its script and its translations.
    const filesPage = /Files action:\s+(\S+)/.exec(output)?.[1] ?? '';
    const signIn = await fetch(filesPage, { redirect: 'manual' });
    expect(signIn.status).toBe(302);
    const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    const files = await fetch(new URL(signIn.headers.get('location') ?? '', filesPage), { headers: { cookie } });
    const html = await files.text();
    expect(html).toContain('/apps/laboite/js/laboite-files.mjs');
    expect((await fetch(new URL('/apps/laboite/js/laboite-files.mjs', filesPage))).status).toBe(200);
    expect((await fetch(new URL('/apps/laboite/l10n/fr.js', filesPage))).status).toBe(200);
  } finally {
    sandbox.child.kill('SIGINT');
  }
  expect(await sandbox.exited).toBe(0);
  expect(sandbox.output()).toContain('Sandbox stopped / Bac à sable arrêté');
});
