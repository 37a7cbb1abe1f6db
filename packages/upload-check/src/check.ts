import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileTypeFromTokenizer } from 'file-type';
import sanitize from 'sanitize-filename';
import { fromFile } from 'strtok3';
import yauzl from 'yauzl';
import { type Localized, t } from './i18n.js';

/**
 * What BigBlueButton converts (shared/reference/bbb.md: pdf, doc(x), xls(x), ppt(x), odt, ods, odp, rtf, txt, jpg,
 * jpeg, png, svg), each with what its content must be as file-type sees it. Old office formats are OLE compound files
 * (`cfb`); text, SVG have no magic number and are checked as text.
 */
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  pdf: ['pdf'],
  docx: ['docx'],
  xlsx: ['xlsx'],
  pptx: ['pptx'],
  odt: ['odt'],
  ods: ['ods'],
  odp: ['odp'],
  doc: ['cfb'],
  xls: ['cfb'],
  ppt: ['cfb'],
  rtf: ['rtf'],
  jpg: ['jpg'],
  jpeg: ['jpg'],
  png: ['png'],
  txt: ['text'],
  svg: ['svg'],
};
const ARCHIVES = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp']);
export const BBB_EXTENSIONS = Object.keys(FORMATS);
/** BigBlueButton's own limit (bigbluebutton.properties maxFileSizeUpload). */
export const BBB_MAX_BYTES = 30_000_000;

export interface CheckOptions {
  readonly maxBytes?: number;
  /** An office archive whose entries declare more than this, once expanded, is a zip bomb. */
  readonly maxExpandedBytes?: number;
  readonly maxEntries?: number;
}

export type CheckResult =
  | { readonly ok: true; readonly filename: string; readonly extension: string; readonly size: number }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: Localized };

export type RefusalReason = 'empty' | 'too_large' | 'not_allowed' | 'mismatch' | 'archive' | 'bomb' | 'name';

/**
 * A safe filename: no directory, no control or reserved character, at most 150 characters before a lower-case
 * extension (BigBlueButton silently drops a document without one).
 */
export function safeFilename(original: string): string | null {
  const base = (original.split(/[\\/]/).pop() ?? '').normalize('NFC').replace(/\p{Cc}/gu, '');
  const dot = base.lastIndexOf('.');
  // No extension, or only one (".htaccess": a hidden file, not a document).
  if (dot <= 0) return null;
  const extension = base.slice(dot + 1).toLowerCase();
  if (!/^[a-z0-9]{1,8}$/.test(extension)) return null;
  // The stem is cut before sanitize-filename, which cuts at 255 bytes and would take the extension with it.
  const stem = sanitize(base.slice(0, dot).slice(0, 150), { replacement: '_' }).replace(/^\.+/, '').trim();
  return stem ? `${stem}.${extension}` : null;
}

/** The start of a UTF-8 text without NUL (a character cut at the end of these bytes is not an error). */
function startsAsText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** A whole UTF-8 text file without NUL, read as a stream (a 30 MB text is never held whole). */
async function isText(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) {
      if ((chunk as Buffer).includes(0)) return false;
      decoder.decode(chunk as Buffer, { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

async function head(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What the archive's central directory declares: entry count and expanded size (nothing is inflated). */
function archiveTotals(path: string, maxEntries: number): Promise<{ entries: number; expanded: number }> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true },
      (error, zip) => {
        if (error || !zip) return reject(error ?? new Error('not a zip'));
        let entries = 0;
        let expanded = 0;
        zip.on('entry', (entry: yauzl.Entry) => {
          entries++;
          expanded += entry.uncompressedSize;
          if (entries > maxEntries) {
            zip.close();
            return resolve({ entries, expanded });
          }
          zip.readEntry();
        });
        zip.on('end', () => resolve({ entries, expanded }));
        zip.on('error', reject);
        zip.readEntry();
      },
    );
  });
}

/**
 * Checks a stored upload (read from disk, never whole in memory): its size, its extension among BigBlueButton's
 * formats, its content as that format (a program renamed .pdf is refused), and for office archives the entry count
 * and expanded size their directory declares (a zip bomb is refused without inflating anything).
 */
export async function checkDocument(
  path: string,
  originalName: string,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const maxBytes = options.maxBytes ?? BBB_MAX_BYTES;
  const maxExpanded = options.maxExpandedBytes ?? 200 * 1024 * 1024;
  const maxEntries = options.maxEntries ?? 2_000;
  const refuse = (reason: RefusalReason, key: Parameters<typeof t>[0], values: Record<string, string | number> = {}) =>
    ({ ok: false, reason, message: t(key, { name: originalName.slice(0, 200), ...values }) }) as const;
  const filename = safeFilename(originalName);
  if (!filename) return refuse('name', 'refused.name');
  const extension = extname(filename).slice(1);
  const expected = FORMATS[extension];
  if (!expected) return refuse('not_allowed', 'refused.notAllowed');
  const { size } = await stat(path);
  if (size === 0) return refuse('empty', 'refused.empty');
  if (size > maxBytes) return refuse('too_large', 'refused.tooLarge', { max: Math.floor(maxBytes / 1_000_000) });
  // file-type's own fromFile loads strtok3 through a runtime import that a bundle (the service package) cannot
  // follow: the tokenizer is opened here, with a static import.
  const tokenizer = await fromFile(path);
  let detected: string | undefined;
  try {
    detected = (await fileTypeFromTokenizer(tokenizer))?.ext;
  } finally {
    await tokenizer.close();
  }
  let kind: string | undefined = detected;
  if (kind === undefined) {
    const bytes = await head(path, 4096);
    const textual = startsAsText(bytes);
    const start = bytes.toString('utf8');
    if (textual && /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(start)) kind = 'svg';
    else if (textual && extension === 'txt') kind = (await isText(path)) ? 'text' : undefined;
  } else if (kind === 'xml' && extension === 'svg') {
    kind = /<svg[\s>]/i.test((await head(path, 4096)).toString('utf8')) ? 'svg' : kind;
  }
  if (!kind || !expected.includes(kind))
    return refuse('mismatch', 'refused.mismatch', { detected: detected ?? 'inconnu / unknown' });
  if (ARCHIVES.has(extension)) {
    let totals: { entries: number; expanded: number };
    try {
      totals = await archiveTotals(path, maxEntries);
    } catch {
      return refuse('archive', 'refused.archive');
    }
    if (totals.entries > maxEntries || totals.expanded > maxExpanded)
      return refuse('bomb', 'refused.bomb', { max: Math.floor(maxExpanded / 1_000_000), entries: maxEntries });
  }
  return { ok: true, filename, extension, size };
}
