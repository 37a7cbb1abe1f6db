import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDocument, safeFilename } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'upload-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (bytes: Uint8Array | string) => {
  const path = join(dir, `upload-${n++}`);
  writeFileSync(path, bytes);
  return path;
};

const PDF =
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c626001000000050001a5f645400000000049454e44ae426082',
  'hex',
);
const docx = (extra: Record<string, Uint8Array> = {}) =>
  zipSync({
    '[Content_Types].xml': new TextEncoder().encode(
      '<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    'word/document.xml': new TextEncoder().encode('<w:document/>'),
    ...extra,
  });
/** The same archive, its central directory claiming `size` bytes expanded for every entry (nothing to inflate). */
function claimExpanded(zip: Uint8Array, size: number): Buffer {
  const bytes = Buffer.from(zip);
  const central = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let i = bytes.indexOf(central); i >= 0; i = bytes.indexOf(central, i + 4)) bytes.writeUInt32LE(size, i + 24);
  return bytes;
}

describe('documents for BigBlueButton', () => {
  it('takes a PDF, a PNG, a docx, text and an SVG whose content is what their name says', async () => {
    expect(await checkDocument(file(PDF), 'Cours de maths.PDF')).toEqual({
      ok: true,
      filename: 'Cours de maths.pdf',
      extension: 'pdf',
      size: PDF.length,
    });
    expect(await checkDocument(file(PNG), 'schéma.png')).toMatchObject({ ok: true, extension: 'png' });
    expect(await checkDocument(file(docx()), 'Fiche élève.docx')).toMatchObject({
      ok: true,
      filename: 'Fiche élève.docx',
    });
    expect(await checkDocument(file('Consignes : lire le chapitre 3.\n'), 'consignes.txt')).toMatchObject({ ok: true });
    expect(
      await checkDocument(file('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'), 'figure.svg'),
    ).toMatchObject({ ok: true });
  });

  it('takes a long text whose 4096th byte falls inside a character, read as a stream', async () => {
    const text = `${'a'.repeat(4095)}${'é'.repeat(100_000)}\n`;
    expect(await checkDocument(file(text), 'long.txt')).toMatchObject({ ok: true, size: Buffer.byteLength(text) });
    expect(await checkDocument(file(Buffer.concat([Buffer.from(text), Buffer.from([0xff])])), 'bad.txt')).toMatchObject(
      {
        ok: false,
        reason: 'mismatch',
      },
    );
  });

  it('refuses a program renamed .pdf, and an image named .docx, saying what it is', async () => {
    const elf = Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), Buffer.alloc(64)]);
    const renamed = await checkDocument(file(elf), 'sujet.pdf');
    expect(renamed).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(!renamed.ok && renamed.message.fr).toContain('ne correspond pas à son nom (elf)');
    expect(await checkDocument(file(PNG), 'devoir.docx')).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(await checkDocument(file(Buffer.from([0, 1, 2, 3, 0])), 'notes.txt')).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('refuses what BigBlueButton does not convert, an empty file and one over 30,000,000 bytes', async () => {
    expect(await checkDocument(file(PDF), 'script.exe')).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(await checkDocument(file(''), 'vide.pdf')).toMatchObject({ ok: false, reason: 'empty' });
    const big = await checkDocument(file(PDF), 'gros.pdf', { maxBytes: 10 });
    expect(big).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('refuses an office archive that would expand absurdly or holds too many parts, without inflating it', async () => {
    const bomb = await checkDocument(file(claimExpanded(docx(), 2_000_000_000)), 'bombe.docx');
    expect(bomb).toMatchObject({ ok: false, reason: 'bomb' });
    expect(!bomb.ok && bomb.message.en).toContain('would expand to more than 209 MB');
    const parts = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`word/media/p${i}.xml`, new Uint8Array(1)]));
    expect(await checkDocument(file(docx(parts)), 'parts.docx', { maxEntries: 20 })).toMatchObject({
      ok: false,
      reason: 'bomb',
    });
    const truncated = docx().subarray(0, 60);
    expect((await checkDocument(file(truncated), 'abime.docx')).ok).toBe(false);
  });

  it('makes a safe filename that always has an extension: no directory, no control character, not hidden', () => {
    expect(safeFilename('../../etc/passwd.pdf')).toBe('passwd.pdf');
    expect(safeFilename('C:\\Users\\prof\\cours.PDF')).toBe('cours.pdf');
    expect(safeFilename('a\u0000b\u001fc\u0085.pdf')).toBe('abc.pdf');
    expect(safeFilename('.htaccess')).toBeNull();
    expect(safeFilename('sans-extension')).toBeNull();
    expect(safeFilename('que<>:"|?*.docx')).toBe('que_______.docx');
    // Long names are cut before the extension, within the 255 bytes a file system takes.
    const long = safeFilename(`${'é'.repeat(400)}.pdf`) ?? '';
    expect(long.endsWith('é.pdf')).toBe(true);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(259);
  });

  it('reads the file, never more than needed: the uploaded bytes stay as they were', async () => {
    const path = file(PDF);
    await checkDocument(path, 'cours.pdf');
    expect(readFileSync(path, 'utf8')).toBe(PDF);
  });
});
