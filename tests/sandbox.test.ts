import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('pnpm start brings the sandbox up, its printed URLs answer, and Ctrl-C stops it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts'], {
    cwd: root,
    env: { ...process.env, SANDBOX_IDP_PORT: '0', SANDBOX_PORTAL_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => {
    output += b;
  });
  child.stderr.on('data', (b: Buffer) => {
    output += b;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    for (let i = 0; i < 200 && !output.includes('Ctrl-C to stop'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('Sandbox ready / Bac à sable prêt');
    const discovery = /discovery:\s+(\S+)/.exec(output)?.[1] ?? '';
    const portal = /received notifications:\s+(\S+)/.exec(output)?.[1] ?? '';
    const doc = (await (await fetch(discovery)).json()) as { issuer: string };
    expect(doc.issuer).toMatch(/\/realms\/apps$/);
    // The first notification goes through portal-events' outbox and worker to the LaBoite double.
    let page = '';
    for (let i = 0; i < 100 && !page.includes('Nouveau partage de Bob Durand'); i++) {
      page = await (await fetch(portal)).text();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(page).toContain('Nouveau partage de Bob Durand');
    expect(output).toMatch(/alice \/ alice/);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(output).toContain('Sandbox stopped / Bac à sable arrêté');
});
