import { describe, expect, it } from 'vitest';
import { translate } from '../src/core/i18n.js';
import {
  checkGuestName,
  checkRoomName,
  checkSettings,
  checkUsername,
  moveDocument,
  presentationOrder,
  roomMeetingId,
} from '../src/core/rooms.js';

const docs = [
  { id: 'a', position: 0 },
  { id: 'b', position: 1 },
  { id: 'c', position: 2 },
];

describe('room rules', () => {
  it('shows the chosen document first and keeps the others in their order', () => {
    expect(presentationOrder(docs, 'c').map((d) => d.id)).toEqual(['c', 'a', 'b']);
    expect(presentationOrder(docs, null).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    // A choice that no longer exists (the document was deleted): the order as it is.
    expect(presentationOrder(docs, 'gone').map((d) => d.id)).toEqual(['a', 'b', 'c']);
  });

  it('moves a document up or down and renumbers from 0; the ends stay put', () => {
    expect(moveDocument(docs, 'b', 'up')).toEqual([
      { id: 'b', position: 0 },
      { id: 'a', position: 1 },
      { id: 'c', position: 2 },
    ]);
    expect(moveDocument(docs, 'c', 'down')?.map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(moveDocument(docs, 'x', 'up')).toBeNull();
  });

  it('reads the settings form without trusting it', () => {
    expect(
      checkSettings({ welcome: ' Bonjour ', recordingAllowed: 'on', waitingRoom: 'yes', maxParticipants: '30' }),
    ).toEqual({
      ok: true,
      value: {
        welcome: 'Bonjour',
        recordingAllowed: true,
        waitingRoom: false,
        muteOnStart: false,
        maxParticipants: 30,
      },
    });
    expect(checkSettings({ maxParticipants: '' })).toMatchObject({ ok: true, value: { maxParticipants: 0 } });
    for (const bad of ['1', '-2', '2.5', '10001', 'dix'])
      expect(checkSettings({ maxParticipants: bad })).toEqual({ ok: false, problem: 'problem.maxParticipants' });
    expect(checkSettings({ welcome: 'x'.repeat(501) })).toEqual({ ok: false, problem: 'problem.welcome' });
  });

  it('takes names as text and refuses control and invisible characters, with a message in both languages', () => {
    expect(checkRoomName('  Maths   4e B ')).toEqual({ ok: true, value: 'Maths 4e B' });
    expect(checkRoomName('<b>Maths</b> & "co"')).toEqual({ ok: true, value: '<b>Maths</b> & "co"' });
    for (const bad of ['', '   ', 'a\u0000b', 'a\u202eb', 'x'.repeat(101), 42])
      expect(checkRoomName(bad)).toEqual({ ok: false, problem: 'problem.name' });
    expect(translate('problem.name').fr).toContain('1 à 100');
    expect(translate('problem.name').en).toContain('1 to 100');
    expect(checkGuestName('Élève invité')).toEqual({ ok: true, value: 'Élève invité' });
    expect(checkGuestName('')).toEqual({ ok: false, problem: 'problem.guestName' });
  });

  it('takes portal usernames only, lower-cased', () => {
    expect(checkUsername(' JDupont ')).toEqual({ ok: true, value: 'jdupont' });
    for (const bad of ['', 'jean dupont', '../admin', '<x>', 'a'.repeat(101)])
      expect(checkUsername(bad)).toEqual({ ok: false, problem: 'problem.username' });
  });

  it("keeps a room's meeting apart from LaBoite's <groupId>_<slug> meetings", () => {
    expect(roomMeetingId('0f8c1f9e-8f4e-4a8c-9c1e-1234567890ab')).toBe('room-0f8c1f9e-8f4e-4a8c-9c1e-1234567890ab');
    expect(roomMeetingId('x')).not.toContain('_');
  });
});
