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

  it.each(OPEN_REDIRECT_CORPUS)('refuses %s', (_name, raw) => {
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
