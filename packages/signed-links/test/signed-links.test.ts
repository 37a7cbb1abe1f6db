import { describe, expect, it } from 'vitest';
import { createSignedLinks } from '../src/index.js';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!';
const NOW = 1_800_000_000_000;
const links = createSignedLinks({
  secrets: [SECRET],
  purpose: 'bbb-document',
  baseUrl: 'https://salles.ac-test.fr/documents/',
  ttlMs: 10 * 60_000,
});
const query = (url: string) => new URL(url).searchParams;

describe('signed links', () => {
  it('open their own document until they expire', () => {
    const url = links.sign('doc-1', NOW);
    expect(url).toMatch(/^https:\/\/salles\.ac-test\.fr\/documents\/doc-1\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
    expect(links.check('doc-1', query(url), NOW + 9 * 60_000)).toBeNull();
    expect(links.check('doc-1', query(url), NOW + 10 * 60_000)).toBe('expired');
  });

  it("never open another document, another purpose's resource, or a link whose expiry was moved", () => {
    const url = links.sign('doc-1', NOW);
    expect(links.check('doc-2', query(url), NOW)).toBe('forged');
    const recordings = createSignedLinks({
      secrets: [SECRET],
      purpose: 'recording',
      baseUrl: 'https://x/',
      ttlMs: 600_000,
    });
    expect(recordings.check('doc-1', query(url), NOW)).toBe('forged');
    const moved = new URL(url);
    moved.searchParams.set('exp', String(Number(moved.searchParams.get('exp')) + 3600));
    expect(links.check('doc-1', moved.searchParams, NOW)).toBe('forged');
  });

  it('refuse a missing or malformed signature, and a link valid for longer than any made today', () => {
    expect(links.check('doc-1', new URLSearchParams(), NOW)).toBe('missing');
    expect(links.check('doc-1', { exp: '1', sig: 'short' }, NOW)).toBe('malformed');
    expect(links.check('doc-1', { exp: ['1'], sig: 'x' }, NOW)).toBe('missing');
    const longLived = createSignedLinks({
      secrets: [SECRET],
      purpose: 'bbb-document',
      baseUrl: 'https://x/',
      ttlMs: 24 * 3_600_000,
    });
    expect(links.check('doc-1', query(longLived.sign('doc-1', NOW)), NOW)).toBe('too_far');
  });

  it('verify with a retired secret during a rotation, and refuse weak secrets', () => {
    const before = links.sign('doc-1', NOW);
    const rotated = createSignedLinks({
      secrets: ['a-new-secret-of-at-least-thirty-two-bytes', SECRET],
      purpose: 'bbb-document',
      baseUrl: 'https://salles.ac-test.fr/documents/',
      ttlMs: 10 * 60_000,
    });
    expect(rotated.check('doc-1', query(before), NOW)).toBeNull();
    expect(() => createSignedLinks({ secrets: ['short'], purpose: 'p', baseUrl: 'https://x/', ttlMs: 60_000 })).toThrow(
      /32 bytes/,
    );
  });
});
