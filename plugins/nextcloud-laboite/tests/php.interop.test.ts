import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand, run, tempDir, unpackNextcloudApp } from '@apps-education/testkit';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phpFiles } from './app-files.js';

/** The PHP shell as shipped: every file of the tarball parses, and PHPUnit passes against the tarball's lib/. */
let dir: Awaited<ReturnType<typeof tempDir>>;
let app: string;
beforeAll(async () => {
  dir = await tempDir('nextcloud-laboite-php-');
  app = unpackNextcloudApp('laboite', dir.path);
});
afterAll(() => dir.remove());

describe('the PHP shell of the app tarball', () => {
  it('parses with php -l, every file', () => {
    const php = requireCommand('php', 'php-cli');
    const files = phpFiles(app);
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(run(php, ['-l', file])).toMatch(/^No syntax errors detected/);
  });

  it('passes PHPUnit (tests/php) against the lib/ it ships', () => {
    const phpunit = requireCommand('phpunit', 'phpunit');
    requireCommand('php', 'php-sqlite3');
    const report = join(dir.path, 'junit.xml');
    const tests = new URL('./php/', import.meta.url).pathname;
    const output = (() => {
      try {
        return run('env', [`LABOITE_APP_DIR=${app}`, phpunit, '-c', join(tests, 'phpunit.xml'), '--log-junit', report]);
      } catch (error) {
        throw new Error(`PHPUnit failed:\n${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    expect(output).toMatch(/^OK \(\d+ tests?, \d+ assertions?\)$/m);
    const suite = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(report, 'utf8')) as {
      testsuites: { testsuite: { '@_tests': string; '@_failures': string; '@_errors': string } };
    };
    const { '@_tests': count, '@_failures': failures, '@_errors': errors } = suite.testsuites.testsuite;
    expect({ failures, errors }).toEqual({ failures: '0', errors: '0' });
    expect(Number(count)).toBeGreaterThanOrEqual(38);
  });
});
