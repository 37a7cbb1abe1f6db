import { describe, expect, it } from 'vitest';
import { groupMeetingId, groupRole } from '../src/index.js';

describe("a LaBoite group's visio", () => {
  it("is LaBoite's own meeting id, <groupId>_<slug>", () => {
    expect(groupMeetingId('Kq9XHzWdNLZyBr3Ae', 'maths-6e-b')).toBe('Kq9XHzWdNLZyBr3Ae_maths-6e-b');
  });

  it('has no id for a slug or group id that is not one (a comma, a path, an empty slug)', () => {
    for (const [id, slug] of [
      ['Kq9XHzWdNLZyBr3Ae', 'a,b'],
      ['Kq9XHzWdNLZyBr3Ae', '../x'],
      ['Kq9XHzWdNLZyBr3Ae', ''],
      ['Kq9X,Hz', 'maths'],
      ['', 'maths'],
    ])
      expect(groupMeetingId(id ?? '', slug ?? '')).toBeNull();
  });

  it('makes admins and animators moderators, members viewers, and nobody else anything', () => {
    expect(groupRole(['member_maths-6e', 'admin_maths-6e'], 'maths-6e')).toBe('MODERATOR');
    expect(groupRole(['animator_maths-6e'], 'maths-6e')).toBe('MODERATOR');
    expect(groupRole(['member_maths-6e', 'admin_histoire'], 'maths-6e')).toBe('VIEWER');
    expect(groupRole(['candidate_maths-6e'], 'maths-6e')).toBeNull();
    expect(groupRole(['admin_maths-6e-b'], 'maths-6e')).toBeNull();
    expect(groupRole(['admin_maths'], 'maths-6e')).toBeNull();
    expect(groupRole('admin_maths-6e', 'maths-6e')).toBeNull();
    expect(groupRole(undefined, 'maths-6e')).toBeNull();
    expect(groupRole([42, null, 'owner_maths-6e'], 'maths-6e')).toBeNull();
  });
});
