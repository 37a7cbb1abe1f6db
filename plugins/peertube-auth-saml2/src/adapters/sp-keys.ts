import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSpCredentials, type SpCredentials } from '@apps-education/saml-login';

const FILE = 'sp-credentials.json';

/**
 * The SP's key and certificate kept in the plugin's data folder (peertubeHelpers.plugin.getDataDirectoryPath()),
 * made at the first start when the administrator pasted none. Written to a private temporary file (mode 0600) and
 * hard-linked to its name, which fails if another PeerTube process made it first: then that one is read, so every
 * process signs and decrypts with the same key.
 */
export async function loadOrCreateSpKey(dataDir: string, commonName: string): Promise<SpCredentials> {
  const file = join(dataDir, FILE);
  const existing = await read(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const made = await generateSpCredentials({ commonName });
  const temp = join(dataDir, `.${FILE}.${randomBytes(6).toString('hex')}`);
  await writeFile(temp, JSON.stringify(made), { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
    return made;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await read(file);
    if (!winner) throw new Error(`${file} exists but holds no key and certificate`);
    return winner;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function read(file: string): Promise<SpCredentials | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const value = JSON.parse(text) as Partial<SpCredentials>;
  if (typeof value.privateKeyPem !== 'string' || typeof value.certificatePem !== 'string')
    throw new Error(`${file} holds no key and certificate: remove it to make new ones`);
  return { privateKeyPem: value.privateKeyPem, certificatePem: value.certificatePem };
}
