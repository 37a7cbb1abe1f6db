import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLoginState, sealLoginState } from '../src/index.js';

const key = () => randomBytes(32);
const STATE = {
  id: 's'.repeat(43),
  nonce: 'n'.repeat(43),
  codeVerifier: 'v'.repeat(64),
  expiresAt: 1_000,
  extra: { a: 1 },
};

describe('sealed login state', () => {
  it('opens what it sealed, with the same key', () => {
    const k = key();
    expect(openLoginState([k], sealLoginState([k], STATE))).toEqual(STATE);
  });

  it('refuses a value sealed with another key', () => {
    expect(openLoginState([key()], sealLoginState([key()], STATE))).toBeNull();
  });

  it('opens with an older key during a rotation (the first key seals, every key opens)', () => {
    const [older, newer] = [key(), key()];
    const sealedBefore = sealLoginState([older], STATE);
    expect(openLoginState([newer, older], sealedBefore)).toEqual(STATE);
  });

  it('refuses every tampered value (one flipped character anywhere)', () => {
    const k = key();
    const sealed = sealLoginState([k], STATE);
    fc.assert(
      fc.property(fc.integer({ min: 3, max: sealed.length - 1 }), (index) => {
        const replacement = sealed[index] === 'A' ? 'B' : 'A';
        const tampered = `${sealed.slice(0, index)}${replacement}${sealed.slice(index + 1)}`;
        expect(openLoginState([k], tampered)).toBeNull();
      }),
    );
  });

  it('refuses garbage, an empty value and a huge one without throwing', () => {
    const k = key();
    for (const value of [undefined, '', 'v1.', 'v1.AAAA', 'v2.abc', 'x'.repeat(10_000), '%%%'])
      expect(openLoginState([k], value)).toBeNull();
  });
});
