import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { artefact, tempDir, unpackNextcloudApp } from '@apps-education/testkit';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phpFiles, tsFiles } from './app-files.js';

const here = dirname(fileURLToPath(import.meta.url));

/** What `pnpm build` ships, read as the app store and `occ app:install` read it. */
let dir: Awaited<ReturnType<typeof tempDir>>;
let app: string;
beforeAll(async () => {
  dir = await tempDir('nextcloud-laboite-');
  app = unpackNextcloudApp('laboite', dir.path);
});
afterAll(() => dir.remove());

type Localised = string | { '#text': string; '@_lang'?: string };
interface InfoXml {
  info: {
    id: string;
    name: Localised[];
    summary: Localised[];
    description: Localised[];
    version: string;
    licence: string;
    namespace: string;
    category: string[];
    bugs: string;
    author: Localised;
    dependencies: {
      php?: { '@_min-version'?: string };
      nextcloud: { '@_min-version': string; '@_max-version': string };
    };
  };
}

function infoXml(): InfoXml['info'] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['name', 'summary', 'description', 'category'].includes(name),
  });
  return (parser.parse(readFileSync(join(app, 'appinfo', 'info.xml'), 'utf8')) as InfoXml).info;
}

const text = (value: Localised) => (typeof value === 'string' ? value : value['#text']);
const inLanguage = (values: Localised[], lang: string | undefined) =>
  values.filter((v) => (typeof v === 'string' ? undefined : v['@_lang']) === lang).map(text);

describe('the app tarball (dist/laboite-<version>.tar.gz)', () => {
  it('is named after the id and version of its info.xml, with laboite/ alone at the top', () => {
    const info = infoXml();
    expect(artefact('laboite-').endsWith(`laboite-${info.version}.tar.gz`)).toBe(true);
    const entries = execFileSync('tar', ['-tzf', artefact('laboite-')], { encoding: 'utf8' }).split('\n');
    expect(entries.filter(Boolean).every((entry) => entry.startsWith('laboite/'))).toBe(true);
  });

  it('holds the app and no development files', () => {
    const entries = execFileSync('tar', ['-tzf', artefact('laboite-')], { encoding: 'utf8' }).split('\n');
    expect(entries).toContain('laboite/appinfo/info.xml');
    expect(entries).toContain('laboite/lib/AppInfo/Application.php');
    expect(entries).toContain('laboite/lib/Service/SignatureVerifier.php');
    expect(entries).toContain('laboite/README.md');
    expect(entries).toContain('laboite/templates/admin.php');
    // The front end, built: the two entry points Nextcloud's Util::addScript finds by name, their licences.
    expect(entries).toContain('laboite/js/laboite-admin.mjs');
    expect(entries).toContain('laboite/js/laboite-files.mjs');
    expect(entries).toContain('laboite/js/laboite-files.mjs.license');
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect(entries.filter((e) => /\/(tests|src|node_modules)\/|package\.json$|tsconfig|build\.ts$/.test(e))).toEqual(
      [],
    );
  });
});

describe("appinfo/info.xml against the app store's rules", () => {
  it('has an id of lower-case letters equal to the folder, a semantic version and an AGPL licence', () => {
    const info = infoXml();
    expect(info.id).toBe('laboite');
    expect(info.id).toMatch(/^[a-z_]+$/);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(info.version).toBe(manifest.version);
    expect(info.licence).toBe('agpl');
    expect(info.namespace).toBe('LaBoite');
    expect(info.bugs).toMatch(/^https:\/\//);
    expect(info.category.length).toBeGreaterThan(0);
  });

  it('supports Nextcloud 31 and later up to a maximum, as the store requires, and PHP 8.1 or later', () => {
    const { nextcloud, php } = infoXml().dependencies;
    expect(nextcloud['@_min-version']).toBe('31');
    expect(Number(nextcloud['@_max-version'])).toBeGreaterThanOrEqual(32);
    expect(php?.['@_min-version']).toBe('8.1');
  });

  it('names and describes the app in English and in French', () => {
    const info = infoXml();
    for (const field of ['name', 'summary', 'description'] as const) {
      expect(inLanguage(info[field], undefined).join('').length, `${field} in English`).toBeGreaterThan(0);
      expect(inLanguage(info[field], 'fr').join('').length, `${field} in French`).toBeGreaterThan(0);
    }
    expect(inLanguage(info.summary, undefined)[0]?.length).toBeLessThanOrEqual(255);
  });
});

describe("the app's texts in French (l10n/)", () => {
  it('translates every text the PHP code passes to $l->t(), with its placeholders', () => {
    const texts = phpFiles(join(app, 'lib')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/->t\('((?:[^'\\]|\\.)*)'/g)].map((m) =>
        (m[1] ?? '').replace(/\\'/g, "'"),
      ),
    );
    expect(texts.length).toBeGreaterThanOrEqual(4);
    const fr = JSON.parse(readFileSync(join(app, 'l10n', 'fr.json'), 'utf8')) as {
      translations: Record<string, string>;
      pluralForm: string;
    };
    for (const text of texts) {
      const translation = fr.translations[text];
      expect(translation, text).toBeTypeOf('string');
      expect(translation?.match(/%(\d\$)?s/g)?.sort(), text).toEqual(text.match(/%(\d\$)?s/g)?.sort());
    }
  });

  it("translates every text the front end (src/) passes to t('laboite', ...), with its {placeholders}", () => {
    const texts = tsFiles(join(here, '..', 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bt\(\s*'laboite',\s*'((?:[^'\\]|\\.)*)'/g)].map((m) =>
        (m[1] ?? '').replace(/\\'/g, "'").replace(/\\u2019/g, '\u2019'),
      ),
    );
    expect(texts.length).toBeGreaterThanOrEqual(30);
    const fr = JSON.parse(readFileSync(join(app, 'l10n', 'fr.json'), 'utf8')) as {
      translations: Record<string, string>;
    };
    for (const text of texts) {
      const translation = fr.translations[text];
      expect(translation, text).toBeTypeOf('string');
      expect(translation?.match(/\{\w+\}/g)?.sort(), text).toEqual(text.match(/\{\w+\}/g)?.sort());
    }
  });

  it('gives the browser the same translations in fr.js as the server in fr.json', () => {
    const json = JSON.parse(readFileSync(join(app, 'l10n', 'fr.json'), 'utf8')) as {
      translations: Record<string, string>;
      pluralForm: string;
    };
    const registered: unknown[][] = [];
    runInNewContext(readFileSync(join(app, 'l10n', 'fr.js'), 'utf8'), {
      OC: { L10N: { register: (...args: unknown[]) => registered.push(args) } },
    });
    expect(registered).toEqual([['laboite', json.translations, json.pluralForm]]);
  });
});
