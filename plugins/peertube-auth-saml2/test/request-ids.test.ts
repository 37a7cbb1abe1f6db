import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkRequestId, issueRequestId } from '../src/core/request-ids.js';

const key = randomBytes(32);
const other = randomBytes(32);
const NOW = 1_800_000_000_000;

describe('AuthnRequest ids that prove themselves', () => {
  it('are xs:IDs, unique, and check out under the key until they expire', () => {
    const a = issueRequestId(key, NOW, 600_000);
    const b = issueRequestId(key, NOW, 600_000);
    expect(a.id).toMatch(/^_[A-Za-z0-9._-]+$/);
    expect(a.id).not.toBe(b.id);
    const checked = checkRequestId(a.id, [key], NOW + 599_999);
    expect(checked).toEqual({
      ok: true,
      expiresAt: NOW + 600_000,
      claimKey: expect.stringMatching(/^r:[0-9a-f]{32}$/),
    });
    expect(checkRequestId(a.id, [key], NOW + 600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('are refused under another key, and accepted under a retired key still listed', () => {
    const { id } = issueRequestId(key, NOW, 600_000);
    expect(checkRequestId(id, [other], NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(checkRequestId(id, [other, key], NOW).ok).toBe(true);
  });

  it('cannot have their expiry moved: the MAC covers it', () => {
    const { id } = issueRequestId(key, NOW, 600_000);
    const [, expiry, nonce, mac] = /^_([^.]+)\.([^.]+)\.([^.]+)$/.exec(id) ?? [];
    const later = `_${(Number.parseInt(expiry ?? '', 36) + 3_600_000).toString(36)}.${nonce}.${mac}`;
    expect(checkRequestId(later, [key], NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses anything else as malformed (a foreign IdP id, an empty string, a huge value)', () => {
    for (const id of ['', '_abc', 'ONELOGIN_4fee3b046395c4e751011e97f8900b5273d56685', `_${'a'.repeat(5000)}`])
      expect(checkRequestId(id, [key], NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});
