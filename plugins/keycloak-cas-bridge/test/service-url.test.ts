import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchoredRegex, type MatchRule, matches, parseServiceUrl, type ServiceUrl } from '../src/core/service-url.js';
import { OPEN_REDIRECT_CORPUS } from './open-redirect-corpus.js';

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
      { numRuns: 1000 },
    );
    // fc.webUrl's generation is the slow part; a machine busy with other work once took 23 s over 3000 runs.
  }, 60_000);
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

  it.each(OPEN_REDIRECT_CORPUS)('refuses %s', (_name, raw) => {
    expect(allowed(raw)).toBe(false);
  });

  it('normalises dot segments before matching, so ../ cannot climb out of a prefix', () => {
    expect(url('https://pod.ac-test.fr/accounts/../admin').href).toBe('https://pod.ac-test.fr/admin');
    expect(allowed('https://pod.ac-test.fr/accounts/../admin')).toBe(false);
    expect(allowed('https://pod.ac-test.fr/accounts/%2e%2e/admin')).toBe(false);
  });

  it.each([
    ['a double-encoded slash after a dot-dot', 'https://pod.ac-test.fr/accounts/..%252Fadmin'],
    ['an encoded slash after an encoded dot-dot', 'https://pod.ac-test.fr/accounts/%2e%2e%2fadmin'],
    ['an encoded slash after a dot-dot', 'https://pod.ac-test.fr/accounts/..%2Fadmin'],
    ['a double-encoded dot-dot and slash', 'https://pod.ac-test.fr/accounts/%252e%252e%252fadmin'],
    ['a Tomcat path parameter on dot-dot', 'https://pod.ac-test.fr/accounts/..;/admin'],
    ['an encoded Tomcat path parameter', 'https://pod.ac-test.fr/accounts/..%3B/admin'],
    ['a dot-dot under a regex rule', 'https://a.college.ac-test.fr/x/..%2F..%2Fadmin'],
  ])('refuses %s (issue 10)', (_name, raw) => {
    expect(allowed(raw)).toBe(false);
  });

  it('still allows semicolons and encoded characters that no server reads as a path step', () => {
    expect(allowed('https://pod.ac-test.fr/accounts/login;jsessionid=abc')).toBe(true);
    expect(allowed('https://pod.ac-test.fr/accounts/caf%C3%A9')).toBe(true);
    expect(allowed('https://pod.ac-test.fr/accounts/?next=%2Fadmin%2F..%2F')).toBe(true);
  });

  it('never lets a path-prefix match reach outside the prefix, however a lenient server decodes (property)', () => {
    // A lenient server: decodes percent-escapes up to three times, treats \ as /, drops ;params, resolves dot
    // segments. Whatever the bridge accepts under /accounts must stay under /accounts there.
    const lenient = (path: string) => {
      let p = path;
      for (let i = 0; i < 3; i++) {
        try {
          p = decodeURIComponent(p);
        } catch {
          break;
        }
      }
      const out: string[] = [];
      for (const raw of p.replace(/\\/g, '/').split('/')) {
        const segment = raw.split(';')[0] ?? '';
        if (segment === '..') out.pop();
        else if (segment !== '.') out.push(segment);
      }
      return out.join('/');
    };
    const piece = fc.constantFrom(
      '..',
      '.',
      '%2e',
      '%2E',
      '%2e%2e',
      '.%2e',
      '%2f',
      '%2F',
      '%252F',
      '%252f',
      '%25',
      '%5c',
      ';',
      '..;',
      '%3b',
      'admin',
      'a',
      '/',
      '//',
      '%252e%252e',
      'x%2Fy',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        const raw = `https://pod.ac-test.fr/accounts/${pieces.join('')}`;
        const parsed = parseServiceUrl(raw);
        if (!parsed.ok || !allowed(raw)) return true;
        const resolved = lenient(parsed.url.path);
        return resolved === '/accounts' || resolved.startsWith('/accounts/');
      }),
      { numRuns: 20_000 },
    );
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
