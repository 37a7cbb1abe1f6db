import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clamd, EICAR, startClamd, type TempDir, tempDir } from '@apps-education/testkit';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClamdScanner } from '../src/index.js';

/** Documents scanned by a real clamd from Debian (custom EICAR signature, no download). */
describe('antivirus (clamd INSTREAM)', () => {
  let clamd: Clamd;
  let small: Clamd;
  let dir: TempDir;
  const file = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir.path, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    dir = await tempDir('antivirus-');
    clamd = await startClamd();
    small = await startClamd({ streamMaxLength: '1M' });
  });
  afterAll(async () => {
    await Promise.all([clamd?.close(), small?.close()]);
    await dir?.remove();
  });

  it('passes a clean document, streamed in chunks (3 MB)', async () => {
    const scanner = createClamdScanner({ port: clamd.port });
    expect(await scanner.scanFile(file('cours.pdf', randomBytes(3_000_000)), 'cours.pdf')).toEqual({ clean: true });
  });

  it('refuses the EICAR test file, alone and inside an office archive, naming the signature', async () => {
    const scanner = createClamdScanner({ port: clamd.port });
    const found = await scanner.scanFile(file('eicar.pdf', EICAR), 'sujet.pdf');
    expect(found).toMatchObject({ clean: false, reason: 'infected', signature: 'Eicar-Test.UNOFFICIAL' });
    expect(!found.clean && found.message.fr).toContain("L'antivirus a trouvé une menace dans « sujet.pdf »");
    const docx = zipSync({ 'word/media/eicar.txt': new TextEncoder().encode(EICAR) });
    expect(await scanner.scanFile(file('eicar.docx', docx), 'devoir.docx')).toMatchObject({
      clean: false,
      reason: 'infected',
    });
  });

  it('never accepts unscanned: clamd down, or a file over its stream limit, is not clean', async () => {
    const down = createClamdScanner({ port: 9, timeoutMs: 2_000 });
    const unavailable = await down.scanFile(file('a.pdf', 'x'), 'a.pdf');
    expect(unavailable).toMatchObject({ clean: false, reason: 'unavailable' });
    expect(!unavailable.clean && unavailable.message.en).toContain('cannot be reached');
    const big = file('big.pdf', randomBytes(3_000_000));
    // Known to be over clamd's limit: refused before sending.
    expect(
      await createClamdScanner({ port: small.port, streamMaxBytes: 1024 * 1024 }).scanFile(big, 'big.pdf'),
    ).toMatchObject({
      clean: false,
      reason: 'too_large',
    });
    // Not known (a clamd configured smaller than said): clamd cuts the stream, and that is not clean either.
    const cut = await createClamdScanner({ port: small.port }).scanFile(big, 'big.pdf');
    expect(cut.clean).toBe(false);
    expect(['too_large', 'unavailable']).toContain(!cut.clean && cut.reason);
    const missing = await createClamdScanner({ port: clamd.port }).scanFile(
      join(dir.path, 'nothing.pdf'),
      'nothing.pdf',
    );
    expect(missing).toMatchObject({ clean: false, reason: 'unavailable' });
  });
});
