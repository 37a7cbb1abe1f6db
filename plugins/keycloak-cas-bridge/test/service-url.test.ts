import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchoredRegex, type MatchRule, matches, parseServiceUrl, type ServiceUrl } from '../src/core/service-url.js';

function url(raw: string): ServiceUrl {
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok) throw new Error(`${raw}: ${parsed.problem}`);
  return parsed.url;
}

const rules: MatchRule[] = [
  { kind: 'prefix', url: url('https://moodle.ac-test.fr/') },
  { kind: 'exact', url: url('https://ent.ac-test.fr/cas/callback') },
  { kind: 'prefix', url: url('https://pod.ac-test.fr/accounts') },
  { kind: 'regex', pattern: anchoredRegex('https://[a-z0-9-]+\\.college\\.ac-test\\.fr/.*') },
];
const allowed = (raw: string) => {
  const parsed = parseServiceUrl(raw);
  return parsed.ok && rules.some((rule) => matches(rule, parsed.url));
};

describe('canonical service URLs', () => {
  it('lower-cases scheme and host and removes the default port', () => {
    expect(url('HTTPS://Moodle.AC-Test.fr:443/login').href).toBe('https://moodle.ac-test.fr/login');
    expect(url('http://moodle.ac-test.fr:80/').href).toBe('http://moodle.ac-test.fr/');
    expect(url('https://moodle.ac-test.fr:8443/').href).toBe('https://moodle.ac-test.fr:8443/');
  });

  it('compares percent-encodings decoded: mod_auth_cas, phpCAS and a plain form give one URL', () => {
    const forms = [
      'https://moodle.ac-test.fr/login/index.php?redirect=https%3a%2f%2fx.fr%2fa',
      'https://moodle.ac-test.fr/login/index.php?redirect=https%3A%2F%2Fx.fr%2Fa',
      'https://moodle.ac-test.fr/login/index%2Ephp?redirect=https%3A//x.fr/a',
    ];
    expect(new Set(forms.map((f) => url(f).href)).size).toBe(1);
    expect(url('https://moodle.ac-test.fr/%7Euser/caf%C3%A9').href).toBe('https://moodle.ac-test.fr/~user/caf%C3%A9');
  });

  it('drops the fragment', () => {
    expect(url('https://moodle.ac-test.fr/a#frag').href).toBe('https://moodle.ac-test.fr/a');
  });

  it('is idempotent: the canonical form of a canonical form is itself (property)', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const first = parseServiceUrl(raw);
        if (!first.ok) return true;
        const second = parseServiceUrl(first.url.href);
        return second.ok && second.url.href === first.url.href;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('matching rules', () => {
  it.each([
    'https://moodle.ac-test.fr/',
    'https://moodle.ac-test.fr/login/index.php?x=1',
    'https://ent.ac-test.fr/cas/callback',
    'https://pod.ac-test.fr/accounts',
    'https://pod.ac-test.fr/accounts/login/?next=/',
    'https://clg-jean-moulin.college.ac-test.fr/cas',
    'HTTPS://MOODLE.AC-TEST.FR:443/course',
  ])('allows %s', (raw) => {
    expect(allowed(raw)).toBe(true);
  });

  // The open-redirect corpus: none of these may ever be redirected to.
  it.each([
    ['another host', 'https://evil.fr/'],
    ['a look-alike suffix', 'https://moodle.ac-test.fr.evil.fr/'],
    ['a look-alike prefix', 'https://evilmoodle.ac-test.fr/'],
    ['scheme-relative', '//evil.fr/'],
    ['scheme-relative to the good host', '//moodle.ac-test.fr/'],
    ['path only', '/login'],
    ['userinfo with the good host', 'https://moodle.ac-test.fr@evil.fr/'],
    ['userinfo with a password', 'https://moodle.ac-test.fr:x@evil.fr/'],
    ['empty userinfo', 'https://@moodle.ac-test.fr/'],
    ['backslash authority', 'https://moodle.ac-test.fr\\@evil.fr/'],
    ['backslash scheme-relative', '\\\\evil.fr/'],
    ['backslashes as slashes', 'https:\\\\evil.fr\\'],
    ['encoded backslash', 'https://moodle.ac-test.fr/%5c%5cevil.fr'],
    ['Unicode ideographic full stop', 'https://evil\u3002fr/'],
    ['Unicode fullwidth full stop in the good host', 'https://moodle\uff0eac-test\uff0efr.evil.fr/'],
    ['encoded CR LF (header injection)', 'https://moodle.ac-test.fr/%0d%0aLocation:%20https://evil.fr'],
    ['raw CR LF', 'https://moodle.ac-test.fr/\r\nLocation: https://evil.fr'],
    ['encoded NUL', 'https://moodle.ac-test.fr/%00'],
    ['tab in the host', 'https://moodle.ac-test.fr\t.evil.fr/'],
    ['javascript:', 'javascript:alert(document.domain)//https://moodle.ac-test.fr/'],
    ['javascript: with spaces', ' javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://moodle.ac-test.fr/'],
    ['a very long URL', `https://moodle.ac-test.fr/${'a'.repeat(3000)}`],
    ['a prefix rule crossed at a non-segment boundary', 'https://pod.ac-test.fr/accounts-evil'],
    ['a prefix rule on another port', 'https://moodle.ac-test.fr:8443/'],
    ['a prefix rule over http', 'http://moodle.ac-test.fr/'],
    ['an exact rule with a query added', 'https://ent.ac-test.fr/cas/callback?next=https://evil.fr'],
    ['an exact rule with a path added', 'https://ent.ac-test.fr/cas/callback/../../evil'],
    ['a regex escaping its anchor', 'https://evil.fr/?https://x.college.ac-test.fr/'],
    ['a regex with a dot host', 'https://x.college.ac-test.fr.evil.fr/'],
    ['bad percent-encoding', 'https://moodle.ac-test.fr/%E0%A4%A'],
    ['empty', ''],
    ['an IPv4 literal', 'https://127.0.0.1/'],
    ['a dotted-decimal trick', 'https://0x7f.1/'],
  ])('refuses %s', (_name, raw) => {
    expect(allowed(raw)).toBe(false);
  });

  it('normalises dot segments before matching, so ../ cannot climb out of a prefix', () => {
    expect(url('https://pod.ac-test.fr/accounts/../admin').href).toBe('https://pod.ac-test.fr/admin');
    expect(allowed('https://pod.ac-test.fr/accounts/../admin')).toBe(false);
    expect(allowed('https://pod.ac-test.fr/accounts/%2e%2e/admin')).toBe(false);
  });

  it("never matches a URL whose host differs from every rule's (property)", () => {
    fc.assert(
      fc.property(fc.webUrl(), (raw) => {
        const parsed = parseServiceUrl(raw);
        if (!parsed.ok) return true;
        const host = new URL(parsed.url.href).hostname;
        const known =
          ['moodle.ac-test.fr', 'ent.ac-test.fr', 'pod.ac-test.fr'].includes(host) ||
          host.endsWith('.college.ac-test.fr');
        return known || !allowed(raw);
      }),
      { numRuns: 3000 },
    );
  });
});
