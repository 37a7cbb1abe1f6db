import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Clamd, EICAR, freePort, startClamd, type UserAgent } from '@apps-education/testkit';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest } from './service.js';

/** A .docx whose central directory claims 2 GB expanded per entry (a zip bomb's signature; nothing to inflate). */
function zipBombDocx(): Buffer {
  const bytes = Buffer.from(
    zipSync({
      '[Content_Types].xml': new TextEncoder().encode(
        '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      'word/document.xml': new TextEncoder().encode('<w:document/>'),
    }),
  );
  const central = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let i = bytes.indexOf(central); i >= 0; i = bytes.indexOf(central, i + 4))
    bytes.writeUInt32LE(2_000_000_000, i + 24);
  return bytes;
}

async function roomOf(service: ServiceUnderTest, agent: UserAgent) {
  const token = /name="_csrf" value="([^"]+)"/.exec((await agent.request(`${service.url}/rooms`)).body)?.[1] ?? '';
  const created = await agent.request(`${service.url}/rooms`, { form: { _csrf: token, name: 'Sécurité' } });
  const path = new URL(created.location ?? '', service.url).pathname;
  const csrf = await service.csrf(agent, path);
  const cookie = [...agent.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  return (filename: string, bytes: Buffer | string) =>
    service.fetch(`${service.url}${path}/documents?filename=${encodeURIComponent(filename)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf, cookie },
      body: bytes,
    });
}

describe('documents refused before they are kept: a real clamd, zip bombs, and clamd down', () => {
  let clamd: Clamd;
  let service: ServiceUnderTest;
  beforeAll(async () => {
    clamd = await startClamd();
    service = await startServiceUnderTest({ config: `antivirus: { host: 127.0.0.1, port: ${clamd.port} }\n` });
  });
  afterAll(async () => {
    await service?.close();
    await clamd?.close();
  });
  const stored = () => readdirSync(join(service.dir.path, 'documents'));

  it("refuses the EICAR test file, found by Debian's clamd, and keeps nothing", async () => {
    const upload = await roomOf(service, await service.signIn('alice'));
    const before = stored();
    const infected = await upload('consignes.txt', `${EICAR}\n`);
    expect(infected.status).toBe(422);
    expect(((await infected.json()) as { error: string }).error).toBe('infected');
    expect(stored()).toEqual(before);
    // The control: a clean text passes the same scan.
    expect((await upload('propre.txt', 'Un texte sans virus.\n')).status).toBe(201);
  });

  it('refuses a zip bomb .docx from its central directory, and keeps nothing', async () => {
    const upload = await roomOf(service, await service.signIn('alice'));
    const before = stored();
    const bomb = await upload('rapport.docx', zipBombDocx());
    expect(bomb.status).toBe(422);
    expect(((await bomb.json()) as { error: string }).error).toBe('bomb');
    expect(stored()).toEqual(before);
  });

  it('refuses every document while clamd does not answer (fail closed), with a message in the person’s language', async () => {
    const down = await startServiceUnderTest({ config: `antivirus: { host: 127.0.0.1, port: ${await freePort()} }\n` });
    try {
      const upload = await roomOf(down, await down.signIn('alice'));
      const response = await upload('propre.txt', 'Un texte sans virus.\n');
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toMatch(/antivirus/i);
      expect(readdirSync(join(down.dir.path, 'documents'))).toEqual([]);
    } finally {
      await down.close();
    }
  });
});
