import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PEERTUBE_USERNAME, sanitiseUsername, USERNAME_MAX } from '../src/index.js';

describe('PeerTube usernames from IdP claims', () => {
  it.each([
    ['John.Doe', 'john.doe'],
    ['jean-marc', 'jean-marc'],
    ['Chloé.Lefèvre', 'chloe.lefevre'],
    ['ÉLODIE', 'elodie'],
    ['marie dupont', 'marie_dupont'],
    ['jdoe@ac-test.fr', 'jdoe'],
    ['.hidden.', 'hidden'],
    ['a..b', 'a.b'],
    ['x'.repeat(80), 'x'.repeat(50)],
    ['ü', 'u'],
  ])('%s becomes %s', (claim, username) => {
    expect(sanitiseUsername(claim)).toBe(username);
  });

  it.each([['...'], ['---'], ['@ac-test.fr'], ['日本語'], ['']])('%s gives nothing usable', (claim) => {
    expect(sanitiseUsername(claim)).toBeNull();
  });

  it('always gives a username PeerTube accepts, or nothing (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (claim) => {
        const name = sanitiseUsername(claim);
        return name === null || (PEERTUBE_USERNAME.test(name) && name.length <= USERNAME_MAX);
      }),
      { numRuns: 10_000 },
    );
  });
});
